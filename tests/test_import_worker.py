"""The import in the worker process: killed mid-import, it leaves whole batches only, and the
next worker resumes after the last one. Real processes, a real SIGKILL."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from audit.verification import verify
from registry import imports
from registry.models import ImportStatus, Resident, ResidentImport
from tests.conftest import make_id
from tests.test_import import sheet

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 3 * imports.BATCH + 123


def database_url() -> str:
    """The test database, for the worker processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker(settings_module: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        **(env or {}),
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": database_url(),
        "AUDIT_ANCHOR_FILE": settings.AUDIT_ANCHOR_FILE,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, what: str, process: subprocess.Popen) -> None:
    """Wait for something the worker does (not for a time): up to 5 minutes on a loaded
    machine, failing at once should the worker have exited."""
    deadline = time.monotonic() + 300
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the worker exited: {process.stdout.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the worker did not {what}")
        time.sleep(0.1)


def test_a_worker_killed_mid_import_leaves_whole_batches_and_the_next_resumes(as_alice, alice):
    rows = [
        [
            f"居民{n}",
            make_id(f"140830{1950 + n % 50}0101{n % 1000:03d}"[:17]),
            "汉族",
            "",
            "",
            "",
            "",
        ]
        for n in range(ROWS)
    ]
    rows = list({row[1]: row for row in rows}.values())  # one row per ID number
    as_alice.post(reverse("registry:import_create"), {"sheet": sheet(rows)})
    job = ResidentImport.objects.get()
    sheet_name = job.sheet.name
    assert job.sheet.storage.exists(sheet_name)

    first = worker("tests.stall.settings")
    try:
        wait_for(lambda: ResidentImport.objects.get().imported > 0, "import a batch", first)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        first.kill()
        first.stdout.close()

    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING
    assert job.imported == imports.BATCH  # the batch the worker stalled after, and no row more
    assert Resident.objects.filter(station=alice.station).count() == imports.BATCH
    assert (
        AuditEntry.objects.filter(action=Action.CREATE, record_type="registry.resident").count()
        == imports.BATCH
    )
    assert verify().ok
    page = as_alice.get(job.get_absolute_url()).content.decode()
    assert "正在导入" in page and f"{job.done} / {job.total}" in page

    # Two minutes pass without a sign of life from the dead worker; a new worker starts.
    ResidentImport.objects.update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=3))
    second = worker("config.test_settings", "--batch")
    try:
        assert second.wait(timeout=600) == 0, second.stdout.read().decode()[-2000:]
    finally:
        second.kill()
        second.stdout.close()

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.imported == len(rows)
    assert sorted(Resident.objects.values_list("id_number", flat=True)) == sorted(
        row[1] for row in rows
    )
    assert AuditEntry.objects.filter(
        action=Action.CREATE, record_type="registry.resident"
    ).count() == len(rows)
    assert verify().ok
    assert not job.sheet and not Path(settings.MEDIA_ROOT, sheet_name).exists()
    page = as_alice.get(job.get_absolute_url()).content.decode()
    assert f"已导入 {len(rows)} 名参保人" in page


def test_an_import_whose_worker_died_is_queued_again_when_its_page_is_opened(as_alice):
    as_alice.post(
        reverse("registry:import_create"),
        {"sheet": sheet([["张娟", make_id("14083019800101002")]])},
    )
    job = ResidentImport.objects.get()
    # A worker took it, then died before its first sign of life.
    ResidentImport.objects.update(
        lease="dead", heartbeat_at=timezone.now() - datetime.timedelta(minutes=3)
    )
    from tests.conftest import run_tasks

    run_tasks()  # the first task finds the job held, and leaves it
    assert ResidentImport.objects.get().status == ImportStatus.CHECKING
    as_alice.get(job.get_absolute_url())  # the page finds it stalled and queues it again
    as_alice.get(job.get_absolute_url())  # once
    assert run_tasks() == 1
    assert ResidentImport.objects.get().status == ImportStatus.DONE


def test_an_import_interrupted_three_times_is_marked_with_what_was_done(as_alice):
    as_alice.post(
        reverse("registry:import_create"),
        {"sheet": sheet([["张娟", make_id("14083019800101002")]])},
    )
    ResidentImport.objects.update(
        status=ImportStatus.IMPORTING,
        imported=500,
        resume_after=501,
        total=900,
        attempts=imports.MAX_ATTEMPTS,
        lease="",
    )
    from tests.conftest import run_tasks

    run_tasks()
    job = ResidentImport.objects.get()
    assert job.status == ImportStatus.FAILED and not job.sheet, job.errors
    page = as_alice.get(job.get_absolute_url()).content.decode()
    assert "导入中断：已导入 500 名参保人（至表格第 501 行），其余未导入" in page


def test_an_import_that_fails_says_so_with_what_was_done_and_deletes_the_sheet(
    as_alice, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "create_all_with_history", broken)
    as_alice.post(
        reverse("registry:import_create"),
        {"sheet": sheet([["张娟", make_id("14083019800101002")]])},
    )
    name = ResidentImport.objects.get().sheet.name
    from tests.conftest import run_tasks

    run_tasks()
    job = ResidentImport.objects.get()
    assert job.status == ImportStatus.FAILED and not Resident.objects.exists()
    assert not job.sheet and not Path(settings.MEDIA_ROOT, name).exists()
    page = as_alice.get(job.get_absolute_url()).content.decode()
    assert "导入失败" in page and "导入中断，没有导入任何参保人" in page
    assert "disk full" not in page


def test_a_refused_sheet_is_kept_a_day_for_its_valid_rows_then_deleted(as_alice):
    as_alice.post(reverse("registry:import_create"), {"sheet": sheet([["", "123"]])})
    from tests.conftest import run_tasks

    run_tasks()
    job = ResidentImport.objects.get()
    assert job.status == ImportStatus.REFUSED and job.sheet.storage.exists(job.sheet.name)
    imports.delete_expired_sheets()
    assert ResidentImport.objects.get().sheet  # still there for 只导入有效的行
    ResidentImport.objects.update(
        finished_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    imports.delete_expired_sheets()
    assert not ResidentImport.objects.get().sheet
    assert not Path(settings.MEDIA_ROOT, job.sheet.name).exists()
