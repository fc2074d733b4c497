"""Every role's home page: the station's day for a caseworker, the county's dashboard and
review queue for a supervisor, and the county's activity for an auditor."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.access import StaffRequest
from accounts.models import Policy, Role, Station, User
from audit.page_cache import kept_until_changed
from filing.models import Filing, pending_by_deadline, with_deadlines
from oversight import dashboard
from registry.models import ChangeStatus, Enrollment, InfoChange, StationTally
from reimbursement.models import CaseStatus, ReimbursementCase
from workdays.rules import unknown_years

# The longest-waiting cases on the home page; the case list has the rest.
WAITING_ON_HOME = 15
# Each follow-up list of the home page shows this many, the oldest first.
TO_DO = 20
# What the waiting cases show: the days waited, the kind, what is missing, the date.
WAITING_COLUMNS = [
    "kind",
    "total_cost",
    "birth",
    "accidental_injury",
    "received",
    "created_at",
    "station",
]


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
    return render(request, "oversight/home.html", {"today": today, "activity": activity})


def _activity_context(user: User, today) -> dict:
    stations: Any = Station.objects.filter(county=user.county)
    # Subqueries, not joins: several counted relations joined together would multiply rows.
    if user.is_caseworker:
        # The station's total, kept by the database as residents come and go (StationTally);
        # the county's dashboard shows today's work only.
        stations = stations.filter(pk=user.station_id).annotate(
            resident_count=Coalesce(
                Subquery(
                    StationTally.objects.filter(station=OuterRef("pk")).values("residents")[:1]
                ),
                0,
            )
        )
    stations = stations.annotate(
        enrollments_today=_count(Enrollment, today),
        changes_today=_count(InfoChange, today),
        cases_today=_count(ReimbursementCase, today),
        filings_today=_count(Filing, today, "submitted_at"),
    )
    # Each list reads the columns it shows, and the station only where rows of several
    # stations are listed: the page is rebuilt after every change at the station (issue #19).
    many_stations = not user.is_caseworker
    waiting = list(
        _listed(ReimbursementCase.objects.for_user(user), many_stations)
        .filter(status=CaseStatus.INCOMPLETE)
        .only(*WAITING_COLUMNS, "resident__name")
        .order_by("created_at")[: WAITING_ON_HOME + 1]
    )
    more_waiting = len(waiting) > WAITING_ON_HOME
    waiting = waiting[:WAITING_ON_HOME]
    policy = Policy.for_county(user.own_county)
    threshold = policy.large_amount_threshold
    for case in waiting:  # shown beside each case
        setattr(case, "waiting", case.waiting_days(today))  # noqa: B010
        setattr(case, "missing_labels", [item.label for item in case.missing(threshold)])  # noqa: B010
    pending_filings = trend = None
    pending_count = 0
    if user.is_supervisor:
        pending = pending_by_deadline(
            Filing.objects.for_user(user).select_related("resident", "station")
        )
        pending_count = pending.count()
        pending_filings = with_deadlines(pending[:10], today, policy)
        stations = list(stations)
        trend = dashboard.trend(user, today, stations)
    # The follow-ups each role must act on, or no one will (issue #18, 4 and 5).
    filings = _listed(Filing.objects.for_user(user), many_stations)
    changes = _listed(InfoChange.objects.for_user(user), many_stations)
    follow_ups: dict[str, Any] = {}
    if user.is_caseworker:
        follow_ups = {
            "returned_filings": list(
                filings.returned()
                .only("rejection_reason", "resident__name")
                .order_by("-reviewed_at")[:TO_DO]
            ),
            "unsigned_letters": list(
                filings.awaiting_letter()
                .only("submitted_at", "agent_name", "resident__name")
                .order_by("submitted_at")[:TO_DO]
            ),
            "unsigned_changes": list(
                changes.filter(status=ChangeStatus.DRAFT)
                .only("reason", "created_at", "resident__name")
                .order_by("created_at")[:TO_DO]
            ),
        }
    elif user.is_supervisor:
        follow_ups = {
            "id_corrections": list(
                changes.filter(status=ChangeStatus.AWAITING_APPROVAL).order_by("created_at")[:TO_DO]
            ),
        }
    open_enrollments = (
        Enrollment.objects.for_user(user)
        .filter(completed_at__isnull=True)
        .select_related("resident")
        .only("created_at", "completed_at", "newborn", "materials", "resident__name")
        .order_by("created_at")[:20]
    )
    return {
        "user": user,
        "stations": stations,
        "today": today,
        "waiting_cases": waiting,
        "more_waiting": more_waiting,
        "pending_filings": pending_filings,
        "pending_count": pending_count,
        "unknown_years": unknown_years(today) if pending_filings else [],
        "open_enrollments": open_enrollments,
        "trend": trend,
        **follow_ups,
    }


def _listed(queryset, many_stations: bool):
    """The resident of each row, and its station when the list is of several stations."""
    return queryset.select_related("resident", *(["station"] if many_stations else []))


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
