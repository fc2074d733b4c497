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


class UnknownNameFailures(models.Model):
    """Failed sign-ins with login names no account has, counted per address and hour: the
    first of an hour is an audit entry, the rest are folded into one counted entry when the
    hour is over (security/unknown_names.py), so that a script trying a new name each time
    cannot write the trail full."""

    address = models.CharField(max_length=45)
    hour = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    reported = models.BooleanField(default=False)

    class Meta:
        verbose_name = "不存在登录名的失败登录"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["address", "hour"], name="unknown_names_once")
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.hour:%Y-%m-%d %H}:00 ×{self.failures}"
