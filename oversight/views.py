"""Every role's home page: the station's day for a caseworker, the county's dashboard and
review queue for a supervisor, and the county's activity for an auditor."""

from __future__ import annotations

from typing import Any

from django.db import router
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
from core.rows import fetch as rows_of
from filing.models import Filing, filer_name, pending_by_deadline
from filing.rows import pending_rows
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


def _activity_context(user: User, today) -> dict:
    # Rebuilt after every change within the user's reach: the station's day and
    # the lists come in one round trip, their SQL compiled once per scope (and day) in this
    # process (core/rows.py), each list reading the columns it shows.
    rows = rows_of(_lists(user, today), using=router.db_for_read(Station))
    stations = rows["stations"]
    waiting = rows["waiting"]
    more_waiting = len(waiting) > WAITING_ON_HOME
    # The county's large-amount threshold comes with the rows; a county whose policy was never
    # saved has it made with the defaults here.
    threshold = (
        rows["threshold"][0]["large_amount_threshold"]
        if rows["threshold"]
        else Policy.for_county(user.own_county).large_amount_threshold
    )
    waiting_cases = [
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
    pending_filings = trend = None
    pending_count = 0
    follow_ups: dict[str, Any] = {}
    if user.is_supervisor:
        pending = pending_by_deadline(Filing.objects.for_user(user))
        pending_count = pending.count()
        pending_filings = pending_rows(pending[:10], today)
        trend = dashboard.trend(user, today, stations)
        follow_ups["id_corrections"] = list(
            InfoChange.objects.for_user(user)
            .select_related("resident", "station")
            .filter(status=ChangeStatus.AWAITING_APPROVAL)
            .order_by("created_at")[:TO_DO]
        )
    if user.is_caseworker:
        # The follow-ups only she can act on, or no one will.
        follow_ups["returned_filings"] = [
            _row("filing:detail", row, reason=row["rejection_reason"])
            for row in rows["returned_filings"]
        ]
        follow_ups["unsigned_letters"] = [
            _row(
                "filing:detail",
                row,
                date=dates.day(row["submitted_at"]),
                signer=filer_name(row["agent_name"], row["resident__name"]),
            )
            for row in rows["unsigned_letters"]
        ]
        follow_ups["unsigned_changes"] = [
            _row(
                "registry:change_detail",
                row,
                reason=row["reason"],
                date=dates.day(row["created_at"]),
            )
            for row in rows["unsigned_changes"]
        ]
    open_enrollments = [
        _row(
            "registry:enrollment_detail",
            row,
            date=dates.day(row["created_at"]),
            status=enrollment_status(False, row["newborn"], row["materials"]),
        )
        for row in rows["open_enrollments"]
    ]
    return {
        "user": user,
        "stations": stations,
        "today": today,
        "waiting_cases": waiting_cases,
        "more_waiting": more_waiting,
        "pending_filings": pending_filings,
        "pending_count": pending_count,
        "unknown_years": unknown_years(today) if pending_filings else [],
        "open_enrollments": open_enrollments,
        "trend": trend,
        **follow_ups,
    }


def _lists(user: User, today) -> dict:
    """{name: (key, build)}: what the home page reads, each a `values()` queryset whose SQL
    depends on nothing but its key (the user's role and scope; the day for today's counts)."""
    scope = (user.role, user.station_id, user.county_id)
    many_stations = not user.is_caseworker
    station = ["station__name"] if many_stations else []

    def stations():
        rows: Any = Station.objects.filter(county=user.county_id)
        counts = ["name"]
        if user.is_caseworker:
            # The station's total, kept by the database as residents come and go
            # (ResidentTally); the county's dashboard shows today's work only.
            rows = rows.filter(pk=user.station_id).annotate(
                resident_count=Coalesce(
                    Subquery(
                        ResidentTally.objects.filter(station=OuterRef("pk")).values("residents")[:1]
                    ),
                    0,
                )
            )
            counts.append("resident_count")
        # Subqueries, not joins: several counted relations joined would multiply rows.
        rows = rows.annotate(
            enrollments_today=_count(Enrollment, today),
            changes_today=_count(InfoChange, today),
            cases_today=_count(ReimbursementCase, today),
            filings_today=_count(Filing, today, "submitted_at"),
        )
        return rows.values(
            "pk", *counts, "enrollments_today", "changes_today", "cases_today", "filings_today"
        )

    lists = {
        "threshold": (
            ("home:threshold", user.county_id),
            lambda: Policy.objects.filter(county=user.county_id).values("large_amount_threshold"),
        ),
        "stations": (("home:stations", *scope, today), stations),
        "waiting": (
            ("home:waiting", *scope),
            lambda: (
                ReimbursementCase.objects.for_user(user)
                .filter(status=CaseStatus.INCOMPLETE)
                .order_by("created_at")
                .values("pk", "resident__name", *WAITING_COLUMNS, *station)[: WAITING_ON_HOME + 1]
            ),
        ),
        "open_enrollments": (
            ("home:enrollments", *scope),
            lambda: (
                Enrollment.objects.for_user(user)
                .filter(completed_at__isnull=True)
                .order_by("created_at")
                .values("pk", "resident__name", "newborn", "materials", "created_at")[:20]
            ),
        ),
    }
    if user.is_caseworker:
        lists["returned_filings"] = (
            ("home:returned", *scope),
            lambda: (
                Filing.objects.for_user(user)
                .returned()
                .order_by("-reviewed_at")
                .values("pk", "resident__name", "rejection_reason")[:TO_DO]
            ),
        )
        lists["unsigned_letters"] = (
            ("home:letters", *scope),
            lambda: (
                Filing.objects.for_user(user)
                .awaiting_letter()
                .order_by("submitted_at")
                .values("pk", "resident__name", "agent_name", "submitted_at")[:TO_DO]
            ),
        )
        lists["unsigned_changes"] = (
            ("home:changes", *scope),
            lambda: (
                InfoChange.objects.for_user(user)
                .filter(status=ChangeStatus.DRAFT)
                .order_by("created_at")
                .values("pk", "resident__name", "reason", "created_at")[:TO_DO]
            ),
        )
    return lists


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


def _row(page: str, row: dict, **shown) -> dict:
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
