"""Importing residents from a station's Excel sheet (.xlsx, the usual Chinese column names).

Every row is checked first and reported by row number in Chinese. Nothing is imported while
any row is wrong, unless the caseworker chose to import the valid rows only. The import runs
in a background thread of the server process; the page polls its progress.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from audit.log import append
from audit.models import Action
from audit.records import create_with_history
from core import id_numbers
from core.validators import clean_phone, clean_text
from registry.models import (
    Household,
    ImportStatus,
    Relationship,
    Resident,
    ResidentImport,
)

# Header names as stations write them -> field.
COLUMNS = {
    "姓名": "name",
    "身份证号码": "id_number",
    "身份证号": "id_number",
    "公民身份号码": "id_number",
    "民族": "ethnicity",
    "联系电话": "phone",
    "电话": "phone",
    "手机号码": "phone",
    "现住址": "address",
    "住址": "address",
    "地址": "address",
    "户号": "household_number",
    "与户主关系": "relationship_to_head",
    "关系": "relationship_to_head",
}
REQUIRED = ("name", "id_number")
RELATIONSHIPS = {label: value for value, label in Relationship.choices}
MAX_ROWS = 200_000
BATCH = 2000


class SheetError(Exception):
    """The sheet as a whole cannot be read."""


def read_rows(path: Path):
    """(row number, {field: text}) for each non-empty row under the header."""
    from python_calamine import CalamineWorkbook

    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()
    except Exception as error:  # calamine raises several kinds for a file that is not .xlsx
        raise SheetError("无法读取该文件，请上传 Excel（.xlsx）格式的表格。") from error
    header = next(rows, None) or ()
    fields = [COLUMNS.get(str(name or "").strip()) for name in header]
    missing = [name for name in ("姓名", "身份证号码") if COLUMNS[name] not in fields]
    if missing:
        raise SheetError(
            f"表格第一行缺少列：{'、'.join(missing)}（身份证号码也可写作“身份证号”）。"
        )
    for number, row in enumerate(rows, start=2):
        values = {f: cell_text(v) for f, v in zip(fields, row, strict=False) if f}
        if any(values.values()):
            yield number, values


def cell_text(value) -> str:
    """A cell as the caseworker sees it. Numbers come back as floats: a phone or household
    number typed as a number reads 13912345678, not 13912345678.0. A float too large to be
    exact (an 18-digit ID number stored as a number has lost its last digits) keeps its
    exponent form, so it can never pass for a valid number."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    return str(value).strip()


def check_row(values: dict) -> tuple[dict, list[str]]:
    """The row's clean values and its problems, in Chinese."""
    problems, clean = [], {}
    for field in REQUIRED:
        if not values.get(field):
            problems.append("缺少" + ("姓名" if field == "name" else "身份证号码"))
    try:
        clean["name"] = clean_text(values.get("name", ""))[:30]
        clean["address"] = clean_text(values.get("address", ""))[:100]
        clean["ethnicity"] = clean_text(values.get("ethnicity", "")) or "汉族"
    except ValidationError as error:
        problems.extend(error.messages)
    if "e+" in values.get("id_number", "").lower():
        problems.append("身份证号码被存成了数字，后几位已丢失；请把该列设为“文本”后重新填写")
    elif values.get("id_number"):
        try:
            clean["id_number"] = id_numbers.validate(values["id_number"])
        except ValidationError as error:
            problems.extend(error.messages)
    try:
        clean["phone"] = clean_phone(values.get("phone", ""))
    except ValidationError as error:
        problems.extend(error.messages)
    relationship = values.get("relationship_to_head", "")
    if relationship and relationship not in RELATIONSHIPS:
        problems.append(f"与户主关系“{relationship}”无法识别（如：户主、配偶、子、女）")
    clean["relationship_to_head"] = RELATIONSHIPS.get(relationship, "")
    number = id_numbers.normalize(values.get("household_number", ""))
    if number and not number.isdigit():
        problems.append("户号应为数字")
    clean["household_number"] = number
    if clean["relationship_to_head"] and not number:
        problems.append("填写了与户主关系，但没有户号")
    return clean, problems


def start(job: ResidentImport) -> None:
    """Run the import in a thread once the job's row is committed."""
    transaction.on_commit(lambda: threading.Thread(target=run, args=(job.pk,), daemon=True).start())


