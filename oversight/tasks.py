"""Reports counted by the worker process (`manage.py worker`): see oversight/models.py."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from oversight import reports
from oversight.models import ReportRun, RunStatus

logger = logging.getLogger(__name__)


@task()
def make_report(run_id: int) -> None:
    """Count the run's report, noting each step done, and keep it."""
    claimed = ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING
    )
    if not claimed:
        return
    run = ReportRun.objects.select_related("requested_by").get(pk=run_id)
    period = reports.Period(run.first, run.last, run.name)

    def progress(step: int, steps: int) -> None:
        ReportRun.objects.filter(pk=run_id).update(step=step, steps=steps)

    try:
        made = reports.report(run.requested_by, period, timezone.localdate(), progress)
    except Exception:
        logger.exception("Report run %s failed", run_id)
        run.status = RunStatus.FAILED
    else:
        run.status, run.result = RunStatus.DONE, made.as_json()
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "finished_at"])
