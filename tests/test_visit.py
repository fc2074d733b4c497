"""A visit (issue 29, item 2): a resident comes with two or three errands; the resident's page
lists what this caseworker did for them today and 打印本次全部 gives one PDF of every form to
sign, in the order they are signed, with one audit entry naming each document."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from filing.models import FilingStatus
from registry.models import InfoChange
from tests.conftest import make_case, make_filing
from tests.pdfs import pdf_pages

pytestmark = pytest.mark.django_db

TITLES = (
    "基本医疗保险参保信息变更登记表",
    "跨省异地就医登记备案表",
    "一次性告知单",
    "大额补偿承诺书",
)


def three_errands(resident, user):
    """A phone changed, a filing made, a large inpatient case accepted: all today."""
    change = InfoChange.objects.create(
        station=user.station,
        resident=resident,
        created_by=user,
        reason="更换手机号码",
        items=[
            {
                "field": "phone",
                "label": "联系电话",
                "old": resident.phone,
                "new": "13900001111",
                "new_value": "13900001111",
            }
        ],
    )
    filing = make_filing(resident, user, start_date=timezone.localdate(), end_date=None)
    case = make_case(resident, user, total_cost=Decimal("32000.50"))
    return change, filing, case


def test_three_errands_print_as_one_pdf_in_signing_order(as_alice, resident_a, alice):
    three_errands(resident_a, alice)
    page = as_alice.get(resident_a.get_absolute_url()).content.decode()
    assert "本次办理（今天）" in page
    assert "信息变更：更换手机号码：参保信息变更登记表" in page
    assert "异地就医备案：上海市：跨省异地就医登记备案表" in page
    assert "县域外住院补偿：一次性告知单、大额补偿承诺书" in page
    url = reverse("visit_print", args=[resident_a.pk])
    assert url in page
    response = as_alice.get(url)
    assert response["Content-Type"] == "application/pdf"
    sheets = [sheet.extract_text() for sheet in pdf_pages(response.content)]
    # Each sheet's heading, in the order the resident signs them.
    assert [next(title for title in TITLES if title in text) for text in sheets] == [
        "基本医疗保险参保信息变更登记表",
        "跨省异地就医登记备案表",
        "一次性告知单",
        "大额补偿承诺书",
    ]
    [entry] = AuditEntry.objects.filter(action=Action.PRINT, record_id=str(resident_a.pk))
    for title in ("参保信息变更登记表", "跨省异地就医登记备案表", "一次性告知单", "大额补偿承诺书"):
        assert f"《{title}-{resident_a.name}》" in entry.detail


def test_only_this_caseworkers_errands_of_today_that_still_stand(
    as_alice, as_bob, as_carol, resident_a, alice, bob
):
    change, filing, case = three_errands(resident_a, alice)
    filing.status = FilingStatus.CANCELLED
    filing.save()
    case.status = "voided"
    case.save()
    InfoChange.objects.filter(pk=change.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    page = as_alice.get(resident_a.get_absolute_url()).content.decode()
    assert "本次办理（今天）" not in page  # yesterday's, cancelled and voided: nothing to sign
    response = as_alice.get(reverse("visit_print", args=[resident_a.pk]))
    assert response.status_code == 302 and response["Location"] == resident_a.get_absolute_url()
    # A supervisor has no visit; another station's caseworker cannot open this one.
    assert "本次办理" not in as_carol.get(resident_a.get_absolute_url()).content.decode()
    assert as_carol.get(reverse("visit_print", args=[resident_a.pk])).status_code == 404
    assert as_bob.get(reverse("visit_print", args=[resident_a.pk])).status_code == 404


def test_an_enrollment_opens_the_visit(as_alice, resident_a, registering_a):
    page = as_alice.get(resident_a.get_absolute_url()).content.decode()
    assert "参保登记：参保登记表" in page
    sheets = pdf_pages(as_alice.get(reverse("visit_print", args=[resident_a.pk])).content)
    assert "城乡居民基本医疗保险参保登记表" in sheets[0].extract_text()
