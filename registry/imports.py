"""Importing residents from a station's Excel sheet: the job (the sheet's columns and row
checks are registry/sheets.py).

Every row is checked first and reported by row number in Chinese. Nothing is imported while
any row is wrong, unless the caseworker chose to import the valid rows only.

The work is a task (Django's Tasks framework) that the worker process runs, never a thread of
the web server. The sheet is read as a stream (core/xlsx.py), twice: once to check every row,
once to import. The import goes in batches, each one transaction with its households,
residents, history rows and audit entries, and the job's progress: a worker killed mid-import
leaves whole batches only, and the next run resumes after the last one (`resume`).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from audit.log import append
from audit.models import Action
from audit.records import create_all_with_history
from core import id_numbers, tasks, xlsx
from registry.models import Household, ImportStatus, Resident, ResidentImport
from registry.sheets import MAX_ROWS, check_row, read_rows

logger = logging.getLogger(__name__)

# Rows per transaction: small enough that the county's audit chain, whose head a batch locks
# from its audit entries to its commit, is never held long by an import.
BATCH = 500
KEPT_ERRORS = 1000


# A job whose worker has shown no sign of life this long is taken to have died with it.
def stale_after() -> timedelta:
    """No sign of life from a job's worker for this long: it died (settings.IMPORT_STALE_SECONDS,
    2 minutes; a batch beats far more often)."""
    return timedelta(seconds=settings.IMPORT_STALE_SECONDS)


MAX_ATTEMPTS = 3
# A refused sheet stays this long, so that its valid rows can still be imported.
REFUSED_SHEET_KEPT = timedelta(days=1)


class Superseded(Exception):
    """Another run of the task has taken the job over (this one was thought dead)."""


def enqueue(job: ResidentImport) -> None:
    """Queue the job's task (core.tasks.enqueue: with the job's row, or once it is committed)."""
    tasks.enqueue(import_sheet, job.pk)


@task()
def import_sheet(job_id: int) -> None:
    lease = _take(job_id)
    if lease is None:
        return
    job = ResidentImport.objects.select_related("station", "created_by").get(pk=job_id)
    try:
        if job.status == ImportStatus.CHECKING:
            _check(job, lease)
        if job.status == ImportStatus.IMPORTING:
            _import(job, lease)
    except Superseded:
        return
    except xlsx.TooManyRows:
        message = f"一次最多导入 {MAX_ROWS} 行，请分成几个表格。"
        _finish(job, lease, ImportStatus.REFUSED, errors=[[0, message]])
    except xlsx.UnreadableSheet as error:
        _finish(job, lease, ImportStatus.REFUSED, errors=[[1, str(error)]])
    except Exception:
        logger.exception("Import %s failed", job_id)
        job.refresh_from_db()
        _finish(job, lease, ImportStatus.FAILED, errors=[*job.errors, [0, _stopped(job)]])
        raise
    finally:
        _delete_sheet_if_ended(job)  # unless another run holds the job, or it was refused


def _take(job_id: int) -> str | None:
    """Take the job for this run: a new job, or one whose last run died (`resume` dropped its
    lease). Only one run holds a job at a time; a job that failed MAX_ATTEMPTS times is
    marked failed, with what was done."""
    with transaction.atomic():
        job = ResidentImport.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.running:
            return None
        if job.lease:
            return None  # held by a run that is alive, or that `resume` has not yet dropped
        if job.attempts >= MAX_ATTEMPTS:
            job.errors = [*job.errors, [0, _stopped(job)]]
            job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
            job.save()
            transaction.on_commit(lambda: _delete_sheet_if_ended(job))
            return None
        job.lease, job.heartbeat_at = uuid.uuid4().hex, timezone.now()
        job.attempts += 1
        job.save(update_fields=["lease", "heartbeat_at", "attempts"])
        return job.lease


def _stopped(job: ResidentImport) -> str:
    if job.status == ImportStatus.IMPORTING and job.imported:
        return (
            f"导入中断：已导入 {job.imported} 名参保人（至表格第 {job.resume_after} 行），"
            "其余未导入。请核对后，把其余的行另存为新表格再导入。"
        )
    return "导入中断，没有导入任何参保人。请重新上传该表格。"


def _beat(job: ResidentImport, lease: str, **fields) -> None:
    """Record progress in the current transaction, if this run still holds the job."""
    holder = ResidentImport.objects.select_for_update().filter(pk=job.pk)
    if holder.values_list("lease", flat=True).first() != lease:
        raise Superseded
    fields["heartbeat_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    holder.update(**fields)


def _finish(job: ResidentImport, lease: str, status: str, errors: list | None = None) -> None:
    with transaction.atomic():
        fields: dict = {"status": status, "finished_at": timezone.now()}
        if errors is not None:
            fields["errors"] = errors[:KEPT_ERRORS]
            fields["error_count"] = max(job.error_count, len(errors))
        _beat(job, lease, **fields)


def _check(job: ResidentImport, lease: str) -> None:
    """The first pass: every row checked, by itself, against the rows before it and against
    the residents and households already registered. Nothing is written but the report."""
    errors: list[list] = []  # the first KEPT_ERRORS by row number; refused counts them all
    refused: list[int] = []
    seen: dict[str, int] = {}
    elsewhere = 0
    count = 0
    chunk: list[tuple[int, dict]] = []

    def check_chunk() -> None:
        nonlocal elsewhere
        problems_by_row = _registration_problems(job, chunk)
        for number, problems, theirs in problems_by_row:
            errors.append([number, "；".join(problems)])
            refused.append(number)
            elsewhere += theirs
        chunk.clear()

    for number, values in read_rows(job):
        count += 1
        clean, problems = check_row(values)
        if clean.get("id_number") in seen:
            problems.append(f"身份证号码与第 {seen[clean['id_number']]} 行重复")
        if clean.get("id_number"):
            seen.setdefault(clean["id_number"], number)
        if problems:
            errors.append([number, "；".join(problems)])
            refused.append(number)
        else:
            chunk.append((number, clean))
        if len(chunk) == BATCH:
            check_chunk()
        if count % BATCH == 0:
            if len(errors) > 2 * KEPT_ERRORS:  # a sheet full of errors stays small in memory
                errors.sort()
                del errors[KEPT_ERRORS:]
            with transaction.atomic():
                _beat(job, lease, done=count)
    check_chunk()
    errors.sort()
    refused.sort()
    with transaction.atomic():
        fields = {
            "total": count,
            "done": 0 if not errors or job.valid_rows_only else count,
            "errors": errors[:KEPT_ERRORS],
            "error_count": len(refused),
            "refused_rows": refused,
            "resume_after": 0,
        }
        if errors and not job.valid_rows_only:
            fields.update(status=ImportStatus.REFUSED, finished_at=timezone.now())
        else:
            fields["status"] = ImportStatus.IMPORTING
        _beat(job, lease, **fields)
        if elsewhere:
            # ID numbers and household numbers are unique across the whole installation. A
            # row naming a resident or a household of another station is refused (never
            # joined, never shown), and how many such rows a sheet had goes into the trail.
            append(
                action=Action.LOOKUP,
                user=job.created_by,
                instance=job,
                detail=f"Excel 导入“{job.file_name}”：{elsewhere} 行的身份证号码或户号属于"
                "其他医保站，已拒绝",
            )


def _registration_problems(
    job: ResidentImport, rows: list[tuple[int, dict]]
) -> list[tuple[int, list[str], bool]]:
    """(row number, problems, names another station's record) for the rows whose resident
    or household is already registered: here (a duplicate) or at another station."""
    registered = _registered(Resident, "id_number", [c["id_number"] for _, c in rows])
    households = _registered(
        Household, "household_number", [c["household_number"] for _, c in rows]
    )
    found = []
    for number, clean in rows:
        problems, theirs = [], False
        station = registered.get(clean["id_number"])
        if station is not None:
            theirs = station != job.station_id
            where = "已在其他医保站登记" if theirs else "已登记"
            problems.append(f"身份证号码 {id_numbers.mask(clean['id_number'])} {where}")
        owner = households.get(clean["household_number"])
        if owner is not None and owner != job.station_id:
            theirs = True
            problems.append(f"户号 {clean['household_number']} 已由其他医保站登记，不能导入本站")
        if problems:
            found.append((number, problems, theirs))
    return found


def _import(job: ResidentImport, lease: str) -> None:
    """The second pass: the rows the check accepted, in batches after the last committed
    one."""
    refused = set(job.refused_rows)
    batch: list[tuple[int, dict]] = []
    last, processed = job.resume_after, job.done
    for number, values in read_rows(job):
        if number <= job.resume_after:
            continue
        last, processed = number, processed + 1
        if number not in refused:
            batch.append((number, check_row(values)[0]))
        if len(batch) == BATCH:
            _import_batch(job, lease, batch, last, processed)
            batch = []
    _import_batch(job, lease, batch, last, processed)
    _finish(job, lease, ImportStatus.DONE)


def _import_batch(
    job: ResidentImport, lease: str, batch: list[tuple[int, dict]], last: int, processed: int
) -> None:
    with transaction.atomic():
        _beat(job, lease)  # first: a run that lost the job writes nothing
        # Registered since the check (at the counter, meanwhile): reported, not imported.
        late = _registration_problems(job, batch)
        skipped = {number for number, _, _ in late}
        rows = [clean for number, clean in batch if number not in skipped]
        station, user = job.station, job.created_by
        households = {
            h.household_number: h
            for h in Household.objects.filter(
                station=station,
                household_number__in={r["household_number"] for r in rows if r["household_number"]},
            )
        }
        new_households = []
        for row in rows:
            number = row["household_number"]
            if number and number not in households:
                households[number] = Household(
                    station=station,
                    household_number=number,
                    address=row["address"] or "（导入时未填写）",
                )
                new_households.append(households[number])
        residents = [
            Resident(
                station=station,
                household=households.get(row["household_number"]),
                relationship_to_head=row["relationship_to_head"],
                name=row["name"],
                id_number=row["id_number"],
                ethnicity=row["ethnicity"],
                phone=row["phone"],
                address=row["address"],
            )
            for row in rows
        ]
        errors = job.errors
        if late:
            errors = sorted([*errors, *([n, "；".join(p)] for n, p, _ in late)])[:KEPT_ERRORS]
        _beat(
            job,
            lease,
            imported=job.imported + len(residents),
            done=processed,
            resume_after=last,
            errors=errors,
            error_count=job.error_count + len(late),
        )
        # Last, so that the county's audit chain is locked only from its entries to the commit.
        create_all_with_history(
            [(Household, new_households), (Resident, residents)], user=user, reason="Excel 导入"
        )


def _registered(model, field: str, values: list[str]) -> dict[str, int]:
    """{value: station id} of the records that already hold these values."""
    values = [v for v in values if v]
    if not values:
        return {}
    return dict(model.objects.filter(**{f"{field}__in": values}).values_list(field, "station_id"))


def _delete_sheet_if_ended(job: ResidentImport) -> None:
    """The sheet, full of personal data, is kept no longer than its job needs it."""
    job.refresh_from_db()
    if job.running or job.status == ImportStatus.REFUSED or not job.sheet:
        return
    if ResidentImport.objects.filter(
        sheet=job.sheet.name, status__in=(ImportStatus.CHECKING, ImportStatus.IMPORTING)
    ).exists():  # the same sheet's valid rows are being imported
        ResidentImport.objects.filter(pk=job.pk).update(sheet="")
    else:
        _forget_sheet(job)


def _forget_sheet(job: ResidentImport) -> None:
    """Delete the job's sheet from the storage, and its name from every job naming it."""
    name = job.sheet.name
    job.sheet.delete(save=False)
    ResidentImport.objects.filter(sheet=name).update(sheet="")


def resume(jobs=None) -> int:
    """Queue again every job (of `jobs`, or all) whose worker died: no sign of life for
    stale_after(). The dead run's lease is dropped at the same time, so should it be alive after
    all, its next batch finds the job taken and stops. The worker runs this when it starts;
    the import page, when its job has stalled. Returns how many jobs were queued."""
    now = timezone.now()
    queued = 0
    stale = (jobs if jobs is not None else ResidentImport.objects.all()).filter(
        status__in=(ImportStatus.CHECKING, ImportStatus.IMPORTING),
        heartbeat_at__lt=now - stale_after(),
    )
    for pk, lease, beat in stale.values_list("pk", "lease", "heartbeat_at"):
        # Only the one request or worker that drops the lease queues the job again.
        if ResidentImport.objects.filter(pk=pk, lease=lease, heartbeat_at=beat).update(
            lease="", heartbeat_at=now
        ):
            tasks.enqueue(import_sheet, pk)
            queued += 1
    return queued


def delete_expired_sheets() -> None:
    """The sheets of refused jobs past REFUSED_SHEET_KEPT (the worker runs this when it
    starts)."""
    expired = ResidentImport.objects.filter(
        status=ImportStatus.REFUSED, finished_at__lt=timezone.now() - REFUSED_SHEET_KEPT
    ).exclude(sheet="")
    for job in expired:
        _forget_sheet(job)
