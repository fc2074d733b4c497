"""Filings as pages show them: a status's badge, a validity in words, the rows of the pending
filings' lists. The rules they show are filing.models'; this module only words them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from accounts.models import Policy
from core import dates, regions
from core.labels import label
from core.links import record_url
from filing.models import (
    Category,
    Evidence,
    Filing,
    FilingStatus,
    review_deadline,
)
from workdays.rules import entered_days

# The colour of each status's badge; any other (已撤销, 已过期) is grey.
STATUS_BADGES = {
    FilingStatus.APPROVED.label: "text-bg-success",
    FilingStatus.PENDING.label: "text-bg-warning",
    FilingStatus.REJECTED.label: "text-bg-danger",
}


def status_badge(words: str) -> str:
    """The colours of a status's badge (filing/_status.html)."""
    return STATUS_BADGES.get(words, "text-bg-secondary")


def validity(start: datetime.date, end: datetime.date | None) -> str:
    """有效期 as lists and messages show it: no end date is 长期 (long-term residence) [000]."""
    return f"{start:%Y-%m-%d} 至 {f'{end:%Y-%m-%d}' if end else '长期'}"


# The columns a list of pending filings shows (filing/review_queue.html, the supervisor's home).
PENDING_LISTED = (
    "pk",
    "resident__name",
    "care_region_code",
    "category",
    "evidence",
    "station__name",
    "station__county_id",
    "submitted_at",
)


def pending_rows(rows: Iterable[dict], today: datetime.date) -> list[dict]:
    """A page of pending filings (`pending_by_deadline`, read as `values(*PENDING_LISTED)`)
    in words, each with its working-day deadline and whether it has passed [002]."""
    rows = list(rows)
    policies: dict[int, Policy] = {}
    entered = entered_days(today.year - 1, today.year + 1) if rows else {}
    shown = []
    for row in rows:
        county_id = row["station__county_id"]
        if county_id not in policies:
            policies[county_id] = Policy.for_county(county_id)
        deadline = review_deadline(row["submitted_at"], policies[county_id], entered)
        shown.append(
            {
                "url": record_url("filing:detail", row["pk"]),
                "name": row["resident__name"],
                "care_region": regions.region_name(row["care_region_code"]),
                "category": label(Category, row["category"]),
                "evidence": label(Evidence, row["evidence"]),
                "station": row["station__name"],
                "submitted": dates.minute(row["submitted_at"]),
                "deadline": f"{deadline:%Y-%m-%d}",
                "overdue": deadline < today,
            }
        )
    return shown


def badge_of(filing: Filing) -> tuple[str, str]:
    """The status as shown (filing/_status.html): its words and its badge's colours."""
    words = filing.status_display
    return words, status_badge(words)
