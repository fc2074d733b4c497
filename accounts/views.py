from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import dashboard
from accounts.access import role_required
from accounts.forms import PolicyForm, StaffForm, StationForm
from accounts.models import Policy, Role, Station, User
from audit.log import kept_until_changed
from audit.views import record_trail
from filing.models import Filing, pending_by_deadline, with_deadlines
from registry.models import Enrollment, InfoChange, Resident
from reimbursement.models import ReimbursementCase
from reimbursement.models import Status as CaseStatus
from security.idempotency import idempotent


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Django sets the length on the field but adds no validator: without one, an
        # over-long name reaches authentication and the failed-login counter.
        self.fields["username"].validators.append(MaxLengthValidator(150))


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


login_view = login_not_required(LoginView.as_view())


# The longest-waiting cases on the home page; the case list has the rest.
WAITING_ON_HOME = 15


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.ADMINISTRATOR:
        return redirect("accounts:staff_list")
    today = timezone.localdate()
    # The most visited page of the portal, built from many rows: the station's day (the
    # county's, for a supervisor or auditor) is kept until the next change there or the next day.
    activity = kept_until_changed(
        f"home:{user.role}:{today.isoformat()}",
        user,
        lambda: render_to_string("accounts/_activity.html", _activity_context(user, today)),
    )
    return render(request, "accounts/home.html", {"today": today, "activity": activity})


def _activity_context(user: User, today) -> dict:
    stations = Station.objects.filter(county=user.county)
    # Subqueries, not joins: several counted relations joined together would multiply rows.
    if user.is_caseworker:
        # One station's total is one index count; the county's twenty would cost more than
        # the rest of the dashboard, so it shows today's work only.
        stations = stations.filter(pk=user.station_id).annotate(resident_count=_count(Resident))
    stations = stations.annotate(
        enrollments_today=_count(Enrollment, today),
        changes_today=_count(InfoChange, today),
        cases_today=_count(ReimbursementCase, today),
        filings_today=_count(Filing, today, "submitted_at"),
    )
    waiting = list(
        ReimbursementCase.objects.for_user(user)
        .filter(status=CaseStatus.INCOMPLETE)
        .select_related("resident", "station")
        .order_by("created_at")[: WAITING_ON_HOME + 1]
    )
    more_waiting = len(waiting) > WAITING_ON_HOME
    waiting = waiting[:WAITING_ON_HOME]
    policy = Policy.for_county(user.county)
    threshold = policy.large_amount_threshold
    for case in waiting:
        case.waiting = case.waiting_days(today)
        case.missing_labels = [item.label for item in case.missing(threshold)]
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
    open_enrollments = (
        Enrollment.objects.for_user(user)
        .filter(completed_at__isnull=True)
        .select_related("resident")
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
        "open_enrollments": open_enrollments,
        "trend": trend,
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


@role_required(Role.ADMINISTRATOR)
def staff_list(request: HttpRequest) -> HttpResponse:
    from axes.models import AccessAttempt

    staff = User.objects.filter(county=request.user.county).select_related("station")
    locked = set(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).values_list("username", flat=True)
    )
    return render(
        request,
        "accounts/staff_list.html",
        {"staff": staff.order_by("role", "station__name", "username"), "locked": locked},
    )


def _staff_form(request: HttpRequest, instance: User | None) -> HttpResponse:
    form = StaffForm(request.POST or None, instance=instance, administrator=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
        messages.success(request, f"已保存工作人员 {user.full_name}。")
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "member": instance})


@role_required(Role.ADMINISTRATOR)
@idempotent
def staff_create(request: HttpRequest) -> HttpResponse:
    return _staff_form(request, None)


@role_required(Role.ADMINISTRATOR)
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk, county=request.user.county, is_superuser=False)
    return _staff_form(request, member)


@role_required(Role.ADMINISTRATOR)
def station_list(request: HttpRequest) -> HttpResponse:
    stations = Station.objects.filter(county=request.user.county).annotate(
        staff_count=Count("staff", distinct=True), resident_count=Count("residents", distinct=True)
    )
    return render(request, "accounts/station_list.html", {"stations": stations})


def _station_form(request: HttpRequest, instance: Station | None) -> HttpResponse:
    form = StationForm(request.POST or None, instance=instance, administrator=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            station = form.save()
        messages.success(request, f"已保存医保站 {station.name}。")
        return redirect("accounts:station_list")
    return render(request, "accounts/station_form.html", {"form": form, "station": instance})


@role_required(Role.ADMINISTRATOR)
@idempotent
def station_create(request: HttpRequest) -> HttpResponse:
    return _station_form(request, None)


@role_required(Role.ADMINISTRATOR)
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _station_form(request, get_object_or_404(Station, pk=pk, county=request.user.county))


@role_required(Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AUDITOR)
def policy(request: HttpRequest) -> HttpResponse:
    """Administrators edit the county's policy; supervisors and auditors read it and its
    history (the administrator may not read the audit trail, DOMAIN.md)."""
    current = Policy.for_county(request.user.county)
    form = PolicyForm(request.POST or None, instance=current)
    if not request.user.is_administrator:
        for field in form.fields.values():
            field.disabled = True
    elif request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, "政策参数已保存。")
        return redirect("accounts:policy")
    history = record_trail(current) if request.user.can_read_history else None
    return render(
        request, "accounts/policy.html", {"form": form, "policy": current, "history": history}
    )
