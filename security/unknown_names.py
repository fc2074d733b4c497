"""Failed sign-ins with login names no account has, folded per address and hour.

Each such failure was an audit entry of its own: 40 in 37 s from one client with a new name
each time, kept for good. Now the first of an address's hour is an entry (its name, as
before), and when the hour is over the worker's sweep adds one entry counting the rest."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.log import append
from audit.models import Action
from security.models import UnknownNameFailures


def _hour(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def counted(address: str) -> bool:
    """Count a failure from `address`; True when it is the first of its hour (to be recorded
    as an entry of its own)."""
    hour = _hour(timezone.now())
    with transaction.atomic():
        row, created = UnknownNameFailures.objects.select_for_update().get_or_create(
            address=address or "-", hour=hour, defaults={"failures": 1}
        )
        if not created:
            UnknownNameFailures.objects.filter(pk=row.pk).update(failures=F("failures") + 1)
    return created


def report_past_hours() -> int:
    """One counted entry for each address and past hour with more than its first failure;
    returns how many were written."""
    written = 0
    past = UnknownNameFailures.objects.filter(hour__lt=_hour(timezone.now()), reported=False)
    for row in past.order_by("hour", "address")[:1000]:
        with transaction.atomic():
            if row.failures > 1:
                local = timezone.localtime(row.hour)
                append(
                    action=Action.LOGIN_FAILED,
                    detail=(
                        f"地址 {row.address} 在 {local:%Y-%m-%d %H}:00–{local:%H}:59 "
                        f"共 {row.failures} 次以不存在的登录名登录失败（首次已单独记录）"
                    ),
                )
                written += 1
            UnknownNameFailures.objects.filter(pk=row.pk).update(reported=True)
    UnknownNameFailures.objects.filter(
        reported=True, hour__lt=timezone.now() - datetime.timedelta(days=2)
    ).delete()
    return written
