"""Long audit work, run by the worker process (`manage.py worker`)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from audit.models import ChainCheck, CheckStatus, chain_of
from audit.verification import verify
from core import tasks

logger = logging.getLogger(__name__)

# A check still running this long after it was asked for lost its worker (a full check of
# 1.8 M entries takes minutes): it is marked as not finished, and a new one may be started.
ABANDONED_AFTER = timedelta(hours=2)


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


def requeue_waiting_checks(waited: timedelta) -> int:
    """Queue again the checks waiting longer than `waited` when tasks are queued in Redis, where
    a check's task can be lost (Redis refused it at the commit, or restarted without its data);
    in the database the task's row commits with the check's. A check queued twice runs once:
    the second run finds it taken (check_chain's claim). Returns how many were queued again."""
    if tasks.queued_in_database(check_chain):
        return 0
    waiting = list(
        ChainCheck.objects.filter(
            status=CheckStatus.QUEUED, requested_at__lt=timezone.now() - waited
        ).values_list("pk", flat=True)
    )
    for pk in waiting:
        tasks.enqueue(check_chain, pk)
    return len(waiting)


def give_up_abandoned_checks() -> int:
    """Mark the checks whose worker died while running them as not finished; otherwise the
    chain page would wait for them, and refuse a new check, for ever. A check that finishes
    after all records its result over this. Returns how many were given up."""
    now = timezone.now()
    return ChainCheck.objects.filter(
        status=CheckStatus.RUNNING, requested_at__lt=now - ABANDONED_AFTER
    ).update(status=CheckStatus.FAILED, reason="校验进程中断，请重新校验。", finished_at=now)
