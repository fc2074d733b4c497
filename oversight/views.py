"""Every role's home page: the station's day for a caseworker, the county's dashboard and
review queue for a supervisor, and the county's activity for an auditor."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.access import StaffRequest
from accounts.models import Policy, Role, Station, User
from audit.anchors import refusal_shown
from audit.page_cache import kept_until_changed
from core import dates
from core.labels import label
from core.links import record_url
from filing.models import Filing, filer_name, pending_by_deadline
from filing.rows import PENDING_LISTED, pending_rows
from messaging.models import TextMessage, TextStatus
from messaging.texts import Purpose
from oversight import dashboard
from registry.models import (
    ChangeStatus,
    Enrollment,
    InfoChange,
    ResidentTally,
    enrollment_status,
)
from reimbursement.models import CaseKind, CaseStatus, ReimbursementCase, checklist, waiting_days
from workdays.rules import unknown_years

# The longest-waiting cases on the home page; the case list has the rest.
WAITING_ON_HOME = 15
# Each follow-up list of the home page shows this many, the oldest first.
TO_DO = 20
# What the waiting cases show: the days waited, the kind, what is missing, the date.
WAITING_COLUMNS = ["kind", "total_cost", "birth", "accidental_injury", "received", "created_at"]


def home(request: StaffRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.ADMINISTRATOR:
        return redirect("administration:staff_list")
    today = timezone.localdate()
    # The most visited page of the portal, built from many rows: the station's day (the
    # county's, for a supervisor or auditor) is kept until the next change there or the next day.
    activity = kept_until_changed(
        f"home:{user.role}:{today.isoformat()}",
        user,
        lambda: render_to_string("oversight/_activity.html", _activity_context(user, today)),
    )
    return render(
        request,
        "oversight/home.html",
        {"today": today, "activity": activity, "anchor_refusal": refusal_shown(user.role)},
    )


def _activity_context(user: User, today: datetime.date) -> dict:
    """What the home page lists for the user's reach, read top to bottom: the day's counts,
    the cases waiting for documents, the open enrollments, and the role's own work. Each list
    reads only the columns it shows, as values, and is worded once here."""
    stations = _station_days(user, today)
    context = {
        "user": user,
        "today": today,
        "stations": stations,
        **_waiting_cases(user, today),
        "open_enrollments": _open_enrollments(user),
        "pending_filings": None,  # a supervisor's (_review_work)
        "trend": None,
    }
    if user.is_supervisor:
        context.update(_review_work(user, today, stations))
    if user.is_caseworker:
        context.update(_follow_ups(user))
    return context


def _station_days(user: User, today: datetime.date) -> list[dict]:
    """Today's work of each station within reach; a caseworker's station with its total of
    residents too (the tally the database keeps: ResidentTally)."""
    stations: Any = Station.objects.filter(county=user.county_id)
    columns = ["pk", "name"]
    if user.is_caseworker:
        tally = ResidentTally.objects.filter(station=OuterRef("pk")).values("residents")[:1]
        stations = stations.filter(pk=user.station_id).annotate(
            resident_count=Coalesce(Subquery(tally), 0)
        )
        columns.append("resident_count")
    # Subqueries, not joins: several counted relations joined would multiply rows.
    stations = stations.annotate(
        enrollments_today=_count(Enrollment, today),
        changes_today=_count(InfoChange, today),
        cases_today=_count(ReimbursementCase, today),
        filings_today=_count(Filing, today, "submitted_at"),
    )
    return list(
        stations.values(
            *columns, "enrollments_today", "changes_today", "cases_today", "filings_today"
        )
    )


def _waiting_cases(user: User, today: datetime.date) -> dict:
    """The cases waiting longest for documents, each with what is still missing."""
    station = [] if user.is_caseworker else ["station__name"]
    waiting = list(
        ReimbursementCase.objects.for_user(user)
        .filter(status=CaseStatus.INCOMPLETE)
        .order_by("created_at")
        .values("pk", "resident__name", *WAITING_COLUMNS, *station)[: WAITING_ON_HOME + 1]
    )
    threshold = Policy.for_county(user.own_county).large_amount_threshold
    cases = [
        _row(
            "reimbursement:detail",
            case,
            kind=label(CaseKind, case["kind"]),
            waiting=waiting_days(case["created_at"], today),
            missing_labels=[
                item.label for item in _checklist(case, threshold) if not item.received
            ],
            accepted=dates.day(case["created_at"]),
            station=case.get("station__name", ""),
        )
        for case in waiting[:WAITING_ON_HOME]
    ]
    return {"waiting_cases": cases, "more_waiting": len(waiting) > WAITING_ON_HOME}


def _open_enrollments(user: User) -> list[dict]:
    """Enrollments not yet complete, the oldest first."""
    rows = (
        Enrollment.objects.for_user(user)
        .filter(completed_at__isnull=True)
        .order_by("created_at")
        .values("pk", "resident__name", "newborn", "received", "created_at")[:TO_DO]
    )
    return [
        _row(
            "registry:enrollment_detail",
            row,
            date=dates.day(row["created_at"]),
            status=enrollment_status(False, row["newborn"], row["received"]),
        )
        for row in rows
    ]


def _review_work(user: User, today: datetime.date, stations: list[dict]) -> dict:
    """A supervisor's: the filings a review can decide, the ID corrections, the trend."""
    pending = pending_by_deadline(Filing.objects.for_user(user))
    pending_filings = pending_rows(pending.values(*PENDING_LISTED)[:10], today)
    return {
        "pending_filings": pending_filings,
        "pending_count": pending.count(),
        "unknown_years": unknown_years(today) if pending_filings else [],
        "trend": dashboard.trend(user, today, stations),
        "id_corrections": list(
            InfoChange.objects.for_user(user)
            .select_related("resident", "station")
            .filter(status=ChangeStatus.AWAITING_APPROVAL)
            .order_by("created_at")[:TO_DO]
        ),
    }


