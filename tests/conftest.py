"""Named personas, as in the tests of the codebases we follow:

- alice: caseworker at 古魏镇医保站 (station A)
- bob: caseworker at 风陵渡镇医保站 (station B), same county
- carol: supervisor of the county
- dave: auditor of the county
- erin: administrator of the county
- frank: an outsider, caseworker in another county, who should reach nothing of ours
- grace: administrator of the other county
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve

from accounts.models import County, Role, Station, User
from core import id_numbers
from registry.models import Household, Relationship, Resident
from security.idempotency import FIELD, new_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    """The dashboard keeps past days' counts in the cache: no test sees another's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def no_anchors():
    """Each test's database starts empty, and so does the file anchoring its audit chains."""
    from audit.anchors import anchor_file

    anchor_file().unlink(missing_ok=True)
    yield
    anchor_file().unlink(missing_ok=True)


def pytest_report_header(config) -> str:
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture
def county(db) -> County:
    return County.objects.create(code="140830", name="芮城县", pooling_region_code="140800")


@pytest.fixture
def other_county(db) -> County:
    return County.objects.create(code="140902", name="忻府区", pooling_region_code="140900")


@pytest.fixture
def station_a(county) -> Station:
    return Station.objects.create(
        county=county,
        name="古魏镇医保站",
        township="古魏镇",
        address="芮城县古魏镇便民服务中心120办公室",
        phone="0359-3021120",
    )


@pytest.fixture
def station_b(county) -> Station:
    return Station.objects.create(
        county=county,
        name="风陵渡镇医保站",
        township="风陵渡镇",
        address="芮城县风陵渡镇便民服务中心",
        phone="0359-3351006",
    )


@pytest.fixture
def station_x(other_county) -> Station:
    return Station.objects.create(
        county=other_county,
        name="播明镇医保站",
        township="播明镇",
        address="忻府区播明镇",
        phone="0350-1234567",
    )


def _user(
    username: str, full_name: str, role: Role, county: County, station: Station | None = None
) -> User:
    user = User(username=username, full_name=full_name, role=role, county=county, station=station)
    user.set_password("Correct-Horse-42")
    user.save()
    return user


@pytest.fixture
def alice(county, station_a) -> User:
    return _user("alice", "李秀梅", Role.CASEWORKER, county, station_a)


@pytest.fixture
def bob(county, station_b) -> User:
    return _user("bob", "张建军", Role.CASEWORKER, county, station_b)


@pytest.fixture
def carol(county) -> User:
    return _user("carol", "王海燕", Role.SUPERVISOR, county)


@pytest.fixture
def dave(county) -> User:
    return _user("dave", "赵文华", Role.AUDITOR, county)


@pytest.fixture
def erin(county) -> User:
    return _user("erin", "陈志强", Role.ADMINISTRATOR, county)


@pytest.fixture
def frank(other_county, station_x) -> User:
    return _user("frank", "郭外人", Role.CASEWORKER, other_county, station_x)


@pytest.fixture
def grace(other_county) -> User:
    return _user("grace", "高管理", Role.ADMINISTRATOR, other_county)


def client_for(user: User) -> Client:
    client = FormClient()
    client.force_login(user)
    return client


@pytest.fixture
def as_alice(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def as_bob(bob) -> Client:
    return client_for(bob)


@pytest.fixture
def as_carol(carol) -> Client:
    return client_for(carol)


@pytest.fixture
def as_dave(dave) -> Client:
    return client_for(dave)


@pytest.fixture
def as_erin(erin) -> Client:
    return client_for(erin)


# A drawn signature as the browser sends it: a PNG data: URI (here a 1×1 pixel).
SIGNATURE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8"
    "AAAAASUVORK5CYII="
)


# ID numbers from the seeds' regions, completed with their check digit.
ZHANG_JUAN_ID = "321282199504040041"  # the seed's own example [002], a woman born 1995-04-04


