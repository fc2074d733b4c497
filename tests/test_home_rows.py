"""The home page's lists, each read as values of the user's reach: each station's own lists,
each day's own counts, and a number of queries that does not grow with the lists."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registry.models import Enrollment
from reimbursement.models import CaseStatus
from tests.conftest import make_case

pytestmark = pytest.mark.django_db


def home(client) -> str:
    return client.get(reverse("home")).content.decode()


def test_each_station_sees_its_own_lists(as_alice, as_bob, alice, bob, resident_a, resident_b):
    make_case(resident_a, alice, status=CaseStatus.INCOMPLETE)
    make_case(resident_b, bob, status=CaseStatus.INCOMPLETE)
    mine, theirs = home(as_alice), home(as_bob)
    assert resident_a.name in mine and resident_b.name not in mine
    assert resident_b.name in theirs and resident_a.name not in theirs


def test_todays_counts_are_the_days_own(as_alice, alice, resident_a, monkeypatch):
    from audit.page_cache import renew_marks

    Enrollment.objects.create(station=alice.station, resident=resident_a, created_by=alice)
    today = timezone.localdate()

    def enrolled_today() -> str:
        renew_marks([f"station:{alice.station_id}"])  # rebuilt, not read from the cache
        page = home(as_alice)
        head, body = re.search(r"<thead>(.*?)</thead>\s*<tbody>(.*?)</tbody>", page, re.S).groups()
        columns = re.findall(r"<th[^>]*>(.*?)</th>", head)
        return re.findall(r"<td>(.*?)</td>", body)[columns.index("参保登记")]

    assert enrolled_today() == "1"
    monkeypatch.setattr(timezone, "localdate", lambda: today + datetime.timedelta(days=1))
    assert enrolled_today() == "0"  # the next day's counts, not the first day's


@pytest.mark.parametrize("cases", [1, 12])
def test_the_home_page_reads_a_fixed_number_of_queries(as_alice, alice, resident_a, cases):
    from audit.page_cache import renew_marks

    for _ in range(cases):
        make_case(resident_a, alice, status=CaseStatus.INCOMPLETE)
    renew_marks([f"station:{alice.station_id}"])  # rebuilt, not read from the cache
    with CaptureQueriesContext(connection) as queries:
        assert resident_a.name in home(as_alice)
    counted = len(queries)
    assert counted <= 16, [q["sql"][:80] for q in queries]
    if cases > 1:  # as many with 12 waiting cases as with one
        renew_marks([f"station:{alice.station_id}"])
        with CaptureQueriesContext(connection) as again:
            home(as_alice)
        assert len(again) == counted
