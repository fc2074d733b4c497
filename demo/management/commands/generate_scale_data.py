"""Synthetic data at county-to-province scale, for the benchmarks (docs/benchmarks.md).

    manage.py generate_scale_data --residents 1000000 --cases 300000 --filings 200000

One county (永济市, 140881) with 20 stations, and what its counters would have written over
years: residents in households with valid ID numbers and realistic names, each with the
enrollment that registered them (newborns among them, a few still open); information changes for
about a tenth of them (some unsigned, some awaiting a supervisor); reimbursement cases in every
state and filings approved, returned, cancelled and closed in error, over the last two years.
Every row with its history and its audit-trail entry, as if entered at the counter, and each
kind checked by the rules the counter's services apply. The shares are below (SHARES) and in
docs/benchmarks.md.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Mapping
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from accounts.models import County, Policy, Role, Station, User
from audit.records import create_with_history
from core import id_numbers
from demo import data as demo
from filing.models import Category, Evidence, Filing, FilingStatus, Review, add_months
from registry.models import (
    CHANGEABLE_FIELDS,
    ENROLLMENT_MATERIALS,
    ChangeStatus,
    Enrollment,
    Household,
    InfoChange,
    Relationship,
    Resident,
    resident_problems,
)
from registry.services import change_items
from reimbursement.models import REQUIRED, CaseKind, CaseStatus, ReimbursementCase

BATCH = 5000
TOWNSHIPS = [
    "城西",
    "城北",
    "城东",
    "卿头",
    "开张",
    "栲栳",
    "蒲州",
    "韩阳",
    "张营",
    "虞乡",
    "洗马",
    "薛村",
    "黄河",
    "西厢",
    "长旺",
    "城南",
    "赵伊",
    "伍姓",
    "董村",
    "孙李",
]
REGIONS = ["140881", "140802", "140830", "140821", "140822", "140823"]
PLACES = ["310000", "110000", "610100", "440300", "320500", "410100", "130100", "370200"]

# How a county's records stand after years at the counter (docs/benchmarks.md, "scale data"):
# nearly everything is finished, and the open work is a thin recent layer on a thick past.
SHARES = {
    # An enrollment begun in the last 30 days is still open (材料不全 / 待完成) this often.
    "enrollment open, of the last 30 days": 0.2,
    # Residents who changed their information once.
    "residents with a change": 0.10,
    # Of the changes: unsigned (待签字), awaiting a supervisor (待审核), refused (未通过); the
    # rest completed.
    "change unsigned": 0.02,
    "change awaiting approval": 0.005,
    "change rejected": 0.01,
    # Of the cases: voided, waiting for documents, complete but not forwarded; the rest
    # forwarded. A case still waiting is a recent one (its last 60 days).
    "case voided": 0.03,
    "case incomplete": 0.08,
    "case complete": 0.04,
    # Of the filings: returned, cancelled, closed in error, awaiting review; the rest approved.
    "filing returned": 0.06,
    "filing cancelled": 0.08,
    "filing closed in error": 0.01,
    "filing pending": 0.02,
}


def _pick(rng: random.Random, shares: Mapping[str, float], default: str) -> str:
    """One of `shares`' keys with its probability, else `default`."""
    draw = rng.random()
    for key, share in shares.items():
        if draw < share:
            return key
        draw -= share
    return default


