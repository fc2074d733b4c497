"""A station's sheet of residents (.xlsx, the usual Chinese column names): its columns and
each row's checks, the same checks as the counter's resident form (registry.models). The
job that imports a sheet, in batches a worker can resume, is registry/imports.py."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError

from core import id_numbers, xlsx
from core.validators import clean_phone
from registry.models import RESIDENT_TEXT, Relationship, ResidentImport, clean_resident_text

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


def read_rows(job: ResidentImport) -> Iterator[tuple[int, dict]]:
    """(row number, {field: text}) for each non-empty row under the header."""
    with job.sheet.open("rb") as handle:
        rows = xlsx.rows(handle, max_rows=MAX_ROWS + 1)  # the header is row 1
        header = next(rows, None) or []
        fields = [COLUMNS.get(name.strip()) for name in header]
        missing = [name for name in ("姓名", "身份证号码") if COLUMNS[name] not in fields]
        if missing:
            raise xlsx.UnreadableSheet(
                f"表格第一行缺少列：{'、'.join(missing)}（身份证号码也可写作“身份证号”）。"
            )
        for number, row in enumerate(rows, start=2):
            values = {f: v for f, v in zip(fields, row, strict=False) if f}
            if any(values.values()):
                yield number, values


def check_row(values: dict) -> tuple[dict, list[str]]:
    """The row's clean values and its problems, in Chinese."""
    problems, clean = [], {}
    for field in REQUIRED:
        if not values.get(field):
            problems.append("缺少" + ("姓名" if field == "name" else "身份证号码"))
    for field in RESIDENT_TEXT:
        try:
            clean[field] = clean_resident_text(field, values.get(field, ""))
        except ValidationError as error:
            problems.extend(error.messages)
    clean["ethnicity"] = clean.get("ethnicity") or "汉族"
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
    if number and not (number.isascii() and number.isdigit()):
        problems.append("户号应为数字")
    clean["household_number"] = number
    if clean["relationship_to_head"] and not number:
        problems.append("填写了与户主关系，但没有户号")
    return clean, problems
