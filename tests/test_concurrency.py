"""Two counters at once: the rules that need the database hold under concurrency."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction

from filing import services
from filing.models import Filing
from tests.conftest import make_filing

pytestmark = pytest.mark.django_db(transaction=True)


def values(start: datetime.date) -> dict:
    return {
        "insured_region_code": "140800",
        "care_region_code": "310000",
        "insurance_type": "resident",
        "category": "other_temporary",
        "start_date": start,
        "end_date": None,  # the category's 6 months
        "contact_name": "薛建国",
        "contact_phone": "13835901234",
        "contact_address": "上海",
        "evidence": "none",
        "notice_read": True,
    }


def test_two_counters_filing_the_same_resident_at_once_make_one_filing(resident_a, alice):
    start = datetime.date.today()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def file_once() -> None:
        try:
            barrier.wait(timeout=10)  # both threads start their transaction together
            with transaction.atomic():
                services.submit_filing(
                    resident=resident_a,
                    user=alice,
                    values=values(start),
                    sighted=[],
                    scan=None,
                    scan_kind="",
                    signature="",
                    letter_scan=None,
                )
            outcomes.append("filed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    # On both databases the two submissions truly overlap (SQLite in WAL mode: the second
    # writer waits for the first, config/settings.py).
    threads = [threading.Thread(target=file_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["filed", "refused"]
    assert Filing.objects.count() == 1


def test_the_database_itself_refuses_overlapping_effective_filings(resident_a, alice):
    """PostgreSQL's exclusion constraint, SQLite's triggers: the guarantee behind the
    service's check, whichever database the portal runs on."""
    make_filing(resident_a, alice)
    overlapping = {"start_date": datetime.date(2027, 1, 1), "end_date": datetime.date(2027, 3, 1)}
    refused = pytest.raises(IntegrityError, match="filing_no_overlapping_effective")
    with refused, transaction.atomic():
        make_filing(resident_a, alice, **overlapping)
    make_filing(resident_a, alice, status="cancelled", **overlapping)  # closed ones may
    make_filing(resident_a, alice, care_region_code="110000", **overlapping)
    the_day_after = {"start_date": datetime.date(2027, 5, 22), "end_date": None}
    make_filing(resident_a, alice, **the_day_after)  # the first ends 2027-05-21
    assert Filing.objects.count() == 4
