"""The home page's lists read in one round trip, their SQL compiled once per key (core/rows.py):
what a key leaves out would show one station's residents at another, or yesterday's counts
today. Each station's own lists, each day's own counts, one query on PostgreSQL."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import rows
from registry.models import Enrollment
from reimbursement.models import CaseStatus
from tests.conftest import make_case

pytestmark = pytest.mark.django_db


def home(client) -> str:
    return client.get(reverse("home")).content.decode()


def test_each_station_sees_its_own_lists_from_the_same_compiled_sql(
    as_alice, as_bob, alice, bob, resident_a, resident_b
):
    make_case(resident_a, alice, status=CaseStatus.INCOMPLETE)
    make_case(resident_b, bob, status=CaseStatus.INCOMPLETE)
    mine, theirs = home(as_alice), home(as_bob)  # the second compiled beside the first
    assert resident_a.name in mine and resident_b.name not in mine
    assert resident_b.name in theirs and resident_a.name not in theirs
    assert resident_a.name in home(as_alice)  # and again, from what was compiled


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
    assert enrolled_today() == "0"  # the next day's SQL, not the first day's


def test_the_lists_come_in_one_round_trip_on_postgresql(as_alice, alice, resident_a):
    from audit.page_cache import renew_marks

    make_case(resident_a, alice, status=CaseStatus.INCOMPLETE)
    home(as_alice)  # compiled
    renew_marks([f"station:{alice.station_id}"])  # rebuilt, not read from the cache
    with CaptureQueriesContext(connection) as queries:
        assert resident_a.name in home(as_alice)
    # The station's day, the waiting cases and the letters to sign, in one statement or not.
    tables = ("registry_stationtally", "reimbursement_reimbursementcase", "filing_commitmentletter")
    together = [q for q in queries if all(table in q["sql"] for table in tables)]
    assert len(together) == (1 if connection.vendor == "postgresql" else 0)


def test_rows_are_what_values_gives(alice, resident_a):
    from reimbursement.models import ReimbursementCase

    make_case(resident_a, alice, status=CaseStatus.INCOMPLETE)
    build = lambda: ReimbursementCase.objects.values(  # noqa: E731
        "pk", "resident__name", "received", "created_at", "total_cost"
    )
    fetched = rows.fetch({"cases": (("test:cases",), build)}, using="default")["cases"]
    assert fetched == list(build())
