"""Who reaches what. Two guarantees, each over every URL of the portal:

1. each page without an object opens for its roles and is a 404 for the others;
2. each page about one record is a 404 for anyone outside the record's station (or county).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.conftest import client_for
from tests.urls import all_url_patterns

pytestmark = pytest.mark.django_db

CASEWORKER, SUPERVISOR, AUDITOR, ADMIN = (
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
)
STAFF = {CASEWORKER, SUPERVISOR, AUDITOR}

# Pages without an object: the roles that may open them (GET answers 200).
PAGES = {
    "home": STAFF,  # administrators are sent on to their staff list
    "registry:resident_list": STAFF,
    "registry:resident_create": {CASEWORKER},
    "registry:household_create": {CASEWORKER},
    "administration:staff_list": {ADMIN},
    "administration:staff_create": {ADMIN},
    "administration:station_list": {ADMIN},
    "administration:station_create": {ADMIN},
    "administration:policy": {ADMIN, SUPERVISOR, AUDITOR},
    "filing:list": STAFF,
    "filing:start": {CASEWORKER},
    "filing:review_queue": {SUPERVISOR},
    "administration:calendar": {ADMIN},
    "registry:enrollment_start": {CASEWORKER},
    "registry:enrollment_create": {CASEWORKER},
    "reimbursement:list": STAFF,
    "reimbursement:create": {CASEWORKER},
    "reimbursement:checklist": {CASEWORKER},
    "oversight:audit_log": {SUPERVISOR, AUDITOR},
    "registry:import_create": {CASEWORKER},
    "registry:resident_export": STAFF,
    "oversight:audit_export": {SUPERVISOR, AUDITOR},
    "oversight:audit_chain": {SUPERVISOR, AUDITOR},
}
PUBLIC = {"login", "logout"}
EVERY_ROLE = {"password_change"}

# Pages about one record: the fixture giving a record of station B (or of the other county for
# county-level records), a user who may open it, and one of another station who must get 404.
STATION_B = ("bob", "alice")  # station B's caseworker, station A's caseworker
OTHER_COUNTY_ADMIN = ("grace", "erin")
OTHER_COUNTY_SUPERVISOR = ("carol", "hank")
OBJECT_PAGES = {
    "registry:resident_detail": ("resident_b", STATION_B),
    "registry:resident_edit": ("resident_b", STATION_B),
    "registry:reveal": ("resident_b", STATION_B),
    "registry:import_detail": ("import_b", STATION_B),
    "registry:import_valid_rows": ("import_b", STATION_B),
    "registry:registration_form": ("resident_b", STATION_B),
    "registry:household_detail": ("household_b", STATION_B),
    "registry:household_edit": ("household_b", STATION_B),
    "administration:staff_edit": ("staff_of_other_county", OTHER_COUNTY_ADMIN),
    "administration:station_edit": ("station_x", OTHER_COUNTY_ADMIN),
    "administration:unlock": ("staff_of_other_county", OTHER_COUNTY_ADMIN),
    "filing:create": ("resident_b", STATION_B),
    "filing:detail": ("filing_b", STATION_B),
    "filing:cancel": ("filing_b", STATION_B),
    "filing:attach_letter": ("filing_b", STATION_B),
    "filing:review": ("filing_b", OTHER_COUNTY_SUPERVISOR),
    "filing:commitment_letter": ("filing_b", STATION_B),
    "filing:filing_form": ("filing_b", STATION_B),
    "filing:evidence_file": ("filing_b", STATION_B),
    "registry:enrollment_create_for": ("resident_b", STATION_B),
    "registry:enrollment_detail": ("enrollment_b", STATION_B),
    "registry:enrollment_update": ("enrollment_b", STATION_B),
    "registry:change_create": ("resident_b", STATION_B),
    "registry:change_detail": ("change_b", STATION_B),
    "registry:change_complete": ("change_b", STATION_B),
    "registry:change_decide": ("change_b", OTHER_COUNTY_SUPERVISOR),
    "registry:change_form": ("change_b", STATION_B),
    "reimbursement:detail": ("case_b", STATION_B),
    "reimbursement:edit": ("case_b", STATION_B),
    "reimbursement:forward": ("case_b", STATION_B),
    "reimbursement:void": ("case_b", STATION_B),
    "reimbursement:missing_notice": ("case_b", STATION_B),
    "reimbursement:large_amount_letter": ("case_b", STATION_B),
}
POST_ONLY = {
    "administration:unlock",
    "registry:import_valid_rows",
    "registry:reveal",
    "filing:cancel",
    "filing:attach_letter",
    "filing:review",
    "registry:enrollment_update",
    "registry:change_complete",
    "registry:change_decide",
    "reimbursement:forward",
    "reimbursement:void",
}


def url_args(name: str, record) -> list:
    if name == "filing:evidence_file":
        return [record.pk, "material", record.material.pk]
    return [record.pk]


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
    assert client_for(outsider).get(url).status_code in (404, 405)
    response = client_for(outsider).post(
        url, {"name": "篡改", "reason": "篡改", "decision": "approve"}
    )
    assert response.status_code == 404
    if hasattr(record, "refresh_from_db"):
        before = record.__dict__.get("status")
        record.refresh_from_db()
        assert record.__dict__.get("status") == before


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
