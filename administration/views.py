"""The administrator's pages: staff accounts, stations, the county's policy, the holiday
calendar and unlocking accounts. Each change is in the records' history and the audit trail."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import StaffRequest, role_required
from accounts.models import SERVER_MANAGED_ROLES, Policy, Role, Station, User
from administration.forms import CalendarDayForm, PolicyForm, StaffForm, StationForm
from audit.log import append
from audit.models import Action
from audit.trail import record_trail
from security.devices import DEVICE_MARK, login_name
from security.idempotency import idempotent
from workdays.models import CalendarDay, PublishedYear
from workdays.rules import unknown_years


@role_required(Role.ADMINISTRATOR)
def staff_list(request: StaffRequest) -> HttpResponse:
    from axes.models import AccessAttempt

    staff = User.objects.filter(county=request.user.county).select_related("station")
    locked = {
        login_name(counted)
        for counted in AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        ).values_list("username", flat=True)
    }
    return render(
        request,
        "administration/staff_list.html",
        {"staff": staff.order_by("role", "station__name", "username"), "locked": locked},
    )


# Separation of duties (等保 2.0): whoever administers accounts does not decide who reviews
# and audits them (accounts.models.SERVER_MANAGED_ROLES).
MANAGED_ON_THE_SERVER = (
    "审核员和审计员账户由服务器上的管理命令（manage.py supervisor、manage.py auditor）维护，"
    "系统管理员不能新建、修改或重置密码。"
)


def _staff_form(request: StaffRequest, instance: User | None) -> HttpResponse:
    form = StaffForm(request.POST or None, instance=instance, administrator=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, f"已保存工作人员 {user.full_name}。")
        return redirect("administration:staff_list")
    return render(request, "administration/staff_form.html", {"form": form, "member": instance})


@role_required(Role.ADMINISTRATOR)
@idempotent
def staff_create(request: StaffRequest) -> HttpResponse:
    return _staff_form(request, None)


@role_required(Role.ADMINISTRATOR)
def staff_edit(request: StaffRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk, county=request.user.county, is_superuser=False)
    if member.role in SERVER_MANAGED_ROLES:
        messages.error(request, MANAGED_ON_THE_SERVER)
        return redirect("administration:staff_list")
    return _staff_form(request, member)


@role_required(Role.ADMINISTRATOR)
def station_list(request: StaffRequest) -> HttpResponse:
    stations = Station.objects.filter(county=request.user.county).annotate(
        staff_count=Count("staff", distinct=True), resident_count=Count("residents", distinct=True)
    )
    return render(request, "administration/station_list.html", {"stations": stations})


def _station_form(request: StaffRequest, instance: Station | None) -> HttpResponse:
    form = StationForm(request.POST or None, instance=instance, administrator=request.user)
    if request.method == "POST" and form.is_valid():
        station = form.save()
        messages.success(request, f"已保存医保站 {station.name}。")
        return redirect("administration:station_list")
    return render(request, "administration/station_form.html", {"form": form, "station": instance})


@role_required(Role.ADMINISTRATOR)
@idempotent
def station_create(request: StaffRequest) -> HttpResponse:
    return _station_form(request, None)


@role_required(Role.ADMINISTRATOR)
def station_edit(request: StaffRequest, pk: int) -> HttpResponse:
    return _station_form(request, get_object_or_404(Station, pk=pk, county=request.user.county))


@role_required(Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AUDITOR)
def policy(request: StaffRequest) -> HttpResponse:
    """Administrators edit the county's policy; supervisors and auditors read it and its
    history (the administrator may not read the audit trail, DOMAIN.md)."""
    current = Policy.for_county(request.user.own_county)
    form = PolicyForm(request.POST or None, instance=current)
    if not request.user.is_administrator:
        for field in form.fields.values():
            field.disabled = True
    elif request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "政策参数已保存。")
        return redirect("administration:policy")
    history = record_trail(current) if request.user.can_read_history else None
    return render(
        request, "administration/policy.html", {"form": form, "policy": current, "history": history}
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def unlock(request: StaffRequest, pk: int) -> HttpResponse:
    """An administrator unlocks an account of the county; the unlock is in the audit trail."""
    from axes.models import AccessAttempt
    from axes.utils import reset

    member = get_object_or_404(User, pk=pk, county=request.user.county)
    reset(username=member.username)
    # Its failures on the PCs it signed in at are counted apart (security/devices.py).
    AccessAttempt.objects.filter(username__startswith=member.username + DEVICE_MARK).delete()
    append(
        action=Action.UNLOCK,
        user=request.user,
        request=request,
        instance=member,
        detail=f"解除 {member.username} 的登录锁定",
    )
    messages.success(request, f"已解除 {member.full_name} 的登录锁定。")
    return redirect("administration:staff_list")


@role_required(Role.ADMINISTRATOR)
def calendar(request: StaffRequest) -> HttpResponse:
    """The administrator enters a year's holidays and 调休 working days once the State
    Council publishes them (around November for the next year)."""
    today = timezone.localdate()
    if request.method == "POST" and "publish" in request.POST:
        return _publish_year(request, request.POST["publish"], today)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        CalendarDay.objects.update_or_create(
            date=form.cleaned_data["date"],
            defaults={
                "is_working_day": form.cleaned_data["is_working_day"],
                "note": form.cleaned_data["note"],
            },
        )
        messages.success(request, f"已保存 {form.cleaned_data['date']:%Y-%m-%d} 的安排。")
        return redirect("administration:calendar")
    return render(
        request,
        "administration/calendar.html",
        {
            "form": form,
            "days": CalendarDay.objects.filter(date__year__gte=today.year),
            "unknown_years": unknown_years(today),
        },
    )


def _publish_year(request: StaffRequest, posted: str, today: datetime.date) -> HttpResponse:
    """The administrator confirms a year's days are all entered: deadlines in it stop saying
    they count plain weekdays."""
    year = int(posted) if posted.isascii() and posted.isdigit() and len(posted) == 4 else 0
    if year not in unknown_years(today):
        messages.error(request, "只能确认今年或明年尚未公布的年度安排。")
    elif not CalendarDay.objects.filter(date__year=year).exists():
        messages.error(request, f"请先逐日录入 {year} 年的放假日和调休上班日，再确认已全部录入。")
    else:
        PublishedYear.objects.get_or_create(year=year)
        messages.success(request, f"已确认 {year} 年的节假日安排全部录入，审核时限按此计算。")
    return redirect("administration:calendar")
