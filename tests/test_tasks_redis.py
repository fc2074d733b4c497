"""Tasks queued in Redis (TASK_QUEUE_URL, django-tasks-rq) instead of the database: queued only
once the request's rows are committed, and run by `manage.py worker` as an RQ worker. A real
redis-server (installed by scripts/setup.sh) and a real worker process."""

from __future__ import annotations

import datetime
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import django_rq
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import ChainCheck, CheckStatus
from operations import sweep
from registry import imports
from registry.models import ImportStatus, Resident, ResidentImport
from tests.conftest import make_id
from tests.test_import import sheet
from tests.test_import_worker import worker


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    assert server, "redis-server is installed by scripts/setup.sh"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # until it answers (a condition, not a time)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "redis did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait()


@pytest.fixture
def queued_in_redis(settings, redis_url) -> Iterator[str]:
    settings.TASK_QUEUE_URL = redis_url
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": -1}}
    queue = django_rq.get_queue("default")
    queue.empty()
    yield redis_url
    queue.empty()


def rows(count: int) -> list[list[str]]:
    return [
        [f"居民{n}", make_id(f"14083019{60 + n:02d}0101{n:03d}"), "汉族", "", "", "", ""]
        for n in range(count)
    ]


@pytest.mark.django_db
def test_a_task_is_queued_in_redis_only_when_its_rows_are_committed(
    queued_in_redis, import_b, django_capture_on_commit_callbacks
):
    queue = django_rq.get_queue("default")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        imports.enqueue(import_b)
        # A worker taking it now would not find the job's row.
        assert queue.count == 0
    assert queue.count == 1
    assert queue.jobs[0].args == (import_b.pk,)


@pytest.mark.django_db
def test_a_request_that_fails_queues_nothing(queued_in_redis, import_b):
    queue = django_rq.get_queue("default")
    with pytest.raises(RuntimeError), transaction.atomic():
        imports.enqueue(import_b)
        raise RuntimeError("the request failed after queueing")
    assert queue.count == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_and_a_chain_check_queued_in_redis_are_run_by_the_worker(
    queued_in_redis, as_alice, alice, as_carol
):
    sheet_rows = rows(30)
    as_alice.post(reverse("registry:import_create"), {"sheet": sheet(sheet_rows)})
    as_carol.post(reverse("oversight:audit_chain"))
    assert django_rq.get_queue("default").count == 2
    job, check = ResidentImport.objects.get(), ChainCheck.objects.get()
    assert job.status == ImportStatus.CHECKING and check.status == CheckStatus.QUEUED

    process = worker("config.test_settings", "--batch", env={"TASK_QUEUE_URL": queued_in_redis})
    try:
        assert process.wait(timeout=600) == 0, process.stdout.read().decode()[-2000:]
    finally:
        process.kill()
        process.stdout.close()

    job.refresh_from_db()
    check.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.imported == len(sheet_rows)
    assert Resident.objects.filter(station=alice.station).count() == len(sheet_rows)
    assert check.status == CheckStatus.DONE and check.checked > 0 and check.broken_at is None
    assert django_rq.get_queue("default").count == 0
    page = as_alice.get(job.get_absolute_url()).content.decode()
    assert f"已导入 {len(sheet_rows)} 名参保人" in page


@pytest.mark.django_db
@pytest.mark.parametrize("waited, queued_again", [(9, 0), (11, 1)])
def test_the_sweep_queues_again_a_chain_check_waiting_over_ten_minutes_in_redis(
    queued_in_redis, carol, county, waited, queued_again, django_capture_on_commit_callbacks
):
    """Redis may have lost it (refused at the commit, or restarted without its data)."""
    check = ChainCheck.objects.create(county=county, requested_by=carol)
    ChainCheck.objects.filter(pk=check.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=waited)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep.sweep()
    assert [job.args for job in django_rq.get_queue("default").jobs] == [(check.pk,)] * queued_again


@pytest.mark.django_db
def test_in_the_database_a_waiting_check_keeps_its_one_task(carol, county):
    check = ChainCheck.objects.create(county=county, requested_by=carol)
    ChainCheck.objects.filter(pk=check.pk).update(
        requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    sweep.sweep()
    assert not DBTaskResult.objects.filter(task_path="audit.tasks.check_chain").exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_redis_refused_at_the_commit_is_queued_again_by_the_sweep(
    queued_in_redis, settings, as_alice, alice
):
    with socket.socket() as probe:  # a port nothing listens on: Redis is down
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{closed}/0"}}
    response = as_alice.post(reverse("registry:import_create"), {"sheet": sheet(rows(3))})
    job = ResidentImport.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()

    settings.RQ_QUEUES = {"default": {"URL": queued_in_redis, "DEFAULT_TIMEOUT": -1}}
    queue = django_rq.get_queue("default")
    assert queue.count == 0  # the task was lost; the job's row was not
    settings.IMPORT_STALE_SECONDS = 60
    ResidentImport.objects.update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=61))
    assert sweep.sweep() == 1
    assert [queued.args for queued in queue.jobs] == [(job.pk,)]