def _follow_ups(user: User) -> dict:
    """A caseworker's: what only she can act on, or no one will."""
    returned = (
        Filing.objects.for_user(user)
        .returned()
        .order_by("-reviewed_at")
        .values("pk", "resident__name", "rejection_reason")[:TO_DO]
    )
    letters = (
        Filing.objects.for_user(user)
        .awaiting_letter()
        .order_by("submitted_at")
        .values("pk", "resident__name", "agent_name", "submitted_at")[:TO_DO]
    )
    paper = (
        Filing.objects.for_user(user)
        .paper_to_scan()
        .order_by("submitted_at")
        .values("pk", "resident__name", "submitted_at")[:TO_DO]
    )
    changes = (
        InfoChange.objects.for_user(user)
        .filter(status=ChangeStatus.DRAFT)
        .order_by("created_at")
        .values("pk", "resident__name", "reason", "created_at")[:TO_DO]
    )
    to_call = (
        TextMessage.objects.for_user(user)
        .filter(status=TextStatus.TO_CALL)
        .order_by("created_at")
        .values("pk", "name", "purpose", "link", "created_at")[:TO_DO]
    )
    return {
        "texts_to_call": [
            {
                "url": row["link"],
                "name": row["name"],
                "purpose": label(Purpose, row["purpose"]),
                "date": dates.day(row["created_at"]),
            }
            for row in to_call
        ],
        "returned_filings": [
            _row(
                "filing:detail",
                row,
                reason=row["rejection_reason"],
                notice_url=record_url("filing:rejection_notice", row["pk"]),
                call_back_url=record_url("filing:call_back", row["pk"]),
            )
            for row in returned
        ],
        "unsigned_letters": [
            _row(
                "filing:detail",
                row,
                date=dates.day(row["submitted_at"]),
                signer=filer_name(row["agent_name"], row["resident__name"]),
            )
            for row in letters
        ],
        "paper_letters": [
            _row("filing:detail", row, date=dates.day(row["submitted_at"])) for row in paper
        ],
        "unsigned_changes": [
            _row(
                "registry:change_detail",
                row,
                reason=row["reason"],
                date=dates.day(row["created_at"]),
            )
            for row in changes
        ],
    }


def _checklist(case: dict, threshold):
    """The case's documents (reimbursement.models.checklist), from its listed columns."""
    return checklist(
        kind=case["kind"],
        total_cost=case["total_cost"],
        birth=case["birth"],
        accidental_injury=case["accidental_injury"],
        threshold=threshold,
        received=case["received"],
    )


def _row(page: str, row: Mapping[str, Any], **shown: Any) -> dict:
    """A listed record: its page's address, the resident's name, and what the list shows,
    worded here (a dict: the template finds its keys first)."""
    return {
        "url": record_url(page, row["pk"]),
        "pk": row["pk"],
        "name": row["resident__name"],
        **shown,
    }


def _count(model, day=None, stamp: str = "created_at"):
    rows = model.objects.filter(station=OuterRef("pk"))
    if day is not None:
        # A range on the stored time, not `__date`: the (station, time) index serves it.
        rows = rows.filter(**{f"{stamp}__range": dashboard.day_range(day, day)})
    return Coalesce(
        # COUNT(*), not COUNT(id): the (station) index alone can answer it, without the rows.
        Subquery(rows.order_by().values("station").annotate(n=Count("*")).values("n")[:1]),
        0,
        output_field=IntegerField(),
    )
