"""Every full ID or phone number shown is accounted for.

Each role opens every page it may (every list, detail, printable and export of the portal,
walked from the URL configuration) on a station whose records carry ID and phone numbers of
residents, agents and contacts. No page, file or log line contains one of those numbers in
full, except on the paths meant to, each of which writes an audit entry:

- the PDF of a printable, printed by a caseworker or supervisor for a resident to sign
  (an auditor's PDF is masked);
- the resident page's reveal, with a reason;
- the resident export with full numbers, with a reason;
- the download of a scan (the scan is the resident's own paper).
"""

from __future__ import annotations

import datetime
import io
import logging
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Action, AuditEntry
from registry.models import Resident
from tests.conftest import client_for, make_case, make_filing
from tests.pages import OBJECT_PAGES, PAGES, POST_ONLY, url_args
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db

AUDITED_DOWNLOADS = {"filing:evidence_file"}  # a scan, recorded as 下载扫描件
STATION_B_RECORDS = (
    "resident_b",
    "household_b",
    "filing_b",
    "enrollment_b",
    "change_b",
    "case_b",
    "import_b",
)


@pytest.fixture
def station_b_records(
    resident_b, household_b, bob, filing_b, enrollment_b, change_b, case_b, import_b
) -> list[str]:
    """Station B's records with every kind of personal number, and those numbers."""
    agent_filing = make_filing(
        resident_b,
        bob,
        care_region_code="110000",
        agent_name="王小军",
        agent_id_number="14083019950505001X",
        agent_phone="13600001234",
        agent_relationship="child",
        contact_phone="13500005678",
    )
    make_case(resident_b, bob, total_cost=Decimal("45000.00"), hospital="北京协和医院")
    resident_b.phone = "13935909999"  # a change of phone, so the trail holds old and new
    resident_b.save()
    import_b.errors = [[2, "身份证号码 140830********002X 已登记"]]
    import_b.save()
    return [
        resident_b.id_number,
        "13935905678",
        "13935909999",
        agent_filing.agent_id_number,
        agent_filing.agent_phone,
        agent_filing.contact_phone,
        filing_b.contact_phone,
        "13900002222",  # the change's new phone
        *Resident.objects.values_list("id_number", flat=True),
    ]


def text_of(response) -> str:
    if response.streaming:  # a downloaded scan: its bytes, read once
        if not hasattr(response, "read_text"):
            response.read_text = b"".join(response.streaming_content).decode(errors="ignore")
        return response.read_text
    content_type = response.get("Content-Type", "")
    if content_type == "application/pdf":
        return pdf_text(response.content)
    if "spreadsheetml" in content_type:
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    return response.content.decode(errors="ignore")


def walk(user, records) -> list[tuple[str, object]]:
    """(what was opened, response) for every GET page this user may open: the pages without a
    record, station B's records, and each printable's PDF."""
    client = client_for(user)
    opened = []
    for name, roles in PAGES.items():
        if user.role in roles:
            opened.append((name, client.get(reverse(name))))
    for name, (fixture, _) in OBJECT_PAGES.items():
        if name in POST_ONLY or fixture not in records:
            continue
        response = client.get(reverse(name, args=url_args(name, records[fixture])))
        if response.status_code == 404:
            continue  # not this role's page (tests/test_access.py)
        printed_at_once = name not in AUDITED_DOWNLOADS  # 打印全部: the PDF, no preview
        if printed_at_once and response.get("Content-Type") == "application/pdf":
            opened.append((f"{name} PDF", response))
            continue
        opened.append((name, response))
        if response.status_code == 200 and 'href="?format=pdf"' in text_of(response):
            url = reverse(name, args=url_args(name, records[fixture]))
            opened.append((f"{name} PDF", client.get(url, {"format": "pdf"})))
    if user.role in PAGES["registry:resident_list"]:
        search = reverse("registry:resident_list")
        opened.append(("search", client.post(search, {"q": records["resident_b"].id_number})))
        opened.append(("search again", client.get(search)))
    return opened


