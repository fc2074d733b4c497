"""The county dashboard's 30-day trend, drawn on the server as an SVG (no chart service).

Past days do not change (business records are never back-dated or deleted), so their counts
are computed once a day per county and kept in the cache; today's come from the dashboard's
own table of today's work.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 220, 40, 30, 10
# label, colour, model, its time stamp, and the dashboard table's column of today's count.
SERIES = (
    ("参保登记", "#0b5394", "registry.Enrollment", "created_at", "enrollments_today"),
    ("信息变更", "#6aa84f", "registry.InfoChange", "created_at", "changes_today"),
    ("县域外补偿", "#e69138", "reimbursement.ReimbursementCase", "created_at", "cases_today"),
    ("异地就医备案", "#a61c00", "filing.Filing", "submitted_at", "filings_today"),
)
PAST_DAYS_CACHED = 3600  # seconds; a day's key changes at midnight anyway


@dataclass
class Line:
    label: str
    color: str
    points: str
    total: int


@dataclass
class Trend:
    lines: list[Line]
    days: list[datetime.date]
    peak: int
    ticks: list[tuple[int, float]]
    day_ticks: list[tuple[str, float]]
    caption: str = ""
    description: str = ""
    width: int = WIDTH
    height: int = HEIGHT


def day_range(first: datetime.date, last: datetime.date) -> tuple:
    """From the first day's midnight to the last day's end, in the portal's time zone."""
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(last, datetime.time.max))
    return start, end


def trend(user, today: datetime.date, stations, days: int = 30) -> Trend:
    """The county's last `days` days; `stations` are the dashboard's rows (dicts) with
    today's counts."""
    first = today - datetime.timedelta(days=days - 1)
    span = [first + datetime.timedelta(days=n) for n in range(days)]
    past = cache.get_or_set(
        f"dashboard-trend:{user.county_id}:{today.isoformat()}:{days}",
        lambda: _past_counts(user, span[:-1]),
        PAST_DAYS_CACHED,
    )
    counts = [
        (label, color, [*before, sum(station[column] for station in stations)])
        for (label, color, _, _, column), before in zip(SERIES, past or [], strict=True)
    ]
    labels = [f"{day:%m-%d}" if n % 7 == 0 else "" for n, day in enumerate(span)]
    return chart(counts, labels, span, "近 30 天业务量", "近 30 天各类业务的每日办理量")


def chart(
    counts: list[tuple[str, str, list[int]]],
    labels: list[str],
    days: list[datetime.date],
    caption: str,
    description: str,
) -> Trend:
    """Lines of counts over equal steps (days, months), each (label, colour, values); `labels`
    names the steps that show one."""
    steps = len(labels)
    peak = max([1, *(max(values) for _, _, values in counts)])
    step = (WIDTH - LEFT - 10) / max(steps - 1, 1)

    def y(value: int) -> float:
        return round(HEIGHT - BOTTOM - value * (HEIGHT - BOTTOM - TOP) / peak, 1)

    lines = [
        Line(
            label,
            color,
            " ".join(f"{LEFT + i * step:.1f},{y(v)}" for i, v in enumerate(values)),
            sum(values),
        )
        for label, color, values in counts
    ]
    ticks = [(value, y(value)) for value in sorted({0, peak // 2, peak})]
    step_ticks = [(text, round(LEFT + i * step, 1)) for i, text in enumerate(labels) if text]
    return Trend(lines, days, peak, ticks, step_ticks, caption=caption, description=description)


def _past_counts(user, span: list[datetime.date]) -> list[list[int]]:
    from django.apps import apps

    counts = []
    for _, _, model_name, stamp, _ in SERIES:
        rows = (
            apps.get_model(model_name)
            .objects.for_user(user)
            .filter(**{f"{stamp}__range": day_range(span[0], span[-1])})
            .annotate(day=TruncDate(stamp))
            .values("day")
            .annotate(n=Count("pk"))
        )
        by_day = {row["day"]: row["n"] for row in rows}
        counts.append([by_day.get(day, 0) for day in span])
    return counts
