from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Submission(models.Model):
    """A form submission seen once. A double-clicked or replayed POST carries the same token
    and is answered with the first one's result instead of creating a second record."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    location = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "表单提交"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return str(self.token)
