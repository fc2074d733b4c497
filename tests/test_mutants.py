"""Rules that a changed line once left every test green (issue 28, item 11): each is now held
by a test that fails when the rule is changed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from filing.models import Filing, FilingStatus
from reimbursement.models import CaseStatus
from tests.conftest import make_case, make_filing

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_search_by_a_first_generation_15_digit_id_number_is_kept_nowhere(as_alice):
    """A 15-digit number (the first-generation ID card) is a personal number as the 18-digit
    one is: searched at once, never kept in the session for paging."""
    response = as_alice.post(reverse("registry:resident_list"), {"q": "140830580312009"})
    assert response.status_code == 200  # answered in the POST itself
    assert "search:residents" not in as_alice.session
    page = as_alice.get(reverse("registry:resident_list")).content.decode()
    assert "140830580312009" not in page


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (D(2027, 5, 20), D(2027, 6, 30), True),  # its last day shared
        (D(2027, 5, 21), D(2027, 6, 30), True),  # the day it ends
        (D(2027, 5, 22), D(2027, 6, 30), False),  # the day after
        (D(2026, 10, 1), D(2026, 11, 21), False),  # ends the day before it starts
        (D(2026, 10, 1), D(2026, 11, 22), True),  # ends the day it starts
        (D(2026, 10, 1), None, True),  # no end: 长期
    ],
)
def test_the_overlap_rule_at_its_shared_boundary_day_in_the_queryset_itself(
    resident_a, alice, start, end, overlaps
):
    """The queryset, not the database's trigger (which refuses the same with the same
    message and so hid a change of the rule): 2026-11-22 to 2027-05-21."""
    make_filing(resident_a, alice)
    found = Filing.objects.effective().filter(resident=resident_a).overlapping(start, end)
    assert found.exists() is overlaps


def test_a_voided_case_stays_voided_whatever_its_documents(resident_a, alice):
    case = make_case(resident_a, alice)
    case.status = CaseStatus.VOIDED
    case.received = [item.document for item in case.checklist()]  # every document there
    case.refresh_status()
    assert case.status == CaseStatus.VOIDED
    case.status = CaseStatus.FORWARDED
    case.received = []
    case.refresh_status()
    assert case.status == CaseStatus.FORWARDED


def test_a_closed_filing_is_not_effective(resident_a, alice):
    make_filing(resident_a, alice, status=FilingStatus.CANCELLED)
    assert not Filing.objects.effective().exists()


@pytest.mark.parametrize("page", ["filing:create", "filing:detail", "reimbursement:detail"])
def test_a_page_reads_its_countys_policy_once_and_writes_none(as_alice, resident_a, alice, page):
    """Issue 28, item 6 (issue 31, item 6): Policy.for_county was a get_or_create, called up
    to three times a page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if page == "filing:create":
        url = reverse(page, args=[resident_a.pk])
    elif page == "filing:detail":
        url = reverse(page, args=[make_filing(resident_a, alice).pk])
    else:
        url = reverse(page, args=[make_case(resident_a, alice).pk])
    with CaptureQueriesContext(connection) as queries:
        assert as_alice.get(url).status_code == 200
    policy = [q["sql"] for q in queries if '"accounts_policy"' in q["sql"]]
    assert len(policy) == 1, policy
    assert not any(sql.lstrip().upper().startswith("INSERT") for sql in policy)
