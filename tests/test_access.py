"""Who reaches what. Two guarantees, each over every URL of the portal:

1. each page without an object opens for its roles and is a 404 for the others;
2. each page about one record is a 404 for anyone outside the record's station (or county).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.pages import (
    ADMIN,
    AUDITOR,
    CASEWORKER,
    EVERY_ROLE,
    OBJECT_PAGES,
    PAGES,
    POST_ONLY,
    PUBLIC,
    SUPERVISOR,
    url_args,
)
from tests.urls import all_url_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_of_other_county(frank):
    return frank


@pytest.fixture
def personas(alice, carol, dave, erin):
    return {CASEWORKER: alice, SUPERVISOR: carol, AUDITOR: dave, ADMIN: erin}


def test_every_url_is_listed_in_this_file():
    names = {name for name, _ in all_url_patterns()}
    assert names == set(PAGES) | set(OBJECT_PAGES) | PUBLIC | EVERY_ROLE


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_opens_for_its_roles_only(name, personas):
    for role, user in personas.items():
        response = client_for(user).get(reverse(name))
        if role in PAGES[name]:
            assert response.status_code == 200, (name, role)
        elif name == "home" and role == ADMIN:
            assert response.status_code == 302
        else:
            assert response.status_code == 404, (name, role)


@pytest.mark.parametrize("name", sorted(PAGES) + sorted(OBJECT_PAGES))
def test_every_page_requires_login(name, client, request):
    args = []
    if name in OBJECT_PAGES:
        args = url_args(name, request.getfixturevalue(OBJECT_PAGES[name][0]))
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(OBJECT_PAGES))
def test_records_of_another_station_are_a_404(name, request):
    fixture, (owner_name, outsider_name) = OBJECT_PAGES[name]
    record = request.getfixturevalue(fixture)
    owner, outsider = (request.getfixturevalue(who) for who in (owner_name, outsider_name))
    url = reverse(name, args=url_args(name, record))
    assert client_for(owner).get(url).status_code == (405 if name in POST_ONLY else 200)
    as_outsider = client_for(outsider)
    assert as_outsider.get(url).status_code in (404, 405)
    before = business_records()
    response = as_outsider.post(
        url,
        {
            "name": "篡改",
            "reason": "篡改",
            "decision": "approve",
            "action": "complete",
            "materials": ["id_or_register", "signed_form"],
            "id_card_sighted": "1",
            "form_signed": "1",
            "role": "auditor",
        },
    )
    assert response.status_code == 404
    assert business_records() == before  # nothing of theirs changed, nothing new appeared


def business_records() -> dict[str, list[dict]]:
    """Every row of every business table (the audit trail, sessions and lockout counters
    record the refusal itself and are left out)."""
    from django.apps import apps

    skipped = {"audit", "sessions", "axes", "security", "contenttypes", "admin"}
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label not in skipped
    }


@pytest.mark.parametrize("name", ["registry:resident_detail", "registry:household_detail"])
def test_county_roles_see_every_station_of_their_county_but_not_another(
    name, request, carol, dave, frank
):
    record = request.getfixturevalue(OBJECT_PAGES[name][0])
    url = reverse(name, args=[record.pk])
    assert client_for(carol).get(url).status_code == 200
    assert client_for(dave).get(url).status_code == 200
    assert client_for(frank).get(url).status_code == 404


def test_login_page_opens_without_login(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_it_logs_in_and_out(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "Correct-Horse-42"})
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert "古魏镇医保站" in page and "李秀梅" in page
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_says_so_in_chinese(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
