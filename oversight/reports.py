"""报表: the figures a county medical-insurance office reports upward, for a period (a month, a
quarter, a year or two dates), by station. Each figure is defined once here, with the words
the page shows beside it; each is an aggregate the database computes (grouped by station, by
province, by day pair), never rows read into Python. Periods are days of the county's time
(Asia/Shanghai): a filing submitted at 23:30 on the last day of a month counts in that month.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    TextField,
)
from django.db.models.functions import Cast, Substr, TruncDate, TruncMonth

from accounts.models import Policy, Station, User
from core import regions
from core.labels import label
from filing.models import Category, Filing, FilingStatus, FilingTally, Review, add_months
from oversight import dashboard
from oversight.dashboard import day_range
from registry.models import ChangeStatus, Enrollment, InfoChange, ResidentTally
from reimbursement.models import CaseKind, CaseTally, ReimbursementCase
from workdays.rules import add_working_days, entered_days, working_days_between


@dataclass(frozen=True)
class Period:
    first: datetime.date
    last: datetime.date  # included
    name: str

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        return day_range(self.first, self.last)

    def year_before(self) -> Period:
        return Period(add_months(self.first, -12), add_months(self.last, -12), "去年同期")


def month(year: int, number: int) -> Period:
    first = datetime.date(year, number, 1)
    return Period(first, add_months(first, 1) - datetime.timedelta(days=1), f"{year}年{number}月")


def quarter(year: int, number: int) -> Period:
    first = datetime.date(year, 3 * number - 2, 1)
    last = add_months(first, 3) - datetime.timedelta(days=1)
    return Period(first, last, f"{year}年第{number}季度")


def year(number: int) -> Period:
    return Period(datetime.date(number, 1, 1), datetime.date(number, 12, 31), f"{number}年")


def between(first: datetime.date, last: datetime.date) -> Period:
    return Period(first, last, f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}")


@dataclass(frozen=True)
class Figure:
    key: str
    section: str
    label: str
    definition: str


ENROLLMENT, CHANGE, CASE, FILING = "参保登记", "信息变更", "县域外补偿", "异地就医备案"

# Every figure of the report, in its order, with what it counts (shown on the page and in the
# exports). The counts are by the station that did the work.
FIGURES = (
    Figure("enrollments", ENROLLMENT, "新增参保登记", "期间内受理的新增参保登记（含新生儿）。"),
    Figure("newborns", ENROLLMENT, "其中新生儿", "其中按新生儿参保登记办理的。"),
    Figure("changes", CHANGE, "信息变更登记", "期间内登记的信息变更（一次登记可变更多项）。"),
    Figure("change_phone", CHANGE, "变更联系电话", "变更内容含联系电话的登记。"),
    Figure("change_address", CHANGE, "变更现住址", "变更内容含现住址的登记。"),
    Figure("change_household", CHANGE, "变更户籍（户号）", "变更内容含所在户的登记。"),
    Figure(
        "change_id_number", CHANGE, "更正身份证号码", "变更内容含身份证号码的登记（须审核员审核）。"
    ),
    Figure("changes_signed", CHANGE, "已签字", "变更登记表已签字（待审核、已变更）的登记。"),
    Figure("changes_unsigned", CHANGE, "未签字", "登记后变更登记表尚未签字的。"),
    Figure("cases", CASE, "受理补偿", "期间内受理的县域外补偿（不含已作废）。"),
    Figure("cases_inpatient", CASE, "其中住院", "县域外住院补偿。"),
    Figure("cases_chronic", CASE, "其中慢性病", "县域外慢性病补偿。"),
    Figure("cases_large", CASE, "大额（达到标准）", "总费用达到本县大额补偿标准（含等于）的。"),
    Figure("cases_complete_at_once", CASE, "受理时材料齐全", "受理后 24 小时内材料即齐全的。"),
    Figure("cases_completed_later", CASE, "后补材料齐全", "受理 24 小时后补齐材料的。"),
    Figure("cases_waiting", CASE, "材料仍不齐全", "至今材料仍不齐全的。"),
    Figure("filings", FILING, "备案申请", "期间内提交的异地就医备案（含已取消、按错误关闭的）。"),
    Figure("filings_agent", FILING, "其中代办", "由代办人办理的。"),
    Figure("filings_automatic", FILING, "自动审核", "提交时自动审核、即时生效的。"),
    Figure("filings_manual", FILING, "人工审核", "转审核员人工审核的。"),
    Figure("filings_approved", FILING, "已备案（有效）", "现状态为已备案的（含已过期）。"),
    Figure("filings_pending", FILING, "审核中", "现仍在审核中的。"),
    Figure("filings_returned", FILING, "审核不通过（退回）", "审核员退回的。"),
    Figure("filings_cancelled", FILING, "已取消", "参保人申请取消的（已关闭）。"),
    Figure("filings_closed_in_error", FILING, "备案错误关闭", "审核员按备案错误关闭的（已关闭）。"),
    Figure(
        "filings_overdue",
        FILING,
        "人工审核超时",
        "人工审核超过本县时限（工作日，按法定节假日和调休计算）才办结的，及至今仍在审核中且已超时的。",
    ),
)
BY_KEY = {figure.key: figure for figure in FIGURES}
SECTIONS = (ENROLLMENT, CHANGE, CASE, FILING)
# The items of a change, as its JSON holds them ({"field": "phone", ...}), per figure.
CHANGE_KINDS = {
    "change_phone": "phone",
    "change_address": "address",
    "change_household": "household",
    "change_id_number": "id_number",
}


@dataclass
class Report:
    period: Period
    stations: list[dict]  # {"pk", "name", figures...}
    totals: dict[str, int]
    earlier: dict[str, int]  # the same period a year before, totals only
    provinces: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    median_completion_days: Decimal | None
    median_review_days: Decimal | None
    months: list[tuple[str, dict[str, int]]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The report as JSON keeps it (oversight.models.ReportRun.result)."""
        return {
            "period": [self.period.first.isoformat(), self.period.last.isoformat()],
            "name": self.period.name,
            "stations": self.stations,
            "totals": self.totals,
            "earlier": self.earlier,
            "provinces": self.provinces,
            "categories": self.categories,
            "median_completion_days": _decimal_text(self.median_completion_days),
            "median_review_days": _decimal_text(self.median_review_days),
            "months": self.months,
        }

    @classmethod
    def from_json(cls, kept: dict[str, Any]) -> Report:
        first, last = (datetime.date.fromisoformat(day) for day in kept["period"])
        return cls(
            period=Period(first, last, kept["name"]),
            stations=kept["stations"],
            totals=kept["totals"],
            earlier=kept["earlier"],
            provinces=[(name, n) for name, n in kept["provinces"]],
            categories=[(name, n) for name, n in kept["categories"]],
            median_completion_days=_decimal(kept["median_completion_days"]),
            median_review_days=_decimal(kept["median_review_days"]),
            months=[(name, counts) for name, counts in kept["months"]],
        )

    def month_chart(self) -> dashboard.Trend | None:
        """The line of months (a report of more than one month), drawn as the dashboard's."""
        if not self.months:
            return None
        counts = [
            (label, color, [counts[key] for _, counts in self.months])
            for (label, color, *_), key in zip(dashboard.SERIES, MONTHLY, strict=True)
        ]
        return dashboard.chart(
            counts,
            [name for name, _ in self.months],
            [],
            "各月业务量",
            "统计期间各月各类业务的办理量",
        )

    def station_bars(self) -> list[dict[str, Any]]:
        """Each station's filings and enrollments, as bars of the largest's width."""
        peak = max(
            [1, *(s["filings"] for s in self.stations), *(s["enrollments"] for s in self.stations)]
        )
        return [
            {
                "name": s["name"],
                "filings": s["filings"],
                "enrollments": s["enrollments"],
                "filings_width": round(300 * s["filings"] / peak, 1),
                "enrollments_width": round(300 * s["enrollments"] / peak, 1),
                "y": 24 * n,
            }
            for n, s in enumerate(self.stations)
        ]

    def rows(self) -> list[dict[str, Any]]:
        """One row per figure: its definition, each station's count, the total, a year before."""
        return [
            {
                "figure": figure,
                "counts": [station[figure.key] for station in self.stations],
                "total": self.totals[figure.key],
                "earlier": self.earlier[figure.key],
            }
            for figure in FIGURES
        ]


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def rows_to_count(user: User, period: Period) -> int:
    """About how many rows the report reads: the reach's residents, cases and filings (the
    tallies the database keeps), as a share of a year for the period. It decides whether the
    page counts the report itself or asks the worker (settings.REPORT_ROWS_IN_REQUEST)."""
    kept = sum(tally.total_for(user) for tally in (ResidentTally, CaseTally, FilingTally))
    days = (period.last - period.first).days + 1
    return kept * days // 365


