"""Households (户口簿): registering, the household's page with its members, editing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import STAFF, StaffRequest, get_for_user, role_required
from accounts.models import Role
from audit.trail import record_trail
from registry.forms import (
    HouseholdForm,
)
from registry.models import (
    Household,
    Resident,
)
from security.idempotency import idempotent


@role_required(Role.CASEWORKER)
@idempotent
def household_create(request: StaffRequest) -> HttpResponse:
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        household = form.save()
        messages.success(request, f"已登记户号 {household.household_number}。")
        return redirect(household)
    return render(request, "registry/household_form.html", {"form": form})


@role_required(*STAFF)
def household_detail(request: StaffRequest, pk: int) -> HttpResponse:
    household = get_for_user(Household.objects.all(), request, pk=pk)
    members = Resident.objects.for_user(request.user).filter(household=household).order_by("pk")
    return render(
        request,
        "registry/household_detail.html",
        {"household": household, "members": members, "history": record_trail(household)},
    )


@role_required(Role.CASEWORKER)
def household_edit(request: StaffRequest, pk: int) -> HttpResponse:
    household = get_for_user(Household.objects.all(), request, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存户号 {household.household_number}。")
        return redirect(household)
    return render(request, "registry/household_form.html", {"form": form, "household": household})
