"""No personal data crosses a station's boundary (个人信息保护法; DOMAIN.md "Who uses the
portal": staff see only their own station's residents, county roles their county's).

`tests/test_access.py` proves that a record named in a URL is a 404 outside its station. This
file covers what a URL does not show: identifiers typed into forms, searches and imported
sheets. Every URL of the portal is either fed another station's and another county's
identifiers here, or listed with the reason it takes none, so a new form fails
`test_every_url_is_fed_foreign_identifiers_or_takes_none` until it is covered.

Each scenario runs twice: with the records of station B (same county, another station) and
with those of station X (another county), as alice, caseworker of station A, or as the county's
supervisor and administrator where the page is theirs. After it, nothing of the other
station's resident is on the page or in the file (name, ID and phone numbers, address, a link),
and nothing of theirs changed or gained a member.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import Station, User
from registry.models import (
    Enrollment,
    Household,
    InfoChange,
    Relationship,
    Resident,
    ResidentImport,
)
from tests.conftest import (
    NEW_RESIDENT,
    ZHANG_JUAN_ID,
    client_for,
    make_case,
    make_filing,
    make_id,
    run_tasks,
)
from tests.pages import OBJECT_PAGES, PAGES
from tests.urls import all_url_patterns

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Theirs:
    """Another station's resident, household and the people who may see them."""

    resident: Resident
    household: Household
    station: Station

    def snapshot(self) -> tuple:
        self.resident.refresh_from_db()
        self.household.refresh_from_db()
        return (
            tuple((f.attname, getattr(self.resident, f.attname)) for f in Resident._meta.fields),
            tuple((f.attname, getattr(self.household, f.attname)) for f in Household._meta.fields),
            tuple(self.household.members.order_by("pk").values_list("pk", flat=True)),
            self.resident.filings.count(),
            self.resident.reimbursement_cases.count(),
            self.resident.info_changes.count(),
        )

    def secrets(self) -> list[str]:
        """What must never reach a user outside their station."""
        r = self.resident
        return [
            r.name,
            r.id_number,
            r.id_number.lower(),
            r.phone,
            r.address,
            self.household.address,
            r.get_absolute_url(),
            self.household.get_absolute_url(),
        ]


@pytest.fixture
def household_x(station_x) -> Household:
    return Household.objects.create(
        station=station_x, household_number="140902300001", address="山西省忻州市忻府区播明村7号"
    )


@pytest.fixture
def resident_x(station_x, household_x) -> Resident:
    return Resident.objects.create(
        station=station_x,
        household=household_x,
        relationship_to_head=Relationship.HEAD,
        name="郝明亮",
        id_number=make_id("14090219660606003"),
        phone="13700007777",
        address="山西省忻州市忻府区播明村7号",
    )


@pytest.fixture(params=["station", "county"])
def theirs(request, resident_b, household_b, resident_x, household_x, bob, frank) -> Theirs:
    """Station B's records (same county) or station X's (another county), each with a filing
    and a case of their own so that every list has something of theirs to leak."""
    if request.param == "station":
        owner = bob
        found = Theirs(resident_b, household_b, resident_b.station)
    else:
        owner = frank
        found = Theirs(resident_x, household_x, resident_x.station)
    make_filing(found.resident, owner, insured_region_code="140900" if owner == frank else "140800")
    make_case(found.resident, owner)
    return found


