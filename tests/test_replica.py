"""Reads from a replica (core/replica.py): list and search pages on a GET go to it; writes,
other pages, cached page parts, and a user who just changed a record stay on the primary.
Here the "replica" alias is the test database through a connection of its own (so the reads
are counted per alias); scripts/cluster.sh proves the same on a real streaming replica."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def with_replica(settings):
    settings.READ_REPLICA = "replica"


def on(queries, table: str) -> int:
    return sum(table in query["sql"] for query in queries)


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("registry:resident_list", "alice"),
        ("filing:list", "alice"),
        ("filing:review_queue", "carol"),
        ("oversight:audit_log", "carol"),
    ],
)
def test_list_pages_read_from_the_replica(with_replica, request, resident_a, name, who):
    client = client_for(request.getfixturevalue(who))
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        assert client.get(reverse(name)).status_code == 200
    assert replica.captured_queries, name
    # Signing in and the session are the primary's; the list itself is not.
    assert on(primary.captured_queries, "registry_resident") == 0


def test_other_pages_and_writes_stay_on_the_primary(with_replica, alice, resident_a):
    client = client_for(alice)
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get(resident_a.get_absolute_url()).status_code == 200
        client.post(reverse("registry:resident_list"), {"q": resident_a.name})
        assert client.get(reverse("home")).status_code == 200  # a cached part: the primary's
        assert client.get(reverse("reimbursement:list")).status_code == 200  # the same
    assert replica.captured_queries == []


def test_her_own_change_shows_on_her_next_list(with_replica, alice, bob, resident_a):
    """After saving, her reads stay on the primary (REPLICA_PIN_SECONDS): a replica that
    lags could not hide her change. A colleague's reads still go to the replica."""
    client = client_for(alice)
    response = client.post(
        reverse("registry:change_create", args=[resident_a.pk]),
        {
            "id_number": resident_a.id_number,
            "name": resident_a.name,
            "ethnicity": "汉族",
            "phone": "13900001111",
            "address": resident_a.address,
            "insurance_type": "resident",
            "household_number": resident_a.household.household_number,
            "relationship_to_head": "head",
            "reason": "更换手机号码",
        },
    )
    assert response.status_code == 302
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get(reverse("registry:resident_list")).status_code == 200
    assert replica.captured_queries == []
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client_for(bob).get(reverse("registry:resident_list")).status_code == 200
    assert replica.captured_queries


def test_without_a_replica_everything_reads_the_primary(alice, resident_a):
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client_for(alice).get(reverse("registry:resident_list")).status_code == 200
    assert replica.captured_queries == []