class Command(BaseCommand):
    help = "生成规模测试数据（百万参保人、补偿案件、备案及其历史记录），用于性能基准。"

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=1_000_000)
        parser.add_argument("--cases", type=int, default=300_000)
        parser.add_argument("--filings", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, residents: int, cases: int, filings: int, seed: int, **options):
        rng = random.Random(seed)
        started = time.perf_counter()
        county, _ = County.objects.get_or_create(
            code="140881", defaults={"name": "永济市", "pooling_region_code": "140800"}
        )
        Policy.for_county(county)
        stations = []
        for index, township in enumerate(TOWNSHIPS):
            station, _ = Station.objects.get_or_create(
                county=county,
                name=f"{township}镇医保站",
                defaults={
                    "township": f"{township}镇",
                    "address": f"永济市{township}镇便民服务中心",
                    "phone": f"0359-80{index:05d}",
                },
            )
            stations.append(station)
        workers = []
        for station in stations:
            user, created = User.objects.get_or_create(
                username=f"scale_{station.pk}",
                defaults={
                    "full_name": f"{station.township}经办员",
                    "role": Role.CASEWORKER,
                    "station": station,
                    "county": county,
                },
            )
            if created:
                user.set_password(demo.DEMO_PASSWORD)
                user.save()
            workers.append(user)
        by_station = {w.station_id: w for w in workers}
        self.supervisor, _ = User.objects.get_or_create(
            username="scale_supervisor",
            defaults={"full_name": "规模审核员", "role": Role.SUPERVISOR, "county": county},
        )
        self._residents(rng, stations, by_station, residents)
        self.stdout.write(f"参保人 {residents}：{time.perf_counter() - started:.0f} 秒")
        self._enrollments(rng, county, by_station)
        self.stdout.write(f"参保登记：{time.perf_counter() - started:.0f} 秒")
        self._changes(rng, county, by_station)
        self.stdout.write(f"信息变更：{time.perf_counter() - started:.0f} 秒")
        ids = list(
            Resident.objects.filter(station__county=county).values_list("pk", "station_id", "name")
        )
        self._cases(rng, ids, by_station, cases)
        self.stdout.write(f"补偿案件 {cases}：{time.perf_counter() - started:.0f} 秒")
        filed = set(Filing.objects.values_list("resident_id", flat=True))
        self._filings(rng, [i for i in ids if i[0] not in filed], by_station, filings)
        self.stdout.write(f"异地就医备案 {filings}：{time.perf_counter() - started:.0f} 秒")
        if connection.vendor == "postgresql":
            # What autovacuum would do within minutes: planner statistics, and the visibility
            # map that lets counts read the indexes alone.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"合计 {time.perf_counter() - started:.0f} 秒")

    def _residents(self, rng, stations, by_station, total: int) -> None:
        used: set[str] = set(Resident.objects.values_list("id_number", flat=True))
        today = datetime.date.today()
        number = 140881_000000 + Household.objects.count()
        made = 0
        while made < total:
            households: list = []
            members: list = []
            while len(members) < BATCH and made + len(members) < total:
                station = rng.choice(stations)
                number += 1
                household = Household(
                    station=station,
                    household_number=str(number),
                    address=f"山西省运城市永济市{station.township}"
                    f"{rng.choice(demo.VILLAGES)}{rng.randrange(1, 400)}号",
                )
                households.append(household)
                size = rng.choice([1, 2, 2, 3, 3, 4, 4, 5])
                head_born = today - datetime.timedelta(days=rng.randrange(25 * 365, 85 * 365))
                for position in range(size):
                    male = rng.random() < 0.5
                    born = head_born + datetime.timedelta(days=rng.randrange(-2000, 2000))
                    relationship = Relationship.HEAD if position == 0 else Relationship.SPOUSE
                    if position >= 2:
                        born = head_born + datetime.timedelta(
                            days=rng.randrange(20 * 365, 35 * 365)
                        )
                        relationship = Relationship.SON if male else Relationship.DAUGHTER
                    if born > today - datetime.timedelta(days=30):
                        # A young family: a child born any day of the last 18 years.
                        born = today - datetime.timedelta(days=rng.randrange(30, 18 * 365))
                    members.append(
                        (
                            household,
                            Resident(
                                station=station,
                                relationship_to_head=relationship,
                                name=demo._name(rng),
                                address=household.address,
                                id_number=self._id(rng, born, male, used),
                                phone=f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}",
                            ),
                        )
                    )
            del members[total - made :]  # the last household's tail, past the number asked
            create_with_history(Household, households, reason="规模测试数据")
            for household, resident in members:
                resident.household = household
            people = [resident for _, resident in members]
            create_with_history(Resident, people, reason="规模测试数据")
            made += len(people)
            self.stdout.write(f"  {made}/{total}", ending="\r")
            self.stdout.flush()

    @staticmethod
    def _id(rng, born: datetime.date, male: bool, used: set[str]) -> str:
        for _ in range(100):
            sequence = rng.randrange(0, 999)
            if (sequence % 2 == 1) != male:
                sequence = (sequence + 1) % 1000
            number = id_numbers.make(f"{rng.choice(REGIONS)}{born:%Y%m%d}{sequence:03d}")
            if number not in used:
                used.add(number)
                return number
            born += datetime.timedelta(days=1)  # a crowded birthday: the next day
        raise RuntimeError("no free ID number")

    def _enrollments(self, rng, county, by_station) -> None:
        """The enrollment that registered each resident: at birth for those born in the
        last eight years (a newborn's, with its four materials), else on a day of those years;
        complete, but for some of the last 30 days'."""
        now = timezone.now()
        residents = (
            Resident.objects.filter(station__county=county, enrollment__isnull=True)
            .values_list("pk", "station_id", "id_number", "name")
            .iterator(chunk_size=BATCH)
        )
        batch: list[Enrollment] = []
        for pk, station_id, number, name in residents:
            born = id_numbers.birth_date(number)
            days = rng.randrange(0, 8 * 365)
            created = now - datetime.timedelta(days=days, minutes=rng.randrange(600))
            if born is not None and created.date() < born + datetime.timedelta(days=10):
                created = timezone.make_aware(
                    datetime.datetime.combine(
                        born + datetime.timedelta(days=rng.randrange(10, 80)), datetime.time(9)
                    )
                )
                created = min(created, now)
            newborn = born is not None and (created.date() - born).days < 90
            materials = list(ENROLLMENT_MATERIALS[newborn])
            open_ = (
                now - created < datetime.timedelta(days=30)
                and rng.random() < SHARES["enrollment open, of the last 30 days"]
            )
            batch.append(
                Enrollment(
                    station_id=station_id,
                    resident=Resident(pk=pk, name=name),  # named in its audit entry
                    newborn=newborn,
                    guardian_name="监护人" if newborn else "",
                    guardian_relationship="mother" if newborn else "",
                    guardian_phone="13800000000" if newborn else "",
                    received=materials[: rng.randrange(len(materials))] if open_ else materials,
                    created_at=created,
                    created_by=by_station[station_id],
                    completed_at=None if open_ else created + datetime.timedelta(minutes=5),
                )
            )
            if len(batch) == BATCH:
                create_with_history(Enrollment, batch, reason="规模测试数据")
                batch = []
        create_with_history(Enrollment, batch, reason="规模测试数据")

    def _changes(self, rng, county, by_station) -> None:
        """A change of phone or address for a tenth of the residents, as request_change
        words it (change_items) and checked by the same rules (resident_problems)."""
        now = timezone.now()
        residents = (
            Resident.objects.filter(station__county=county, info_changes__isnull=True)
            .only("pk", "station_id", "name", "phone", "address")
            .iterator(chunk_size=BATCH)
        )
        shares: dict[str, float] = {
            ChangeStatus.DRAFT: SHARES["change unsigned"],
            ChangeStatus.AWAITING_APPROVAL: SHARES["change awaiting approval"],
            ChangeStatus.REJECTED: SHARES["change rejected"],
        }
        batch: list[InfoChange] = []
        for resident in residents:
            if rng.random() >= SHARES["residents with a change"]:
                continue
            if rng.random() < 0.7:
                new_values = {"phone": f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}"}
            else:
                new_values = {"address": f"{resident.address}{rng.randrange(1, 9)}单元"[:100]}
            changed = Resident(**new_values)
            if problems := resident_problems(changed, tuple(new_values)):
                raise ValueError(f"scale data break a resident rule: {problems}")
            before = Resident(phone=resident.phone, address=resident.address)
            unchanged = {field: getattr(before, field) for field in CHANGEABLE_FIELDS}
            items = change_items(before, {**unchanged, **new_values})
            status = _pick(rng, shares, ChangeStatus.COMPLETED)
            created = now - datetime.timedelta(
                days=rng.randrange(0, 5 * 365), minutes=rng.randrange(600)
            )
            decided = status in (ChangeStatus.COMPLETED, ChangeStatus.REJECTED)
            signed = status != ChangeStatus.DRAFT
            batch.append(
                InfoChange(
                    station_id=resident.station_id,
                    resident=resident,
                    items=items,
                    reason="参保人申请",
                    id_card_sighted=signed,
                    form_signed=signed,
                    status=status,
                    created_at=created,
                    created_by=by_station[resident.station_id],
                    reviewed_by=self.supervisor if status == ChangeStatus.REJECTED else None,
                    decided_at=created + datetime.timedelta(minutes=10) if decided else None,
                    rejection_reason="证明材料不足" if status == ChangeStatus.REJECTED else "",
                )
            )
            if len(batch) == BATCH:
                create_with_history(InfoChange, batch, reason="规模测试数据")
                batch = []
        create_with_history(InfoChange, batch, reason="规模测试数据")

    def _cases(self, rng, ids, by_station, total: int) -> None:
        now = timezone.now()
        hospitals = [
            "山西医科大学第一医院",
            "西安交通大学第一附属医院",
            "运城市中心医院",
            "郑州大学第一附属医院",
            "山西省人民医院",
        ]
        case_shares: dict[str, float] = {
            CaseStatus.VOIDED: SHARES["case voided"],
            CaseStatus.INCOMPLETE: SHARES["case incomplete"],
            CaseStatus.COMPLETE: SHARES["case complete"],
        }
        for start in range(0, total, BATCH):
            batch = []
            for _ in range(min(BATCH, total - start)):
                pk, station_id, name = rng.choice(ids)
                kind = CaseKind.CHRONIC if rng.random() < 0.3 else CaseKind.INPATIENT
                created = now - datetime.timedelta(
                    days=rng.randrange(0, 730), minutes=rng.randrange(600)
                )
                admitted = created.date() - datetime.timedelta(days=rng.randrange(10, 60))
                inpatient = kind == CaseKind.INPATIENT
                case = ReimbursementCase(
                    station_id=station_id,
                    resident=Resident(pk=pk, name=name),  # named in its audit entry
                    kind=kind,
                    created_by=by_station[station_id],
                    hospital=rng.choice(hospitals),
                    admission_date=admitted if inpatient else None,
                    discharge_date=admitted + datetime.timedelta(days=rng.randrange(2, 20))
                    if inpatient
                    else None,
                    chronic_disease="" if inpatient else rng.choice(["高血压", "糖尿病", "冠心病"]),
                    total_cost=Decimal(rng.randrange(50000, 9000000)) / 100,
                    received=list(REQUIRED[kind]),
                    created_at=created,
                )
                status = _pick(rng, case_shares, CaseStatus.FORWARDED)
                if status == CaseStatus.INCOMPLETE:
                    # Waiting for documents is recent work: older cases were completed.
                    case.created_at = now - datetime.timedelta(
                        days=rng.randrange(0, 60), minutes=rng.randrange(600)
                    )
                    case.received = list(REQUIRED[kind][: rng.randrange(len(REQUIRED[kind]))])
                elif status == CaseStatus.VOIDED:
                    case.void_reason = "重复受理"
                else:
                    case.completed_at = case.created_at + datetime.timedelta(days=1)
                if status == CaseStatus.FORWARDED:
                    case.forwarded_at = case.created_at + datetime.timedelta(days=2)
                    case.forwarded_by = by_station[station_id]
                case.status = status
                batch.append(case)
            create_with_history(ReimbursementCase, batch, reason="规模测试数据")

    def _filings(self, rng, ids, by_station, total: int) -> None:
        now = timezone.now()
        chosen = rng.sample(ids, min(total, len(ids)))  # one filing each: no overlaps
        filing_shares = {
            "returned": SHARES["filing returned"],
            "cancelled": SHARES["filing cancelled"],
            "closed in error": SHARES["filing closed in error"],
            "pending": SHARES["filing pending"],
        }
        for start in range(0, len(chosen), BATCH):
            batch = []
            for pk, station_id, name in chosen[start : start + BATCH]:
                outcome = _pick(rng, filing_shares, "approved")
                submitted = now - datetime.timedelta(days=rng.randrange(0, 730))
                if outcome == "pending":  # filed within the review's two working days
                    submitted = now - datetime.timedelta(hours=rng.randrange(1, 48))
                begin = timezone.localtime(submitted).date()
                long_term = rng.random() < 0.3
                batch.append(
                    demo.checked_filing(
                        Filing(
                            station_id=station_id,
                            resident=Resident(pk=pk, name=name),
                            submitted_by=by_station[station_id],
                            insured_region_code="140800",
                            care_region_code=rng.choice(PLACES),
                            insurance_type="resident",
                            category=Category.LONG_TERM_RESIDENT
                            if long_term
                            else Category.OTHER_TEMPORARY,
                            start_date=begin,
                            end_date=None
                            if long_term
                            else add_months(begin, 6) - datetime.timedelta(days=1),
                            contact_name="联系人",
                            contact_phone="13800000000",
                            contact_address="异地",
                            evidence=Evidence.COMMITMENT if long_term else Evidence.NONE,
                            notice_read=True,
                            review=Review.AUTOMATIC,
                            submitted_at=submitted,
                        ),
                        timezone.localtime(submitted).date(),
                    )
                )
                self._outcome(rng, outcome, batch[-1], now)
            create_with_history(Filing, batch, reason="规模测试数据")

    def _outcome(self, rng, outcome: str, filing: Filing, now) -> None:
        """How the filing stands now (`outcome`, drawn by SHARES): a pending one awaits a
        supervisor; the others were decided on the day."""
        decided = filing.submitted_at + datetime.timedelta(hours=2)
        if outcome == "pending":
            filing.status = FilingStatus.PENDING
            filing.review = Review.MANUAL
            return
        if outcome == "returned":
            filing.status = FilingStatus.REJECTED
            filing.review = Review.MANUAL
            filing.reviewed_at, filing.reviewed_by = decided, self.supervisor
            filing.rejection_reason = "就医地与证明材料不符"
            return
        filing.status = FilingStatus.APPROVED
        if outcome in ("cancelled", "closed in error"):
            filing.status = FilingStatus.CANCELLED
            filing.cancelled_at = decided + datetime.timedelta(days=rng.randrange(1, 200))
            filing.cancelled_at = min(filing.cancelled_at, now)
            filing.cancelled_by = filing.submitted_by
            filing.cancel_reason = "参保人申请取消"
            if outcome == "closed in error":
                filing.closed_in_error = True
                filing.cancelled_by = self.supervisor
                filing.cancel_reason = "经办录入错误"