def page_of(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    return response.content.decode()


def assert_nothing_of(theirs: Theirs, *responses, typed: set[str] = frozenset()) -> None:
    """`typed`: what the user typed into a search, which its box and its "“…”的查询结果"
    may repeat (it is theirs already); nothing else of `theirs` may appear."""
    for response in responses:
        assert response.status_code < 500
        text = page_of(response)
        for query in typed:
            text = text.replace(f'value="{query}"', "").replace(f"“{query}”", "")
        for secret in theirs.secrets():
            assert secret not in text, secret


def sheet_with(*rows) -> io.BytesIO:
    workbook = Workbook()
    workbook.active.append(["姓名", "身份证号码", "联系电话", "户号", "与户主关系"])
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "名单.xlsx"
    return buffer


# Scenarios: each gets (alice's client, carol's client, erin's client, theirs, fixtures) and
# returns the responses to scan.
@dataclass
class Ctx:
    alice: Client
    carol: Client
    erin: Client
    mine: Resident
    theirs: Theirs
    typed: set[str] = field(default_factory=set)

    @property
    def outsiders(self) -> list[Client]:
        """Who must not see `theirs`: alice always; the county's supervisor when they are
        another county's (he reads every station of his own)."""
        same_county = self.theirs.station.county_id == self.mine.station.county_id
        return [self.alice] if same_county else [self.alice, self.carol]


def _searches(name: str) -> Callable[[Ctx], list]:
    def scenario(ctx: Ctx) -> list:
        url = reverse(name)
        out = []
        for client in ctx.outsiders:
            for query in (
                ctx.theirs.resident.id_number,
                ctx.theirs.resident.name,
                ctx.theirs.resident.name[:1],
                ctx.theirs.household.household_number,
                ctx.theirs.resident.phone,
            ):
                ctx.typed.add(query)
                response = client.post(url, {"q": query}, follow=True)
                out += [response, client.get(url)]
        return out

    return scenario


def _resident_form(name: str, **url_kwargs) -> Callable[[Ctx], list]:
    def scenario(ctx: Ctx) -> list:
        kwargs = {k: getattr(ctx, v).pk for k, v in url_kwargs.items()}
        url = reverse(name, kwargs=kwargs)
        if name == "registry:resident_edit":  # a registration still open: edited directly
            alice = User.objects.get(username="alice")
            Enrollment.objects.get_or_create(
                resident=ctx.mine, defaults={"station": alice.station, "created_by": alice}
            )
        base = {**NEW_RESIDENT, "reason": "核对", "version": str(ctx.mine.version)}
        if url_kwargs:
            base["name"] = ctx.mine.name
        theirs = ctx.theirs
        return [
            ctx.alice.post(url, {**base, "id_number": theirs.resident.id_number}),
            ctx.alice.post(
                url,
                {
                    **base,
                    "household_number": theirs.household.household_number,
                    "relationship_to_head": Relationship.SON,
                },
            ),
        ]

    return scenario


def _id_lookup(name: str) -> Callable[[Ctx], list]:
    def scenario(ctx: Ctx) -> list:
        return [ctx.alice.post(reverse(name), {"id_number": ctx.theirs.resident.id_number})]

    return scenario


def _household_form(ctx: Ctx, url: str) -> list:
    number = ctx.theirs.household.household_number
    return [ctx.alice.post(url, {"household_number": number, "address": "古魏镇", "version": "1"})]


def _household_members(ctx: Ctx) -> list:
    """A newborn's guardians offered by 户号 (registry:household_members)."""
    url = reverse("registry:household_members")
    return [ctx.alice.get(url, {"number": ctx.theirs.household.household_number})]


def _case_form(ctx: Ctx) -> list:
    url = reverse("reimbursement:create")
    data = {
        "id_number": ctx.theirs.resident.id_number,
        "kind": "inpatient",
        "hospital": "山西医科大学第一医院",
        "admission_date": "2026-10-08",
        "discharge_date": "2026-10-20",
        "total_cost": "100",
    }
    return [
        ctx.alice.post(url, data),
        ctx.alice.get(f"{url}?resident={ctx.theirs.resident.pk}"),
        ctx.alice.post(f"{url}?resident={ctx.theirs.resident.pk}", data),
    ]


def _import(ctx: Ctx) -> list:
    theirs = ctx.theirs
    rows = [
        ["张娟", ZHANG_JUAN_ID, "", theirs.household.household_number, "配偶"],
        ["某人", theirs.resident.id_number, "", "", ""],
    ]
    url = reverse("registry:import_create")
    out = []
    for only_valid in ("", "1"):
        response = ctx.alice.post(url, {"sheet": sheet_with(*rows), "valid_rows_only": only_valid})
        run_tasks()
        job = ResidentImport.objects.latest("pk")
        out += [response, ctx.alice.get(job.get_absolute_url())]
    return out


def _export(ctx: Ctx) -> list:
    url = reverse("registry:resident_export")
    out = []
    for client in ctx.outsiders:
        client.post(reverse("registry:resident_list"), {"q": ctx.theirs.resident.name})
        out += [client.get(url), client.post(url, {"reason": "核对名单"})]
    return out


def _audit_filters(name: str) -> Callable[[Ctx], list]:
    def scenario(ctx: Ctx) -> list:
        url = reverse(name)
        theirs = ctx.theirs
        staff = User.objects.filter(station=theirs.station).first()
        return [
            ctx.carol.get(url, {"station": theirs.station.pk}),
            ctx.carol.get(url, {"user": staff.pk}),
            ctx.carol.get(url, {"record_type": "registry.resident"}),
        ]

    return scenario


def _staff_form(ctx: Ctx) -> list:
    data = {
        "username": "newcomer",
        "full_name": "新同事",
        "role": "caseworker",
        "station": ctx.theirs.station.pk,
        "password": "Correct-Horse-42-x",
    }
    return [ctx.erin.post(reverse("administration:staff_create"), data)]


def _after_staff_form(ctx: Ctx) -> None:
    newcomer = User.objects.filter(username="newcomer").first()
    if ctx.theirs.station.county_id != User.objects.get(username="erin").county_id:
        assert newcomer is None or newcomer.station_id != ctx.theirs.station.pk


SCENARIOS: dict[str, Callable[[Ctx], list]] = {
    "registry:resident_list": _searches("registry:resident_list"),
    "filing:list": _searches("filing:list"),
    "reimbursement:list": _searches("reimbursement:list"),
    "registry:resident_create": _resident_form("registry:resident_create"),
    "registry:enrollment_create": _resident_form("registry:enrollment_create"),
    "registry:resident_edit": _resident_form("registry:resident_edit", pk="mine"),
    "registry:change_create": _resident_form("registry:change_create", resident_pk="mine"),
    "registry:enrollment_start": _id_lookup("registry:enrollment_start"),
    "filing:start": _id_lookup("filing:start"),
    "registry:household_create": lambda ctx: _household_form(
        ctx, reverse("registry:household_create")
    ),
    "registry:household_edit": lambda ctx: _household_form(
        ctx, reverse("registry:household_edit", args=[ctx.mine.household_id])
    ),
    "reimbursement:create": _case_form,
    "registry:household_members": _household_members,
    "registry:import_create": _import,
    "registry:resident_export": _export,
    "oversight:audit_log": _audit_filters("oversight:audit_log"),
    "oversight:audit_export": _audit_filters("oversight:audit_export"),
    "administration:staff_create": _staff_form,
}

# Pages whose only identifier is the record in their URL (a 404 outside its station,
# proved for each by tests/test_access.py), unless a scenario above also feeds their form.
URL_ONLY = set(OBJECT_PAGES)

# Pages that take no identifier of a resident, household or station from the user.
TAKES_NONE = {
    "home": "a dashboard of the user's own station or county; its search posts to the list",
    "login": "a username and password",
    "logout": "nothing",
    "keep_alive": "nothing: it only says the user is still there",
    "password_change": "the user's own password",
    "administration:staff_list": "the administrator's county",
    "administration:station_list": "the administrator's county",
    "administration:station_create": "a new station is made in the administrator's own county",
    "administration:policy": "the user's own county's policy",
    "filing:review_queue": "the supervisor's county",
    "messaging:outbox": "the texts of the user's own station or county",
    "reports": "a period; the figures of the user's own station or county",
    "filing:notice": "the user's own county's policy",
    "administration:calendar": "dates",
    "reimbursement:checklist": "a cost and two flags, no record",
    "oversight:audit_chain": "nothing",
}


def test_every_url_is_fed_foreign_identifiers_or_takes_none():
    names = {name for name, _ in all_url_patterns()}
    covered = set(SCENARIOS) | URL_ONLY | set(TAKES_NONE)
    assert names - covered == set(), "a new URL: add a scenario, or say why it takes none"
    assert set(PAGES) - set(SCENARIOS) <= set(TAKES_NONE)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_nothing_of_another_station_is_shown_changed_or_exported(
    name, theirs, resident_a, alice, carol, erin
):
    ctx = Ctx(
        alice=client_for(alice),
        carol=client_for(carol),
        erin=client_for(erin),
        mine=resident_a,
        theirs=theirs,
    )
    before = theirs.snapshot()
    residents = Resident.objects.count()
    responses = SCENARIOS[name](ctx)
    if name == "administration:staff_create":
        _after_staff_form(ctx)
        responses = []  # the administrator's own county's staff page; no resident on it
    if name.startswith("oversight:") and theirs.station.county_id == carol.county_id:
        responses = []  # the county's own log names its stations' residents to its supervisor
    assert_nothing_of(theirs, *responses, typed=ctx.typed)
    assert theirs.snapshot() == before
    assert Resident.objects.filter(household=theirs.household).count() == len(before[2])
    if name not in ("registry:resident_create", "registry:enrollment_create"):
        assert Resident.objects.count() == residents
    assert not Resident.objects.filter(id_number=ZHANG_JUAN_ID, household=theirs.household)
    # Nor is a change to join their household waiting to be completed.
    number = theirs.household.household_number
    assert not [c for c in InfoChange.objects.all() if number in str(c.items)]
