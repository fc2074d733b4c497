"""Importing residents from a station's Excel sheet, and exporting lists to Excel."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import Action, AuditEntry
from audit.verification import verify
from registry.models import Household, ImportStatus, Resident, ResidentImport
from tests.conftest import ZHANG_JUAN_ID, make_id, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["姓名", "身份证号", "民族", "联系电话", "现住址", "户号", "与户主关系"]
GOOD = [
    ["张娟", ZHANG_JUAN_ID, "汉族", "18252602688", "古魏镇西关村8号", "140830300001", "户主"],
    ["王芳", make_id("14083019700101002"), "回族", "", "古魏镇西关村8号", "140830300001", "配偶"],
    ["李𠈌", make_id("14083020100101001"), "", "13900001111", "", "", ""],
]


def sheet(rows, header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("西关村.xlsx", buffer.getvalue())


def upload(client, rows, **extra):
    response = client.post(reverse("registry:import_create"), {"sheet": sheet(rows), **extra})
    return response, latest_job()


def latest_job() -> ResidentImport:
    """The newest import, once the worker has run the queued tasks."""
    run_tasks()
    return ResidentImport.objects.latest("pk")


def test_a_valid_sheet_is_imported_with_households_and_history(as_alice, alice):
    response, job = upload(as_alice, GOOD)
    assert response["Location"] == job.get_absolute_url()
    assert job.status == ImportStatus.DONE and job.imported == 3
    household = Household.objects.get(household_number="140830300001")
    assert household.head.name == "张娟" and household.members.count() == 2
    assert Resident.objects.get(name="李𠈌").station == alice.station
    created = AuditEntry.objects.filter(action=Action.CREATE, record_type="registry.resident")
    assert created.count() == 3 and all(e.user == alice for e in created)
    assert verify().ok
    assert "已导入 3 名参保人" in as_alice.get(job.get_absolute_url()).content.decode()


def test_any_bad_row_stops_the_import_with_a_report_by_row(as_alice, resident_a):
    rows = [*GOOD, ["", "123", "", "abc", "", "x1", "外甥"], ["薛建国", resident_a.id_number]]
    _, job = upload(as_alice, rows)
    assert job.status == ImportStatus.REFUSED
    assert Resident.objects.count() == 1  # only the fixture's
    report = as_alice.get(job.get_absolute_url()).content.decode()
    assert "第 5 行" in report and "缺少姓名" in report and "身份证号码应为 18 位" in report
    assert "与户主关系“外甥”无法识别" in report and "户号应为数字" in report
    assert re.search(
        rf"第 6 行\s*</td>\s*<td>身份证号码 {re.escape(resident_a.masked_id_number)} 已登记", report
    )
    assert resident_a.id_number not in report

    # The caseworker chooses to import the valid rows.
    as_alice.post(reverse("registry:import_valid_rows", args=[job.pk]))
    again = latest_job()
    assert again.status == ImportStatus.DONE and again.imported == 3
    assert Resident.objects.count() == 4


def test_duplicates_within_the_sheet_are_reported(as_alice):
    _, job = upload(as_alice, [GOOD[0], GOOD[0]])
    assert job.errors == [[3, "身份证号码与第 2 行重复"]]


def test_a_sheet_without_the_needed_columns_is_refused(as_alice):
    response = as_alice.post(
        reverse("registry:import_create"), {"sheet": sheet([["张娟"]], header=["姓名"])}
    )
    job = latest_job()
    assert response.status_code == 302
    assert job.status == ImportStatus.REFUSED and "缺少列：身份证号码" in job.errors[0][1]


def test_numbers_typed_as_numbers_read_as_the_caseworker_sees_them(as_alice):
    row = ["张娟", ZHANG_JUAN_ID, "汉族", 18252602688, "古魏镇西关村8号", 140830300001, "户主"]
    _, job = upload(as_alice, [row])
    assert job.status == ImportStatus.DONE
    resident = Resident.objects.get(id_number=ZHANG_JUAN_ID)
    assert resident.phone == "18252602688"
    assert resident.household.household_number == "140830300001"


def test_an_id_number_stored_as_a_number_is_refused_not_rounded(as_alice):
    # A number cell keeps about 15 significant digits: an 18-digit ID loses its last ones.
    row = ["张娟", int(ZHANG_JUAN_ID[:17] + "0"), "汉族", "", "", "", ""]
    _, job = upload(as_alice, [row])
    assert job.status == ImportStatus.REFUSED and not Resident.objects.exists()
    assert job.errors == [[2, "身份证号码被存成了数字，后几位已丢失；请把该列设为“文本”后重新填写"]]


def test_a_zip_that_is_not_a_workbook_is_refused_with_a_message(as_alice):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "不是表格")
    fake = SimpleUploadedFile("名单.xlsx", buffer.getvalue())
    as_alice.post(reverse("registry:import_create"), {"sheet": fake})
    job = latest_job()
    assert job.status == ImportStatus.REFUSED
    assert job.errors == [[1, "无法读取该文件，请上传 Excel（.xlsx）格式的表格。"]]


def test_a_file_that_is_not_xlsx_is_refused_at_once(as_alice):
    fake = SimpleUploadedFile("名单.xlsx", b"MZ\x90\x00not a zip")
    page = as_alice.post(reverse("registry:import_create"), {"sheet": fake}).content.decode()
    assert "只能导入 Excel（.xlsx）格式的表格" in page
    assert not ResidentImport.objects.exists()


def exported_rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_list_exports_to_excel_masked_and_the_export_is_audited(as_alice, alice, resident_a):
    rows = exported_rows(as_alice.get(reverse("registry:resident_export")))
    assert rows[0][:2] == ("姓名", "身份证号码") and rows[0][5] == "联系电话"
    assert rows[1][:2] == ("薛建国", "140830********0037") and rows[1][5] == "138****1234"
    entry = AuditEntry.objects.get(action=Action.EXPORT, user=alice)
    assert entry.detail == "导出参保人 1 人（号码已脱敏）"


def test_full_numbers_are_exported_only_with_a_reason_which_is_audited(
    as_alice, alice, resident_a, resident_b
):
    url = reverse("registry:resident_export")
    response = as_alice.post(url, {"reason": ""})
    assert response.status_code == 302 and not AuditEntry.objects.filter(action=Action.EXPORT)
    rows = exported_rows(as_alice.post(url, {"reason": "与县医保中心核对参保名单"}))
    assert rows[1][:2] == ("薛建国", resident_a.id_number) and rows[1][5] == resident_a.phone
    assert len(rows) == 2  # station B's resident is not in station A's export
    entry = AuditEntry.objects.get(action=Action.EXPORT, user=alice)
    assert entry.detail == "导出参保人 1 人，含完整身份证号码和电话，原因：与县医保中心核对参保名单"


def test_an_auditor_exports_masked_numbers_only(as_dave, dave, resident_a, resident_b):
    url = reverse("registry:resident_export")
    assert as_dave.post(url, {"reason": "抽查"}).status_code == 302
    rows = exported_rows(as_dave.get(url))
    assert {row[1] for row in rows[1:]} == {
        resident_a.masked_id_number,
        resident_b.masked_id_number,
    }


def test_a_sheet_naming_another_stations_household_or_resident_is_refused_and_audited(
    as_alice, alice, resident_b, household_b
):
    """The reproduction of the breach: a new resident with another station's 户号 was joined
    to that household, and her 登记表 listed its members with full numbers."""
    rows = [
        ["张娟", ZHANG_JUAN_ID, "汉族", "", "", household_b.household_number, "配偶"],
        ["王芳", resident_b.id_number, "", "", "", "", ""],
    ]
    _, job = upload(as_alice, rows, valid_rows_only="1")
    assert job.status == ImportStatus.DONE and job.imported == 0
    assert not Resident.objects.filter(id_number=ZHANG_JUAN_ID).exists()
    assert list(household_b.members.all()) == [resident_b]
    report = as_alice.get(job.get_absolute_url()).content.decode()
    assert f"户号 {household_b.household_number} 已由其他医保站登记，不能导入本站" in report
    assert f"身份证号码 {resident_b.masked_id_number} 已在其他医保站登记" in report
    assert resident_b.id_number not in report and resident_b.phone not in report
    entry = AuditEntry.objects.get(action=Action.LOOKUP)
    assert entry.user == alice and "2 行的身份证号码或户号属于其他医保站" in entry.detail


def test_a_sheet_of_many_bad_rows_counts_them_all_and_lists_the_first_thousand(as_alice):
    rows = [["", str(n)] for n in range(2600)]  # no name, a wrong ID number
    _, job = upload(as_alice, rows)
    assert job.status == ImportStatus.REFUSED and job.error_count == 2600
    assert len(job.errors) == 1000 and job.errors[0][0] == 2 and job.errors[-1][0] == 1001
    page = as_alice.get(job.get_absolute_url()).content.decode()
    assert "表格中有 2600 行有错误" in page and "共 2600 行，下表列出前 1000 行" in page


def test_a_value_longer_than_its_column_is_refused_never_cut(as_alice, alice):
    """Issue 26: a 41-character name and a 150-character address were kept as their first 30
    and 100 characters; the counter's form refuses both, so the sheet's rows are refused too."""
    rows = [
        *GOOD,
        ["张" * 41, make_id("14083019700101011"), "", "", "", "", ""],
        ["王芳芳", make_id("14083019700101021"), "", "", "芮" * 150, "", ""],
        ["李", make_id("14083019700101031"), "", "", "", "", ""],
    ]
    _, job = upload(as_alice, rows)
    assert job.status == ImportStatus.REFUSED
    assert [5, "姓名超过 30 字。"] in job.errors and [6, "现住址超过 100 字。"] in job.errors
    assert [7, "姓名至少 2 个字。"] in job.errors
    assert not Resident.objects.exists()
    from registry.forms import ResidentForm

    form = ResidentForm(
        {
            "id_number": make_id("14083019700101011"),
            "name": "张" * 41,
            "insurance_type": "resident",
        },
        user=alice,
    )
    assert form.errors["name"] == ["姓名超过 30 字。"]
