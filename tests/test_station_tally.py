"""The station's resident count on the caseworker's home page comes from a row the database
keeps (registry.models.ResidentTally, triggers of migration registry 0010), not from counting
the station's residents: it must follow every way residents come and go. The filing list's
count likewise (filing.models.FilingTally, core/tallies.py), and the case list's
(reimbursement.models.CaseTally)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import Resident, ResidentTally
from tests.conftest import make_id
from tests.test_import import GOOD, upload


def tally(station) -> int:
    row = ResidentTally.objects.filter(station=station).first()
    return row.residents if row else 0


def shown(client) -> int:
    """The 登记参保人总数 cell of the home page's table."""
    page = client.get("/").content.decode()
    head, body = re.search(r"<thead>(.*?)</thead>\s*<tbody>(.*?)</tbody>", page, re.S).groups()
    columns = re.findall(r"<th[^>]*>(.*?)</th>", head)
    cells = re.findall(r"<td>(.*?)</td>", body)
    return int(cells[columns.index("登记参保人总数")])


def counts_of(table: str, queries) -> list[str]:
    """The statements among `queries` that count the rows of `table`."""
    counting = re.compile(rf'COUNT\(\*\)(?: AS "\w+")? FROM "{table}"')
    return [q["sql"] for q in queries if counting.search(q["sql"])]


def resident(station, n: int) -> Resident:
    return Resident.objects.create(
        station=station, name=f"测试{n}", id_number=make_id(f"14083019700101{n:03d}")
    )


@pytest.mark.django_db
def test_the_count_follows_residents_saved_one_by_one_in_bulk_moved_and_deleted(
    as_alice, station_a, station_b
):
    assert shown(as_alice) == 0
    first, second = resident(station_a, 1), resident(station_a, 2)
    Resident.objects.bulk_create(
        [
            Resident(
                station=station_a, name=f"批量{n}", id_number=make_id(f"14083019800101{n:03d}")
            )
            for n in range(5)
        ]
    )
    assert tally(station_a) == 7 and shown(as_alice) == 7

    first.phone = "13900001111"
    first.save()  # an update that moves no one
    assert tally(station_a) == 7

    second.station = station_b
    second.save()
    assert (tally(station_a), tally(station_b)) == (6, 1)
    Resident.objects.filter(name__startswith="批量").update(station=station_b)
    assert (tally(station_a), tally(station_b)) == (1, 6)
    assert shown(as_alice) == 1

    Resident.objects.filter(station=station_b).delete()
    assert (tally(station_a), tally(station_b)) == (1, 0)
    first.delete()
    assert tally(station_a) == 0 and shown(as_alice) == 0


@pytest.mark.django_db
def test_an_imported_sheet_is_counted(as_alice, alice):
    _, job = upload(as_alice, GOOD)  # the rows go in by COPY on PostgreSQL
    assert job.imported == 3
    assert tally(alice.station) == Resident.objects.filter(station=alice.station).count() == 3
    assert shown(as_alice) == 3


@pytest.mark.django_db
def test_the_home_page_does_not_count_the_residents(as_alice, station_a):
    resident(station_a, 1)
    with CaptureQueriesContext(connection) as queries:
        assert shown(as_alice) == 1
    assert not counts_of("registry_resident", queries)


@pytest.mark.django_db
def test_the_resident_list_counts_its_pages_from_the_tallies(
    as_alice, as_carol, station_a, station_b
):
    Resident.objects.bulk_create(
        [
            Resident(
                station=station_a if n < 30 else station_b,
                name=f"居民{n}",
                id_number=make_id(f"14083019900101{n:03d}"),
            )
            for n in range(32)
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        page = as_alice.get(reverse("registry:resident_list")).content.decode()
    assert "共 30 条" in page
    assert not counts_of("registry_resident", queries)
    # The supervisor's list is the county's: both stations.
    assert "共 32 条" in as_carol.get(reverse("registry:resident_list")).content.decode()
    # A search counts what it found.
    found = as_alice.post(reverse("registry:resident_list"), {"q": "居民1"}, follow=True)
    assert "共 11 人" in found.content.decode()  # 居民1, 居民10 … 居民19


@pytest.mark.django_db
def test_the_filing_list_counts_its_pages_from_the_tallies(
    as_alice, as_carol, alice, resident_a, resident_b, bob
):
    from filing.models import Filing, FilingStatus, FilingTally
    from tests.conftest import make_filing

    for _ in range(27):  # closed ones: a resident's filings in force may not overlap
        make_filing(resident_a, alice, status=FilingStatus.CANCELLED)
    make_filing(resident_b, bob)
    assert FilingTally.objects.get(station=alice.station).filings == 27
    with CaptureQueriesContext(connection) as queries:
        page = as_alice.get(reverse("filing:list")).content.decode()
    assert "共 27 条" in page
    assert not counts_of("filing_filing", queries)
    assert "共 28 条" in as_carol.get(reverse("filing:list")).content.decode()  # the county's
    # A status filter counts what it shows.
    assert (
        "共 27 条" in as_alice.get(reverse("filing:list"), {"status": "cancelled"}).content.decode()
    )
    two = Filing.objects.filter(station=alice.station).values_list("pk", flat=True)[:2]
    Filing.objects.filter(pk__in=list(two)).delete()
    assert FilingTally.objects.get(station=alice.station).filings == 25
    Filing.objects.filter(pk=Filing.objects.filter(station=alice.station).first().pk).update(
        station=bob.station
    )
    assert [FilingTally.objects.get(station=s).filings for s in (alice.station, bob.station)] == [
        24,
        2,
    ]


@pytest.mark.django_db
def test_the_case_list_counts_its_pages_from_the_tallies(
    settings, as_alice, as_carol, alice, resident_a, resident_b, bob
):
    from reimbursement.models import CaseStatus, CaseTally, ReimbursementCase
    from tests.conftest import make_case

    settings.PAGE_SIZE = 2
    for _ in range(5):
        make_case(resident_a, alice)
    make_case(resident_b, bob, status=CaseStatus.FORWARDED)
    assert CaseTally.objects.get(station=alice.station).cases == 5
    with CaptureQueriesContext(connection) as queries:
        page = as_alice.get(reverse("reimbursement:list")).content.decode()
    assert "共 5 条" in page
    assert not counts_of("reimbursement_reimbursementcase", queries)
    assert "共 6 条" in as_carol.get(reverse("reimbursement:list")).content.decode()  # the county's
    # A status filter counts what it shows.
    with CaptureQueriesContext(connection) as queries:
        listed = as_carol.get(reverse("reimbursement:list"), {"status": "incomplete"})
    assert "共 5 条" in listed.content.decode()
    # Counted without the residents' rows the list joins for their names (3 × slower at 1 M).
    (count,) = counts_of("reimbursement_reimbursementcase", queries)
    assert "registry_resident" not in count
    ReimbursementCase.objects.filter(
        pk=ReimbursementCase.objects.filter(station=alice.station).first().pk
    ).update(station=bob.station)
    ReimbursementCase.objects.filter(station=bob.station, status=CaseStatus.FORWARDED).delete()
    assert [CaseTally.objects.get(station=s).cases for s in (alice.station, bob.station)] == [4, 1]
