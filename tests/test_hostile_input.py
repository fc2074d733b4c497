"""Random and hostile input into every form of the portal (issue 8): over-long strings,
control characters, emoji, SQL and HTML fragments, dates out of range, full-width digits.
None may cause a server error, and nothing stored may come back as live markup."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MARKUP = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">']
FRAGMENTS = [
    *MARKUP,
    "'; DROP TABLE registry_resident; --",
    '" OR 1=1 --',
    "\x00",
    "\x1b[31m",
    "１４０８３０１９５８０３１２００３１",
    "🙂" * 40,
    "王" * 500,
    "a" * 5000,
    "{{ 7|add:7 }}",
    "../../etc/passwd",
    "-1",
    "1e309",
    "NaN",
]
text = st.one_of(st.text(max_size=120), st.sampled_from(FRAGMENTS))
day = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(
        datetime.date.isoformat
    ),
    text,
)


def no_live_markup(response) -> None:
    assert response.status_code < 500
    page = response.content.decode(errors="replace")
    for fragment in MARKUP:
        assert fragment not in page


def post_and_follow(client: Client, url: str, data: dict) -> None:
    response = client.post(url, data)
    no_live_markup(response)
    if response.status_code == 302:
        no_live_markup(client.get(response["Location"]))


@EXAMPLES
@given(
    id_number=text,
    name=text,
    phone=text,
    address=text,
    ethnicity=text,
    household=text,
    relationship=text,
    insurance=text,
)
def test_resident_form(
    as_alice, id_number, name, phone, address, ethnicity, household, relationship, insurance
):
    post_and_follow(
        as_alice,
        reverse("registry:resident_create"),
        {
            "id_number": id_number,
            "name": name,
            "phone": phone,
            "address": address,
            "ethnicity": ethnicity,
            "household_number": household,
            "relationship_to_head": relationship,
            "insurance_type": insurance,
        },
    )


@EXAMPLES
@given(number=text, address=text)
def test_household_form(as_alice, number, address):
    post_and_follow(
        as_alice,
        reverse("registry:household_create"),
        {"household_number": number, "address": address},
    )


@EXAMPLES
@given(query=text)
def test_searches(as_alice, query):
    for name in ("registry:resident_list", "filing:list", "reimbursement:list"):
        post_and_follow(as_alice, reverse(name), {"q": query})
    for name in ("filing:start", "registry:enrollment_start"):
        post_and_follow(as_alice, reverse(name), {"id_number": query})


@EXAMPLES
@given(
    values=st.fixed_dictionaries(
        {
            "insured_region_code": text,
            "care_region_code": st.sampled_from(["310000", "110100"]) | text,
            "insurance_type": text,
            "category": st.sampled_from(["referral", "long_term_resident"]) | text,
            "referring_hospital": text,
            "start_date": day,
            "end_date": day,
            "contact_name": text,
            "contact_phone": text,
            "contact_address": text,
            "agent_name": text,
            "agent_id_number": text,
            "agent_phone": text,
            "agent_relationship": text,
            "evidence": text,
            "signature": text,
            "by_agent": st.sampled_from(["", "on"]),
            "sighted": text,
            "scan_kind": text,
        }
    )
)
def test_filing_form(as_alice, resident_a, values):
    post_and_follow(
        as_alice,
        reverse("filing:create", args=[resident_a.pk]),
        values,
    )


@EXAMPLES
@given(
    values=st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["inpatient", "chronic"]) | text,
            "hospital": text,
            "admission_date": day,
            "discharge_date": day,
            "chronic_disease": text,
            "total_cost": st.decimals(allow_nan=True, allow_infinity=True).map(str) | text,
            "birth": text,
            "accidental_injury": text,
            "received": text,
        }
    )
)
def test_reimbursement_form(as_alice, resident_a, values):
    post_and_follow(
        as_alice, reverse("reimbursement:create"), {**values, "id_number": resident_a.id_number}
    )
    no_live_markup(as_alice.get(reverse("reimbursement:checklist"), values))


@EXAMPLES
@given(name=text, phone=text, address=text, id_number=text, reason=text, household=text)
def test_information_change_form(
    as_alice, resident_a, name, phone, address, id_number, reason, household
):
    post_and_follow(
        as_alice,
        reverse("registry:change_create", args=[resident_a.pk]),
        {
            "id_number": id_number,
            "name": name,
            "ethnicity": "汉族",
            "phone": phone,
            "address": address,
            "insurance_type": "resident",
            "household_number": household,
            "relationship_to_head": "head",
            "reason": reason,
        },
    )


@EXAMPLES
@given(id_number=text, name=text, newborn=st.sampled_from(["", "on"]), materials=text)
def test_enrollment_form(as_alice, id_number, name, newborn, materials):
    post_and_follow(
        as_alice,
        reverse("registry:enrollment_create"),
        {
            "id_number": id_number,
            "name": name,
            "ethnicity": "汉族",
            "insurance_type": "resident",
            "newborn": newborn,
            "materials": materials,
        },
    )


@EXAMPLES
@given(
    username=text,
    full_name=text,
    role=text,
    password=text,
    station_name=text,
    township=text,
    phone=text,
)
def test_administrator_forms(
    erin, username, full_name, role, password, station_name, township, phone
):
    client = client_for(erin)
    post_and_follow(
        client,
        reverse("administration:staff_create"),
        {
            "username": username,
            "full_name": full_name,
            "role": role,
            "password": password,
            "is_active": "on",
        },
    )
    post_and_follow(
        client,
        reverse("administration:station_create"),
        {
            "name": station_name,
            "township": township,
            "address": station_name,
            "phone": phone,
        },
    )


@EXAMPLES
@given(
    values=st.fixed_dictionaries(
        {
            "backdating_days": text,
            "temporary_validity_months": text,
            "referral_validity_months": text,
            "long_term_min_validity_months": text,
            "long_term_cancel_after_months": text,
            "large_amount_threshold": text,
            "manual_review_working_days": text,
            "emergency_filing": text,
            "emergency_effective_at_once": text,
            "maternity_filing": text,
            "posting_months": text,
            "automatic_review": text,
        }
    ),
    date=day,
    note=text,
)
def test_policy_and_calendar_forms(as_erin, values, date, note):
    post_and_follow(as_erin, reverse("administration:policy"), values)
    post_and_follow(
        as_erin,
        reverse("administration:calendar"),
        {"date": date, "is_working_day": "False", "note": note},
    )


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(username=text, password=text)
def test_login_form(client, username, password):
    no_live_markup(client.post(reverse("login"), {"username": username, "password": password}))


# The GET parameters the portal reads (and some it does not), for the query-string test.
PARAMETERS = [
    "q",
    "page",
    "before",
    "start",
    "end",
    "station",
    "user",
    "record_type",
    "action",
    "scope",
    "status",
    "resident",
    "format",
    "total_cost",
    "kind",
    "birth",
    "received",
    "accidental_injury",
    "next",
]
PERSONA = {
    "caseworker": "alice",
    "supervisor": "carol",
    "auditor": "dave",
    "administrator": "erin",
}
query_value = st.one_of(
    day,
    st.sampled_from(["²", "9999-12-31", "0001-01-01", "10000-01-01", "-1", "99999999999999999999"]),
)
queries = st.dictionaries(
    st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)), query_value, max_size=6
)


def _pages_with_a_reader():
    from tests.pages import PAGES

    for name, roles in sorted(PAGES.items()):
        yield name, sorted(roles)[0]


@pytest.mark.parametrize(("name", "role"), list(_pages_with_a_reader()))
def test_no_query_string_gives_a_server_error(name, role, request, resident_a, resident_b):
    """Issue 16: /audit/?before=², ?end=9999-12-31, ?start=0001-01-01 answered 500."""
    client = client_for(request.getfixturevalue(PERSONA[role]))
    url = reverse(name)

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=queries)
    def check(query):
        response = client.get(url, query)
        assert response.status_code < 500, (url, query)

    check()
    for crafted in ({"before": "²"}, {"end": "9999-12-31"}, {"start": "0001-01-01"}):
        assert client.get(url, crafted).status_code < 500, (url, crafted)
