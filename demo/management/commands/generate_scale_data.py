"""Synthetic data at county-to-province scale, for the benchmarks (docs/benchmarks.md).

    manage.py generate_scale_data --residents 1000000 --cases 300000 --filings 200000

One county (永济市, 140881) with 20 stations; residents in households with valid ID numbers
and realistic names; reimbursement cases and filings over the last two years; every row with
its history and its audit-trail entry, as if entered at the counter.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from accounts.models import County, Policy, Role, Station, User
from audit.records import create_with_history
from core import id_numbers
from demo import data as demo
from filing.models import Category, Evidence, Filing, FilingStatus, Review, add_months
from registry.models import Household, Relationship, Resident
from reimbursement.models import REQUIRED, CaseKind, ReimbursementCase

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
        self._residents(rng, stations, by_station, residents)
        self.stdout.write(f"参保人 {residents}：{time.perf_counter() - started:.0f} 秒")
        ids = list(Resident.objects.filter(station__county=county).values_list("pk", "station_id"))
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

    def _cases(self, rng, ids, by_station, total: int) -> None:
        now = timezone.now()
        hospitals = [
            "山西医科大学第一医院",
            "西安交通大学第一附属医院",
            "运城市中心医院",
            "郑州大学第一附属医院",
            "山西省人民医院",
        ]
        for start in range(0, total, BATCH):
            batch = []
            for _ in range(min(BATCH, total - start)):
                pk, station_id = rng.choice(ids)
                kind = CaseKind.CHRONIC if rng.random() < 0.3 else CaseKind.INPATIENT
                created = now - datetime.timedelta(
                    days=rng.randrange(0, 730), minutes=rng.randrange(600)
                )
                admitted = created.date() - datetime.timedelta(days=rng.randrange(10, 60))
                inpatient = kind == CaseKind.INPATIENT
                case = ReimbursementCase(
                    station_id=station_id,
                    resident_id=pk,
                    kind=kind,
                    created_by=by_station[station_id],
                    hospital=rng.choice(hospitals),
                    admission_date=admitted if inpatient else None,
                    discharge_date=admitted + datetime.timedelta(days=rng.randrange(2, 20))
                    if inpatient
                    else None,
                    chronic_disease="" if inpatient else rng.choice(["高血压", "糖尿病", "冠心病"]),
                    total_cost=Decimal(rng.randrange(50000, 9000000)) / 100,
                    received=list(REQUIRED[kind][: rng.randrange(1, len(REQUIRED[kind]) + 1)]),
                    created_at=created,
                )
                case.status = "forwarded" if rng.random() < 0.7 else "incomplete"
                batch.append(case)
            create_with_history(ReimbursementCase, batch, reason="规模测试数据")

    def _filings(self, rng, ids, by_station, total: int) -> None:
        now = timezone.now()
        chosen = rng.sample(ids, min(total, len(ids)))  # one filing each: no overlaps
        for start in range(0, len(chosen), BATCH):
            batch = []
            for pk, station_id in chosen[start : start + BATCH]:
                submitted = now - datetime.timedelta(days=rng.randrange(0, 730))
                begin = submitted.date()
                long_term = rng.random() < 0.3
                batch.append(
                    demo.checked_filing(
                        Filing(
                            station_id=station_id,
                            resident_id=pk,
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
                            status=rng.choice(
                                [FilingStatus.APPROVED] * 8
                                + [FilingStatus.CANCELLED, FilingStatus.PENDING]
                            ),
                            review=Review.AUTOMATIC,
                            submitted_at=submitted,
                        ),
                        timezone.localtime(submitted).date(),
                    )
                )
            create_with_history(Filing, batch, reason="规模测试数据")
