"""The follow-ups that reach somebody (issue #18, 4 and 5): the caseworker's home lists the
filings sent back, the letters still to sign and the changes still to sign; the supervisor's
lists the ID-number corrections and only the filings a review can decide."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Policy
from filing.models import Category, Evidence, FilingStatus
from registry.models import ChangeStatus, InfoChange
from tests.conftest import make_filing
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db


def home(client) -> str:
    return client.get(reverse("home")).content.decode()


@pytest.fixture
def manual_county(county):
    policy = Policy.for_county(county)  # kept per county: changed through it
    policy.automatic_review = False
    policy.save()
    return county


def test_a_filing_sent_back_is_on_the_caseworkers_list_until_filed_again(
    manual_county, as_alice, as_bob, as_carol, resident_a, alice
):
    filing = make_filing(resident_a, alice, status=FilingStatus.PENDING)
    as_carol.post(
        reverse("filing:review", args=[filing.pk]),
        {"decision": "reject", "common_reason": "请提供异地居住证"},
    )
    page = home(as_alice)
    assert "退回的备案" in page and f"{resident_a.name}</a>：请提供异地居住证" in page
    # 打印退回告知单 prints at once (one load), as the other print buttons do.
    assert reverse("filing:rejection_notice", args=[filing.pk]) + "?format=pdf" in page
    detail = as_alice.get(filing.get_absolute_url()).content.decode()
    assert reverse("filing:rejection_notice", args=[filing.pk]) + "?format=pdf" in detail
    assert resident_a.name not in home(as_bob)  # another station's follow-up

    notice = as_alice.get(reverse("filing:rejection_notice", args=[filing.pk]), {"format": "pdf"})
    text = pdf_text(notice.content).replace("\n", "")
    assert "异地就医备案退回告知单" in text and "请提供异地居住证" in text

    make_filing(resident_a, alice, care_region_code="110000")  # filed again
    from audit.page_cache import renew_marks

    renew_marks([f"station:{alice.station_id}"])  # the counter's path marks it; here by hand
    assert "请提供异地居住证" not in home(as_alice)


def test_a_notice_only_for_a_filing_sent_back(as_alice, resident_a, alice):
    filing = make_filing(resident_a, alice)
    assert as_alice.get(reverse("filing:rejection_notice", args=[filing.pk])).status_code == 404


def test_an_unsigned_letter_is_the_caseworkers_to_finish_not_the_supervisors(
    manual_county, as_alice, as_carol, resident_a, alice
):
    filing = make_filing(
        resident_a,
        alice,
        status=FilingStatus.PENDING,
        category=Category.LONG_TERM_RESIDENT,
        evidence=Evidence.COMMITMENT,
        end_date=None,
    )
    assert "待上传签字承诺书的备案" in home(as_alice)
    assert reverse("filing:detail", args=[filing.pk]) in home(as_alice)
    queue = as_carol.get(reverse("filing:review_queue")).content.decode()
    assert resident_a.name not in queue
    assert resident_a.name not in home(as_carol)
    detail = as_carol.get(filing.get_absolute_url()).content.decode()
    assert 'value="approve" type="submit"\n                      disabled' in detail
    assert "承诺书尚未签字，经办员上传签字的承诺书扫描件后才能审核通过" in detail

    scan = SimpleUploadedFile("承诺书.pdf", b"%PDF-1.4\n% signed\n", content_type="application/pdf")
    as_alice.post(reverse("filing:attach_letter", args=[filing.pk]), {"letter_scan": scan})
    assert reverse("filing:detail", args=[filing.pk]) not in home(as_alice)
    assert resident_a.name in as_carol.get(reverse("filing:review_queue")).content.decode()
    detail = as_carol.get(filing.get_absolute_url()).content.decode()
    assert "disabled" not in detail.split('value="approve"')[1].split(">")[0]


def test_changes_to_sign_and_corrections_to_approve_are_listed(
    as_alice, as_carol, resident_a, alice
):
    draft = InfoChange.objects.create(
        station=alice.station, resident=resident_a, created_by=alice, reason="更换手机号码"
    )
    correction = InfoChange.objects.create(
        station=alice.station,
        resident=resident_a,
        created_by=alice,
        reason="身份证号码登记错误",
        status=ChangeStatus.AWAITING_APPROVAL,
        items=[{"field": "id_number", "old": "x", "new": "y"}],
    )
    page = home(as_alice)
    assert "待签字的信息变更" in page and draft.get_absolute_url() in page
    assert correction.get_absolute_url() not in page
    page = home(as_carol)
    assert "待审核的身份证号码更正" in page and correction.get_absolute_url() in page
    assert "身份证号码登记错误" in page


def test_the_call_back_number_is_shown_to_the_station_and_each_view_is_audited(
    as_alice, as_bob, as_carol, resident_a, alice
):
    from audit.models import Action, AuditEntry

    filing = make_filing(
        resident_a,
        alice,
        status=FilingStatus.REJECTED,
        rejection_reason="请提供异地居住证",
        agent_name="薛小军",
        agent_phone="13900001111",
    )
    page = home(as_alice)
    assert "查看电话" in page and 'form="call-back"' in page
    assert filing.contact_phone not in page  # masked until asked for
    url = reverse("filing:call_back", args=[filing.pk])
    shown = as_alice.post(url).content.decode()
    assert filing.contact_phone in shown and "13900001111" in shown
    assert "请提供异地居住证" in shown and "?format=pdf" in shown
    entries = AuditEntry.objects.filter(action=Action.REVEAL, record_id=str(filing.pk))
    assert entries.count() == 2  # one per number shown
    assert {e.user_id for e in entries} == {alice.pk}
    # Another station, a supervisor, a GET, a filing not returned: no number.
    assert as_bob.post(url).status_code == 404
    assert as_carol.post(url).status_code == 404  # a caseworker's errand
    assert as_alice.get(url).status_code == 405
    approved = make_filing(resident_a, alice, care_region_code="110000")
    assert as_alice.post(reverse("filing:call_back", args=[approved.pk])).status_code == 404
    assert entries.count() == 2
