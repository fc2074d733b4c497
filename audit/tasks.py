"""Long audit work, run by the worker process (`manage.py worker`)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from audit.models import ChainCheck, CheckStatus, chain_of
from audit.verification import verify

logger = logging.getLogger(__name__)


@task()
def check_chain(check_id: int) -> None:
    """Verify one county's chain from its first entry, and record the result."""
    claimed = ChainCheck.objects.filter(pk=check_id, status=CheckStatus.QUEUED).update(
        status=CheckStatus.RUNNING
    )
    if not claimed:
        return
    check = ChainCheck.objects.get(pk=check_id)
    since = None
    if not check.full:
        last_whole = (
            ChainCheck.objects.filter(
                county_id=check.county_id,
                status=CheckStatus.DONE,
                broken_at__isnull=True,
                last_seq__gt=0,
            )
            .order_by("-finished_at", "-pk")
            .first()
        )
        if last_whole is not None:
            since = (last_whole.last_seq, last_whole.last_hash)
    try:
        result = verify(chain_of(check.county_id), since=since)
    except Exception:
        logger.exception("Chain check %s failed", check_id)
        check.status, check.reason = CheckStatus.FAILED, "校验过程中出错，请稍后重新校验。"
    else:
        check.status, check.checked = CheckStatus.DONE, result.checked
        check.broken_at, check.reason = result.broken_at, result.reason
        check.last_seq, check.last_hash = result.last_seq, result.last_hash
    check.finished_at = timezone.now()
    check.save()