# The seed's own resident [002] as the resident form posts her.
NEW_RESIDENT = {
    "id_number": ZHANG_JUAN_ID,
    "name": "张娟",
    "ethnicity": "汉族",
    "phone": "18252602688",
    "address": "山西省运城市芮城县古魏镇西关村8号",
    "insurance_type": "resident",
    "household_number": "",
    "relationship_to_head": "",
}


def make_id(first17: str) -> str:
    return id_numbers.make(first17)


@pytest.fixture
def household_a(station_a) -> Household:
    return Household.objects.create(
        station=station_a,
        household_number="140830100001",
        address="山西省运城市芮城县古魏镇城北村12号",
    )


@pytest.fixture
def resident_a(station_a, household_a) -> Resident:
    return Resident.objects.create(
        station=station_a,
        household=household_a,
        relationship_to_head=Relationship.HEAD,
        name="薛建国",
        id_number=make_id("14083019580312003"),
        phone="13835901234",
        address="山西省运城市芮城县古魏镇城北村12号",
    )


@pytest.fixture
def household_b(station_b) -> Household:
    return Household.objects.create(
        station=station_b,
        household_number="140830200001",
        address="山西省运城市芮城县风陵渡镇西王村3号",
    )


@pytest.fixture
def resident_b(station_b, household_b) -> Resident:
    return Resident.objects.create(
        station=station_b,
        household=household_b,
        relationship_to_head=Relationship.HEAD,
        name="王芳",
        id_number=make_id("14083019700101002"),
        phone="13935905678",
        address="山西省运城市芮城县风陵渡镇西王村3号",
    )


@pytest.fixture
def hank(other_county) -> User:
    return _user("hank", "韩审核", Role.SUPERVISOR, other_county)


def make_filing(resident: Resident, user: User, **overrides):
    """A filing written straight to the database (the counter's path is tested in
    test_filing_*.py): temporary care in 上海市 from 2026-11-22, approved."""
    import datetime

    from filing.models import Category, Evidence, Filing, FilingStatus, Review

    values = {
        "station": user.station,
        "resident": resident,
        "submitted_by": user,
        "insured_region_code": "140800",
        "care_region_code": "310000",
        "insurance_type": "resident",
        "category": Category.OTHER_TEMPORARY,
        "start_date": datetime.date(2026, 11, 22),
        "end_date": datetime.date(2027, 5, 21),
        "contact_name": resident.name,
        "contact_phone": "13835901234",
        "contact_address": resident.address or "山西省运城市芮城县",
        "evidence": Evidence.NONE,
        "status": FilingStatus.APPROVED,
        "review": Review.AUTOMATIC,
    }
    values.update(overrides)
    return Filing.objects.create(**values)


@pytest.fixture
def filing_b(resident_b, bob):
    from django.core.files.base import ContentFile

    from filing.models import Evidence, Material, MaterialKind

    filing = make_filing(
        resident_b, bob, evidence=Evidence.MATERIALS, category="long_term_resident", end_date=None
    )
    material = Material(
        filing=filing,
        kind=MaterialKind.RESIDENCE_PERMIT,
        sighted=True,
        content_type="application/pdf",
    )
    material.file.save("permit.pdf", ContentFile(b"%PDF-1.4 residence permit"), save=True)
    filing.material = material
    return filing


@pytest.fixture
def registering_a(resident_a, alice):
    """resident_a's registration at station A, not yet complete: what alice typed may still be
    corrected directly (Resident.direct_edit_refusal)."""
    from registry.models import Enrollment

    return Enrollment.objects.create(station=alice.station, resident=resident_a, created_by=alice)


@pytest.fixture
def registering_b(resident_b, bob):
    from registry.models import Enrollment

    return Enrollment.objects.create(station=bob.station, resident=resident_b, created_by=bob)


@pytest.fixture
def registering_resident_b(resident_b, registering_b):
    """resident_b, whose registration is still open (the edit page opens for bob)."""
    return resident_b


