"""Realistic demo data: one county (山西省运城市芮城县), two township stations, an account for
every role, and a few hundred residents in households with valid ID numbers.

Deterministic (a fixed random seed), so the same names appear on every machine.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts.models import County, Policy, Role, Station, User
from audit.records import create_with_history
from core import id_numbers
from registry.models import Household, Relationship, Resident

if TYPE_CHECKING:
    from filing.models import Filing

DEMO_PASSWORD = "Yibao@Demo2026"

SURNAMES = (
    "王李张刘杨赵陈郭薛吴周孙马胡朱高林何罗梁宋郑谢韩唐冯董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏任姚"
)
GIVEN = (
    "建国秀英桂兰淑珍玉梅志强海燕丽娟文华红霞明亮春花"
    "晓东俊杰佳怡子涵浩然欣怡雨萱梓轩芳静伟敏磊洋勇军杰娜涛超鹏飞"
)
# County codes around 芮城 that appear on local residents' ID numbers.
REGION_CODES = ["140830", "140830", "140830", "140802", "140881", "140829"]
VILLAGES = ["城北村", "西关村", "东关村", "南卫村", "北吕村", "永乐村", "东垆村", "匼河村"]

STAFF = [
    ("guwei_jb", "李秀梅", Role.CASEWORKER, "古魏镇医保站"),
    ("fengling_jb", "张建军", Role.CASEWORKER, "风陵渡镇医保站"),
    ("county_sh", "王海燕", Role.SUPERVISOR, None),
    ("county_sj", "赵文华", Role.AUDITOR, None),
    ("county_admin", "陈志强", Role.ADMINISTRATOR, None),
]


def _name(rng: random.Random) -> str:
    length = rng.choice([1, 2, 2, 2])
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(length))


def _id_number(rng: random.Random, born: datetime.date, male: bool, used: set[str]) -> str:
    while True:
        sequence = rng.randrange(0, 999)
        if (sequence % 2 == 1) != male:
            sequence = (sequence + 1) % 1000
        first17 = f"{rng.choice(REGION_CODES)}{born:%Y%m%d}{sequence:03d}"
        number = id_numbers.make(first17)
        if number not in used:
            used.add(number)
            return number


def _birth(rng: random.Random, low: int, high: int, today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=rng.randrange(low * 365, high * 365))


@transaction.atomic
def load(households_per_station: int = 60, seed: int = 2026) -> dict:
    if County.objects.filter(code="140830").exists():
        return {"created": False}
    rng = random.Random(seed)
    today = datetime.date.today()
    county = County.objects.create(code="140830", name="芮城县", pooling_region_code="140800")
    Policy.for_county(county)
    stations = {
        "古魏镇医保站": Station.objects.create(
            county=county,
            name="古魏镇医保站",
            township="古魏镇",
            address="芮城县古魏镇便民服务中心120办公室",
            phone="0359-3021120",
        ),
        "风陵渡镇医保站": Station.objects.create(
            county=county,
            name="风陵渡镇医保站",
            township="风陵渡镇",
            address="芮城县风陵渡镇便民服务中心医保窗口",
            phone="0359-3351006",
        ),
    }
    for username, full_name, role, station_name in STAFF:
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            county=county,
            station=stations.get(station_name) if station_name else None,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()

    used: set[str] = set()
    residents = []
    number = 140830100000
    for station in stations.values():
        for _ in range(households_per_station):
            number += rng.randrange(1, 40)
            village = rng.choice(VILLAGES)
            household = Household.objects.create(
                station=station,
                household_number=str(number),
                address=f"山西省运城市芮城县{station.township}{village}{rng.randrange(1, 300)}号",
            )
            surname_head = _name(rng)
            head_male = rng.random() < 0.8
            head_born = _birth(rng, 28, 85, today)
            members = [(surname_head, head_born, head_male, Relationship.HEAD)]
            if rng.random() < 0.85:
                members.append(
                    (
                        _name(rng),
                        head_born + datetime.timedelta(days=rng.randrange(-1500, 1500)),
                        not head_male,
                        Relationship.SPOUSE,
                    )
                )
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                male = rng.random() < 0.5
                child_born = head_born + datetime.timedelta(days=rng.randrange(20 * 365, 38 * 365))
                if child_born >= today:
                    child_born = today - datetime.timedelta(days=rng.randrange(30, 3000))
                members.append(
                    (
                        surname_head[0] + _name(rng)[1:],
                        child_born,
                        male,
                        Relationship.SON if male else Relationship.DAUGHTER,
                    )
                )
            for name, born, male, relationship in members:
                residents.append(
                    Resident(
                        station=station,
                        household=household,
                        relationship_to_head=relationship,
                        name=name,
                        id_number=_id_number(rng, born, male, used),
                        phone=f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}"[:11],
                        address=household.address,
                    )
                )
    create_with_history(Resident, residents, reason="演示数据")
    _counter_work(rng, today)
    return {"created": True, "residents": len(residents), "households": 2 * households_per_station}


def _counter_work(rng: random.Random, today: datetime.date) -> None:
    """Everyone enrolled; a few open reimbursement cases and filings, so each page has rows."""
    from decimal import Decimal

    from filing.models import Category, Evidence, Filing, FilingStatus, Review, add_months
    from registry.models import ENROLLMENT_MATERIALS, Enrollment
    from reimbursement.models import REQUIRED, CaseKind, ReimbursementCase

    caseworkers = {u.station_id: u for u in User.objects.filter(role=Role.CASEWORKER)}
    now = timezone.now()
    residents = list(Resident.objects.select_related("station").order_by("pk"))
    enrollments = []
    for resident in residents:
        # Spread over the past months, so the dashboard's trend has a shape.
        enrolled = now - datetime.timedelta(days=rng.randrange(0, 120), hours=rng.randrange(0, 8))
        enrollments.append(
            Enrollment(
                station=resident.station,
                resident=resident,
                created_by=caseworkers[resident.station_id],
                received=list(ENROLLMENT_MATERIALS[False]),
                created_at=enrolled,
                completed_at=enrolled,
            )
        )
    create_with_history(Enrollment, enrollments, reason="演示数据")
    hospitals = ["山西医科大学第一医院", "西安交通大学第一附属医院", "运城市中心医院"]
    for index, resident in enumerate(rng.sample(residents, 12)):
        kind = CaseKind.CHRONIC if index % 4 == 3 else CaseKind.INPATIENT
        admitted = today - datetime.timedelta(days=rng.randrange(20, 90))
        inpatient = kind == CaseKind.INPATIENT
        case = ReimbursementCase(
            station=resident.station,
            resident=resident,
            kind=kind,
            created_by=caseworkers[resident.station_id],
            hospital=rng.choice(hospitals),
            admission_date=admitted if inpatient else None,
            discharge_date=admitted + datetime.timedelta(days=rng.randrange(3, 20))
            if inpatient
            else None,
            chronic_disease="" if inpatient else "高血压",
            total_cost=Decimal(rng.randrange(80000, 6000000)) / 100,
            received=list(REQUIRED[kind][: rng.randrange(1, len(REQUIRED[kind]) + 1)]),
            created_at=now - datetime.timedelta(days=rng.randrange(0, 15)),
        )
        case.refresh_status()
        case.save()
    places = ["310000", "110000", "610100", "440300", "320500"]
    for resident in rng.sample(residents, 8):
        category = rng.choice([Category.OTHER_TEMPORARY, Category.EMERGENCY])
        filing = Filing(
            station=resident.station,
            resident=resident,
            submitted_by=caseworkers[resident.station_id],
            insured_region_code="140800",
            care_region_code=rng.choice(places),
            insurance_type=resident.insurance_type,
            category=category,
            start_date=today,
            end_date=add_months(today, 6) - datetime.timedelta(days=1),
            contact_name=resident.name,
            contact_phone=resident.phone,
            contact_address=resident.address,
            evidence=Evidence.NONE,
            notice_read=True,
            status=FilingStatus.APPROVED,
            review=Review.AUTOMATIC,
            reviewed_at=now,
        )
        checked_filing(filing, today).save()


def checked_filing(filing: Filing, today: datetime.date, policy: Policy | None = None) -> Filing:
    """Demo and scale data follow DOMAIN.md §2 as the counter does: `filing`, once every rule
    of filing.models.filing_problems accepts it as filed on `today` (a commitment letter is
    taken as signed)."""
    from filing.models import GIVEN_FIELDS, Evidence, filing_problems

    problems = filing_problems(
        {name: getattr(filing, name) for name in GIVEN_FIELDS},
        policy=policy or Policy(),  # a county with the default policy
        today=today,
        resident_id_number="",
        by_agent=filing.by_agent,
        letter_given=filing.evidence == Evidence.COMMITMENT,
    )
    if problems:
        raise ValueError(f"demo data break a filing rule: {problems}")
    return filing