def run(job_id: int) -> None:
    close_old_connections()
    job = ResidentImport.objects.get(pk=job_id)
    try:
        _run(job)
    except Exception as error:
        job.status = ImportStatus.FAILED
        job.errors = [*job.errors[:999], [0, f"导入中断：{error}"]]
        job.finished_at = timezone.now()
        job.save()
        raise
    finally:
        job.refresh_from_db()
        if job.status != ImportStatus.REFUSED:  # a refused sheet may be imported valid-only
            Path(job.path).unlink(missing_ok=True)
        # The thread ends here: its connection goes with it (kept connections would pile up).
        connection.close()


def _run(job: ResidentImport) -> None:
    try:
        rows = list(read_rows(Path(job.path)))
    except SheetError as error:
        job.status, job.errors, job.finished_at = (
            ImportStatus.REFUSED,
            [[1, str(error)]],
            timezone.now(),
        )
        job.save()
        return
    if len(rows) > MAX_ROWS:
        job.status, job.finished_at = ImportStatus.REFUSED, timezone.now()
        job.errors = [[0, f"一次最多导入 {MAX_ROWS} 行，请分成几个表格。"]]
        job.save()
        return
    job.total = len(rows)
    job.save(update_fields=["total"])

    valid: list[tuple[int, dict]] = []
    errors: list[list] = []
    seen: dict[str, int] = {}
    for index, (number, values) in enumerate(rows, start=1):
        clean, problems = check_row(values)
        if clean.get("id_number") in seen:
            problems.append(f"身份证号码与第 {seen[clean['id_number']]} 行重复")
        if clean.get("id_number"):
            seen.setdefault(clean["id_number"], number)
        if problems:
            errors.append([number, "；".join(problems)])
        else:
            valid.append((number, clean))
        if index % BATCH == 0:
            progress(job, index)
    # ID numbers and household numbers are unique across the whole installation. A sheet's
    # row may name a resident or a household of another station: it is refused (never joined,
    # never shown), and how many such rows a sheet had goes into the audit trail.
    registered = _registered(Resident, "id_number", [c["id_number"] for _, c in valid])
    households = _registered(
        Household, "household_number", [c["household_number"] for _, c in valid]
    )
    elsewhere = 0
    for number, clean in valid:
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
            errors.append([number, "；".join(problems)])
            elsewhere += theirs
    refused = {number for number, _ in errors}
    valid = [(n, c) for n, c in valid if n not in refused]
    if elsewhere:
        append(
            action=Action.LOOKUP,
            user=job.created_by,
            instance=job,
            detail=f"Excel 导入“{job.file_name}”：{elsewhere} 行的身份证号码或户号属于其他医保站"
            "，已拒绝",
        )
    errors.sort()
    job.errors = errors[:1000]
    job.done = 0
    if errors and not job.valid_rows_only:
        job.status, job.finished_at = ImportStatus.REFUSED, timezone.now()
        job.save()
        return
    job.status = ImportStatus.IMPORTING
    job.save()
    progress(job, 0)
    _import(job, [clean for _, clean in valid])


def _import(job: ResidentImport, rows: list[dict]) -> None:
    user, station = job.created_by, job.station
    with transaction.atomic():
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
        if new_households:
            create_with_history(Household, new_households, user=user, reason="Excel 导入")
        for start_at in range(0, len(rows), BATCH):
            chunk = rows[start_at : start_at + BATCH]
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
                for row in chunk
            ]
            create_with_history(Resident, residents, user=user, reason="Excel 导入")
            job.imported = start_at + len(chunk)
            progress(job, job.imported)
    job.done = job.total
    job.status, job.finished_at = ImportStatus.DONE, timezone.now()
    job.save()


def _registered(model, field: str, values: list[str]) -> dict[str, int]:
    """{value: station id} of the records that already hold these values."""
    values = [v for v in values if v]
    found: dict[str, int] = {}
    for start_at in range(0, len(values), BATCH):
        found.update(
            model.objects.filter(**{f"{field}__in": values[start_at : start_at + BATCH]})
            .values_list(field, "station_id")
            .iterator()
        )
    return found


def progress(job: ResidentImport, done: int) -> None:
    """The import writes in one transaction (all valid rows or none), so its progress goes
    through the cache, which the polling page reads from any worker."""
    cache.set(f"import-progress:{job.pk}", {"status": job.status, "done": done}, 3600)


def current(job: ResidentImport) -> ResidentImport:
    """The job with its live progress while it runs."""
    if job.running:
        live = cache.get(f"import-progress:{job.pk}")
        if live:
            job.done = live["done"]
            job.status = live["status"]
    return job
