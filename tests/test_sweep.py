"""The worker's sweep (operations/sweep.py), run every WORKER_SWEEP_SECONDS on each server:
an import whose worker died is taken over once it has been silent IMPORT_STALE_SECONDS (not
before), the chains are anchored, finished task results are pruned after their days, and a
chain check whose worker died is given up."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import ChainCheck, CheckStatus
from operations import sweep
from registry.models import ImportStatus, ResidentImport

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_import(bob, settings):
    settings.IMPORT_STALE_SECONDS = 60

    def silent_for(seconds: int) -> ResidentImport:
        return ResidentImport.objects.create(
            station=bob.station,
            created_by=bob,
            file_name="西王村.xlsx",
            sheet="imports/none.xlsx",
            status=ImportStatus.IMPORTING,
            lease="a-dead-worker",
            heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds),
        )

    return silent_for


@pytest.mark.parametrize(("silent", "taken_over"), [(59, False), (61, True)])
def test_a_silent_import_is_taken_over_after_its_limit(silent_import, silent, taken_over):
    job = silent_import(silent)
    assert sweep.sweep() == int(taken_over)
    job.refresh_from_db()
    assert (job.lease == "") is taken_over
    assert DBTaskResult.objects.filter(task_path="registry.imports.import_sheet").exists() is (
        taken_over
    )


def test_the_chains_are_anchored_and_old_results_pruned(settings, tmp_path, resident_a):
    from audit.anchors import latest

    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")
    settings.TASK_RESULTS_KEPT_DAYS = 14
    from registry.imports import import_sheet

    old, recent = import_sheet.enqueue(1), import_sheet.enqueue(2)
    now = timezone.now()
    for result, days in ((old, 15), (recent, 13)):
        DBTaskResult.objects.filter(id=result.id).update(
            status="SUCCESSFUL", finished_at=now - datetime.timedelta(days=days)
        )
    sweep.sweep()
    assert [str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)] == [recent.id]
    assert latest() is not None


def test_the_sweeping_thread_stops_with_the_worker(settings):
    settings.WORKER_SWEEP_SECONDS = 3600
    stopped = threading.Event()
    thread = threading.Thread(target=sweep.sweep_now_and_then, args=(stopped,), daemon=True)
    thread.start()
    stopped.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


@pytest.mark.parametrize(("minutes", "given_up"), [(119, False), (121, True)])
def test_a_chain_check_whose_worker_died_is_given_up_after_two_hours(
    as_carol, carol, county, minutes, given_up
):
    check = ChainCheck.objects.create(county=county, requested_by=carol, status=CheckStatus.RUNNING)
    ChainCheck.objects.filter(pk=check.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    sweep.sweep()
    check.refresh_from_db()
    assert (check.status == CheckStatus.FAILED) is given_up
    page = as_carol.get(reverse("oversight:audit_chain")).content.decode()
    assert ("校验进程中断，请重新校验。" in page) is given_up
    # Given up, the supervisor may start a new check; still running, she is asked to wait.
    answer = as_carol.post(reverse("oversight:audit_chain"), follow=True).content.decode()
    assert ChainCheck.objects.count() == (2 if given_up else 1)
    assert ("正在校验，请等待结果" in answer) is not given_up
