"""List and search pages cost a constant number of queries, whatever the number of rows:
no N+1 can creep in (issue 9)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from registry.models import Resident
from tests.conftest import make_case, make_filing, make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(station_a, alice, household_a):
    def make(count: int) -> None:
        start = Resident.objects.count()
        for index in range(start, start + count):
            resident = Resident.objects.create(
                station=station_a,
                household=household_a,
                name=f"王芳{index}",
                id_number=make_id(f"14083019800101{index:03d}"[:17].ljust(17, "1")),
                phone="13800000000",
            )
            make_case(resident, alice)
            make_filing(resident, alice, status="pending" if index % 2 else "approved")

    return make


PAGES = [
    ("registry:resident_list", "alice"),
    ("filing:list", "alice"),
    ("reimbursement:list", "alice"),
    ("home", "alice"),
    ("home", "carol"),
    ("filing:review_queue", "carol"),
    ("oversight:audit_log", "dave"),
]


@pytest.mark.parametrize(("name", "who"), PAGES)
def test_a_page_costs_the_same_queries_for_3_rows_as_for_20(
    name, who, request, many, django_assert_max_num_queries, alice, carol, dave
):
    from tests.conftest import client_for

    client = client_for(request.getfixturevalue(who))
    many(3)
    client.get(reverse(name))  # sessions and the like settle
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Pages kept until the next change are counted as built, not as read from the cache.
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    many(17)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200