@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "erin"])
def test_no_full_number_leaves_outside_an_audited_path(persona, request, station_b_records, caplog):
    caplog.set_level(logging.DEBUG)
    user = request.getfixturevalue(persona)
    records = {name: request.getfixturevalue(name) for name in STATION_B_RECORDS}
    prints_before = AuditEntry.objects.filter(action=Action.PRINT, user=user).count()
    pdfs = 0
    for name, response in walk(user, records):
        assert response.status_code in (200, 302), name
        text = text_of(response)
        full_allowed = name in AUDITED_DOWNLOADS or (
            name.endswith(" PDF") and persona in ("bob", "carol")
        )
        pdfs += name.endswith(" PDF") and full_allowed
        if full_allowed:
            continue
        for number in station_b_records:
            assert number not in text, (name, number)
    for number in station_b_records:
        assert number not in caplog.text
    # Each full-number print is in the trail, with who printed what of whom.
    prints = AuditEntry.objects.filter(action=Action.PRINT, user=user)
    assert prints.count() - prints_before == pdfs
    if persona in ("bob", "carol"):
        assert pdfs >= 5  # 承诺书, 备案表, 变更登记表, 一次性告知单, 大额补偿承诺书 (and 登记表)


def test_a_printed_form_carries_the_full_numbers_and_says_so_in_the_trail(as_bob, bob, resident_b):
    url = reverse("registry:registration_form", args=[resident_b.pk])
    preview = as_bob.get(url).content.decode()
    assert resident_b.masked_id_number in preview and resident_b.id_number not in preview
    pdf = pdf_text(as_bob.get(url, {"format": "pdf"}).content)
    assert resident_b.id_number in pdf and resident_b.phone in pdf
    entry = AuditEntry.objects.get(action=Action.PRINT)
    assert entry.user == bob and entry.record_id == str(resident_b.pk)
    assert entry.detail == "打印《参保登记表-王芳》，含完整身份证号码和电话"


def test_an_auditor_prints_masked_and_writes_no_print_entry(as_dave, resident_b, case_b):
    url = reverse("reimbursement:missing_notice", args=[case_b.pk])
    pdf = pdf_text(as_dave.get(url, {"format": "pdf"}).content)
    assert resident_b.masked_id_number in pdf and resident_b.id_number not in pdf
    assert not AuditEntry.objects.filter(action=Action.PRINT).exists()


def test_the_edit_form_shows_numbers_masked_and_keeps_them_when_untouched(
    as_bob, resident_b, registering_b
):
    url = reverse("registry:resident_edit", args=[resident_b.pk])
    page = as_bob.get(url).content.decode()
    assert resident_b.id_number not in page and resident_b.phone not in page
    assert 'value="139****5678"' in page
    form = {
        "name": "王芳",
        "ethnicity": "汉族",
        "phone": "139****5678",
        "address": "芮城县风陵渡镇西王村5号",
        "insurance_type": "resident",
        "household_number": resident_b.household.household_number,
        "relationship_to_head": "head",
        "version": str(resident_b.version),
    }
    assert as_bob.post(url, form).status_code == 302
    resident_b.refresh_from_db()
    assert resident_b.phone == "13935905678" and resident_b.address == "芮城县风陵渡镇西王村5号"
    as_bob.post(url, {**form, "phone": "13700001111", "version": str(resident_b.version)})
    resident_b.refresh_from_db()
    assert resident_b.phone == "13700001111"


def test_the_filing_form_offers_the_residents_phone_masked(as_bob, resident_b):
    page = as_bob.get(reverse("filing:create", args=[resident_b.pk])).content.decode()
    assert resident_b.phone not in page and 'value="139****5678"' in page


def test_the_case_form_from_a_residents_page_shows_the_number_masked_with_the_name(
    as_bob, resident_b
):
    page = as_bob.get(reverse("reimbursement:create"), {"resident": resident_b.pk})
    text = page.content.decode()
    assert resident_b.id_number not in text and resident_b.masked_id_number in text
    assert "参保人：王芳" in text
    data = {
        "id_number": "",
        "kind": "inpatient",
        "hospital": "山西医科大学第一医院",
        "admission_date": "2026-10-08",
        "discharge_date": "2026-10-20",
        "total_cost": "100",
    }
    url = f"{reverse('reimbursement:create')}?resident={resident_b.pk}"
    assert as_bob.post(url, data).status_code == 302
    assert resident_b.reimbursement_cases.get().admission_date == datetime.date(2026, 10, 8)