def stations_of(user: User) -> QuerySet[Station]:
    """A caseworker reports on her station; a supervisor or auditor on the county's."""
    if user.is_caseworker:
        return Station.objects.filter(pk=user.station_id or 0)
    return Station.objects.filter(county=user.county_id).order_by("name")


# A report's steps, for the worker's progress line: each table twice (the period and the
# year before) with the manual reviews, then the places, then the median.
STEPS = 2 * 5 + 2


def report(
    user: User,
    period: Period,
    today: datetime.date,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """The report of `period` for the user's reach; `progress(step, STEPS)` after each step."""
    done = iter(range(1, STEPS + 1))

    def step() -> None:
        if progress is not None:
            progress(next(done), STEPS)

    stations: list[dict[str, Any]] = [dict(row) for row in stations_of(user).values("pk", "name")]
    ids = [station["pk"] for station in stations]
    policy = Policy.for_county(user.own_county)
    now = _tally(ids, period, policy, today, step)
    for station in stations:
        station.update({key: now.by_station[station["pk"]][key] for key in BY_KEY})
    totals = {key: sum(station[key] for station in stations) for key in BY_KEY}
    before = _tally(ids, period.year_before(), policy, today, step)
    earlier = {key: sum(row[key] for row in before.by_station.values()) for key in BY_KEY}
    filings = Filing.objects.filter(station__in=ids, submitted_at__range=period.bounds())
    # 就医地 by province (the first two digits of its code) and by category, in one scan.
    places = list(
        filings.annotate(province=Substr("care_region_code", 1, 2))
        .values("category", "province")
        .annotate(n=Count("*"))
        .order_by()
    )
    step()
    median_completion_days = _median_completion(ids, period, totals)
    step()
    return Report(
        period=period,
        stations=stations,
        totals=totals,
        earlier=earlier,
        provinces=[
            (regions.region_name(f"{code}0000"), n)
            for code, n in _largest_first((row["province"], row["n"]) for row in places)
        ],
        categories=[
            (label(Category, code), n)
            for code, n in _largest_first((row["category"], row["n"]) for row in places)
        ],
        median_completion_days=median_completion_days,
        median_review_days=_median_review(now.reviews),
        months=_months(period, now.by_month),
    )


@dataclass
class _Tally:
    """A period's counts, from one scan of each table: by station (every figure) and by
    month (MONTHLY), and the manual reviews decided, grouped by day pair."""

    by_station: dict[int, Counter]
    by_month: dict[tuple[int, int], Counter]
    reviews: list[Any]


def _tally(
    ids: list[int],
    period: Period,
    policy: Policy,
    today: datetime.date,
    step: Callable[[], None],
) -> _Tally:
    """Every figure of FIGURES for each station, and MONTHLY for each month, by one grouped
    query per table, grouped by (station, month of Beijing time)."""
    bounds = period.bounds()
    tally = _Tally({pk: Counter({key: 0 for key in BY_KEY}) for pk in ids}, {}, [])

    def add(rows: QuerySet[Any], stamp: str, **figures: Any) -> None:
        grouped = (
            rows.filter(station__in=ids, **{f"{stamp}__range": bounds})
            .annotate(month=TruncMonth(stamp))
            .values("station", "month")
            .annotate(**figures)
            .order_by()
        )
        for row in grouped:
            station, month_of = row.pop("station"), row.pop("month")
            counts = {key: n for key, n in row.items() if n}
            tally.by_station[station].update(counts)
            by_month = tally.by_month.setdefault((month_of.year, month_of.month), Counter())
            by_month.update({key: n for key, n in counts.items() if key in MONTHLY})
        step()

    add(
        Enrollment.objects.all(),
        "created_at",
        enrollments=Count("*"),
        newborns=Count("pk", filter=Q(newborn=True)),
    )
    kinds = {
        key: Count("pk", filter=Q(items_text__contains=f'"field": "{name}"'))
        for key, name in CHANGE_KINDS.items()
    }
    add(
        InfoChange.objects.annotate(items_text=Cast("items", TextField())),
        "created_at",
        changes=Count("*"),
        changes_unsigned=Count("pk", filter=Q(status=ChangeStatus.DRAFT)),
        changes_signed=Count(
            "pk", filter=Q(status__in=(ChangeStatus.AWAITING_APPROVAL, ChangeStatus.COMPLETED))
        ),
        **kinds,
    )
    day = datetime.timedelta(days=1)
    add(
        ReimbursementCase.objects.exclude(status="voided"),
        "created_at",
        cases=Count("*"),
        cases_inpatient=Count("pk", filter=Q(kind=CaseKind.INPATIENT)),
        cases_chronic=Count("pk", filter=Q(kind=CaseKind.CHRONIC)),
        cases_large=Count("pk", filter=Q(total_cost__gte=policy.large_amount_threshold)),
        cases_complete_at_once=Count("pk", filter=Q(completed_at__lt=F("created_at") + day)),
        cases_completed_later=Count("pk", filter=Q(completed_at__gte=F("created_at") + day)),
        cases_waiting=Count("pk", filter=Q(completed_at__isnull=True)),
    )
    add(
        Filing.objects.all(),
        "submitted_at",
        filings=Count("*"),
        filings_agent=Count("pk", filter=~Q(agent_name="")),
        filings_automatic=Count("pk", filter=Q(review=Review.AUTOMATIC)),
        filings_manual=Count("pk", filter=Q(review=Review.MANUAL)),
        filings_approved=Count("pk", filter=Q(status=FilingStatus.APPROVED)),
        filings_pending=Count("pk", filter=Q(status=FilingStatus.PENDING)),
        filings_returned=Count("pk", filter=Q(status=FilingStatus.REJECTED)),
        filings_cancelled=Count(
            "pk", filter=Q(status=FilingStatus.CANCELLED, closed_in_error=False)
        ),
        filings_closed_in_error=Count(
            "pk", filter=Q(status=FilingStatus.CANCELLED, closed_in_error=True)
        ),
    )
    filings = Filing.objects.filter(station__in=ids, submitted_at__range=bounds)
    tally.reviews = _review_days(filings)
    for station, overdue in _overdue(filings, tally.reviews, period, policy, today).items():
        tally.by_station[station]["filings_overdue"] += overdue
    step()
    return tally


def _review_days(filings: QuerySet[Filing]) -> list[Any]:
    """Manual reviews decided, grouped by (station, day submitted, day decided): a year of a
    county is a few thousand groups, whatever the number of filings."""
    return list(
        filings.filter(review=Review.MANUAL, reviewed_at__isnull=False)
        .annotate(sent=TruncDate("submitted_at"), decided=TruncDate("reviewed_at"))
        .values("station", "sent", "decided")
        .annotate(n=Count("*"))
        .order_by()
    )


def _overdue(
    filings: QuerySet[Filing],
    reviews: list[Any],
    period: Period,
    policy: Policy,
    today: datetime.date,
) -> dict[int, int]:
    """人工审核超时 [002]: decided after the county's working days, or still pending past them."""
    pending: list[Any] = list(
        filings.filter(status=FilingStatus.PENDING, review=Review.MANUAL)
        .annotate(sent=TruncDate("submitted_at"))
        .values("station", "sent")
        .annotate(n=Count("*"))
        .order_by()
    )
    entered = entered_days(period.first.year - 1, max(period.last.year, today.year) + 1)
    limit = policy.manual_review_working_days
    overdue: Counter = Counter()
    for group in reviews:
        if working_days_between(group["sent"], group["decided"], entered) > limit:
            overdue[group["station"]] += group["n"]
    for group in pending:
        if add_working_days(group["sent"], limit, entered) < today:
            overdue[group["station"]] += group["n"]
    return overdue


def _largest_first(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Counts summed by code, the largest first (then by code)."""
    summed: Counter = Counter()
    for code, n in counts:
        summed[code] += n
    return sorted(summed.items(), key=lambda item: (-item[1], item[0]))


def _median(weighted: list[tuple[Decimal, int]]) -> Decimal | None:
    """The median of values each counted `n` times (the mean of the two middle ones)."""
    total = sum(n for _, n in weighted)
    if not total:
        return None
    ordered = sorted(weighted)
    middle = []
    seen = 0
    for value, n in ordered:
        for place in ((total - 1) // 2, total // 2):
            if seen <= place < seen + n:
                middle.append(value)
        seen += n
    return (Decimal(sum(middle)) / len(middle)).quantize(Decimal("0.1"))


def _median_review(groups: list[Any]) -> Decimal | None:
    """中位审核时长: working days from submission to a manual decision, over the period's
    filings decided by a supervisor (their groups by day pair, _review_days)."""
    if not groups:
        return None
    first = min(group["sent"] for group in groups)
    last = max(group["decided"] for group in groups)
    entered = entered_days(first.year, last.year)
    return _median(
        [(Decimal(working_days_between(g["sent"], g["decided"], entered)), g["n"]) for g in groups]
    )


def _median_completion(ids: list[int], period: Period, totals: dict[str, int]) -> Decimal | None:
    """中位补齐天数: days from acceptance to complete materials, over the period's cases whose
    materials are complete (counted already: at once or later); two rows read, at the middle
    of the database's own order."""
    total = totals["cases_complete_at_once"] + totals["cases_completed_later"]
    if not total:
        return None
    waited = ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())
    ordered = (
        ReimbursementCase.objects.filter(
            station__in=ids, created_at__range=period.bounds(), completed_at__isnull=False
        )
        .exclude(status="voided")
        .annotate(waited=waited)
        .order_by("waited", "pk")
        .values_list("waited", flat=True)
    )
    middle = list(ordered[(total - 1) // 2 : total // 2 + 1])
    seconds = sum(value.total_seconds() for value in middle) / len(middle)
    return Decimal(seconds / 86400).quantize(Decimal("0.1"))


# The line of months: these figures month by month, for a report of more than one month.
MONTHLY = ("enrollments", "changes", "cases", "filings")


def _months(
    period: Period, by_month: dict[tuple[int, int], Counter]
) -> list[tuple[str, dict[str, int]]]:
    """Each month's counts of MONTHLY (months of Beijing time), for a report of 40 to 400 days."""
    days = (period.last - period.first).days
    if days < 40 or days > 400:
        return []
    months = []
    first = period.first.replace(day=1)
    while first <= period.last:
        counts = by_month.get((first.year, first.month), Counter())
        months.append((f"{first.month}月", {key: counts[key] for key in MONTHLY}))
        first = add_months(first, 1)
    return months