@pytest.fixture
def rejected_filing_b(resident_b, bob):
    from filing.models import FilingStatus

    return make_filing(
        resident_b, bob, status=FilingStatus.REJECTED, rejection_reason="请提供异地居住证"
    )


@pytest.fixture
def text_to_call_b(rejected_filing_b, bob):
    """The text telling resident_b of the return, listed for station B to call (no gateway)."""
    from messaging.models import TextMessage, TextStatus

    return TextMessage.objects.create(
        station=bob.station,
        purpose="filing_rejected",
        name=rejected_filing_b.resident.name,
        phone=rejected_filing_b.contact_phone,
        body="【芮城县医保】您申请的异地就医备案未通过审核，原因：请提供异地居住证。",
        record_type="filing.filing",
        record_id=str(rejected_filing_b.pk),
        link=rejected_filing_b.get_absolute_url(),
        status=TextStatus.TO_CALL,
    )


@pytest.fixture
def enrollment_b(resident_b, bob):
    from registry.models import Enrollment

    return Enrollment.objects.create(station=bob.station, resident=resident_b, created_by=bob)


@pytest.fixture
def change_b(resident_b, bob):
    from registry.models import InfoChange

    items = [
        {
            "field": "phone",
            "label": "联系电话",
            "old": resident_b.phone,
            "new": "13900002222",
            "new_value": "13900002222",
        }
    ]
    return InfoChange.objects.create(
        station=bob.station, resident=resident_b, items=items, reason="换号", created_by=bob
    )


def make_case(resident: Resident, user: User, **overrides):
    import datetime
    from decimal import Decimal

    from reimbursement.models import CaseKind, ReimbursementCase

    values = {
        "station": resident.station,
        "resident": resident,
        "created_by": user,
        "kind": CaseKind.INPATIENT,
        "hospital": "山西医科大学第一医院",
        "admission_date": datetime.date(2026, 10, 8),
        "discharge_date": datetime.date(2026, 10, 20),
        "total_cost": Decimal("12345.60"),
    }
    values.update(overrides)
    return ReimbursementCase.objects.create(**values)


@pytest.fixture
def case_b(resident_b, bob):
    return make_case(resident_b, bob)


@pytest.fixture
def visiting_resident_b(resident_b, case_b):
    """resident_b, whose case bob accepted today: a visit with a form to sign."""
    return resident_b


@pytest.fixture
def import_b(bob):
    from registry.models import ResidentImport

    return ResidentImport.objects.create(
        station=bob.station, created_by=bob, file_name="西王村.xlsx", sheet="imports/none.xlsx"
    )


def run_tasks() -> int:
    """Run every queued task here and now, as the worker process (`manage.py worker`) would;
    returns how many ran. The worker's own loop is not used: it closes the database
    connection between tasks, which would end a test's transaction."""
    from django.db import transaction
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1


# The pages whose form carries the version of the record it edits (core/versioning.py).
VERSIONED_FORMS = {
    "resident_edit",
    "household_edit",
    "change_create",
    "staff_edit",
    "station_edit",
    "policy",
    "edit",  # a reimbursement case
}


class FormClient(Client):
    """A test client that posts forms as a browser does: with the hidden fields the form
    page gave it. A POST without the submission token gets a fresh one; a POST without the
    version of the record gets the version its edit page shows now. Tests of what the server
    does without them use a plain Client."""

    def post(self, path, data=None, *args, **kwargs):
        if isinstance(data, dict):
            data = dict(data)
            data.setdefault(FIELD, new_token())
            if "version" not in data and resolve(urlsplit(path).path).url_name in VERSIONED_FORMS:
                page = self.get(path)
                if page.status_code == 200:
                    found = re.search(rb'name="version" value="(\d+)"', page.content)
                    if found:
                        data["version"] = found.group(1).decode()
        return super().post(path, data, *args, **kwargs)
