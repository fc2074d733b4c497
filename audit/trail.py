"""A record's own audit entries, for its page."""

from __future__ import annotations

from django.conf import settings

from audit.models import AuditEntry


def record_trail(instance) -> list[AuditEntry]:
    """A record's own entries, newest first, for its page."""
    return list(
        AuditEntry.objects.filter(
            record_type=instance._meta.label_lower, record_id=str(instance.pk)
        )
        .select_related("user")
        .order_by("-id")[: settings.PAGE_SIZE * 4]
    )
