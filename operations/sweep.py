"""What each worker does now and then besides running tasks (operations/management/commands/
worker.py): nothing here waits for a request, and no cron line is needed for it.

- An Excel import whose worker died (no sign of life for IMPORT_STALE_SECONDS) is queued
  again, for whichever worker is free: with several servers, another server's worker takes
  it over and it resumes after its last committed batch.
- The audit chains' ends are anchored in this server's AUDIT_ANCHOR_FILE.
- With tasks queued in Redis, a chain check waiting for more than ten minutes is queued again;
  a check still running two hours after it was asked for lost its worker and is given up.
- A text to a resident whose gateway refused it is tried again when its back-off is over
  (messaging/models.py, RETRY_AFTER); one whose task was lost is queued again.
- Refused sheets past their day, old form-token claims and finished task results older than
  TASK_RESULTS_KEPT_DAYS are forgotten.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit import anchors
from audit.tasks import give_up_abandoned_checks, requeue_waiting_checks
from messaging.services import queue_due
from operations import backup
from registry import imports
from security import idempotency, unknown_names

logger = logging.getLogger(__name__)

# A chain check queued in Redis and still waiting after this long is queued again (its task may
# have been lost); long enough for a check to wait behind an import of 200,000 rows.
CHECK_WAIT = timedelta(minutes=10)


def sweep() -> int:
    """One sweep; returns how many interrupted imports it queued again."""
    queued = imports.resume()
    requeue_waiting_checks(CHECK_WAIT)
    give_up_abandoned_checks()
    queue_due()  # texts to residents whose retry is due, or whose task was lost
    imports.delete_expired_sheets()
    idempotency.forget_old_claims()
    backup.remove_leftovers()  # a killed backup's or restore's plain rows
    unknown_names.report_past_hours()
    # A refusal is recorded, logged and shown on the auditors' pages by anchors.write.
    with contextlib.suppress(anchors.AnchorError):
        anchors.write()
    kept_since = timezone.now() - timedelta(days=settings.TASK_RESULTS_KEPT_DAYS)
    DBTaskResult.objects.finished().filter(finished_at__lt=kept_since).delete()
    return queued


def sweep_now_and_then(stopped: threading.Event) -> None:
    """The worker's sweeping thread: a sweep every WORKER_SWEEP_SECONDS until `stopped`. A
    failed sweep is logged and tried again next time; it never stops the worker."""
    while not stopped.wait(settings.WORKER_SWEEP_SECONDS):
        try:
            close_old_connections()
            queued = sweep()
            if queued:
                logger.warning("queued again %d interrupted import(s)", queued)
        except Exception:
            logger.exception("the worker's sweep failed; trying again at the next one")
        finally:
            connections.close_all()
