from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import STAFF, get_for_user, role_required
from accounts.models import Role
from audit.history import history_entries
from printing.pdf import printable_response
from registry.forms import HouseholdForm, ResidentForm, SearchForm
from registry.models import Household, Resident


@role_required(*STAFF)
def resident_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    residents = Resident.objects.for_user(request.user).select_related("household", "station")
    query = form.cleaned_data["q"] if form.is_valid() else ""
    residents = residents.search(query)
    page = Paginator(residents, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "registry/resident_list.html", {"form": form, "page": page, "query": query}
    )


@role_required(Role.CASEWORKER)
def resident_create(request: HttpRequest) -> HttpResponse:
    form = ResidentForm(
        request.POST or None,
        user=request.user,
        initial={"id_number": request.GET.get("id_number", "")},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            resident = form.save()
        messages.success(request, f"已登记参保人 {resident.name}。")
        return redirect(resident)
    return render(request, "registry/resident_form.html", {"form": form})


@role_required(*STAFF)
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_for_user(Resident.objects.select_related("household", "station"), request, pk=pk)
    return render(
        request,
        "registry/resident_detail.html",
        {"resident": resident, "history": history_entries(resident)},
    )


@role_required(Role.CASEWORKER)
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_for_user(Resident.objects.all(), request, pk=pk)
    form = ResidentForm(request.POST or None, instance=resident, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, f"已保存 {resident.name} 的信息。")
        return redirect(resident)
    return render(request, "registry/resident_form.html", {"form": form, "resident": resident})


@role_required(Role.CASEWORKER)
def household_create(request: HttpRequest) -> HttpResponse:
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            household = form.save()
        messages.success(request, f"已登记户号 {household.household_number}。")
        return redirect(household)
    return render(request, "registry/household_form.html", {"form": form})


@role_required(*STAFF)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    households = Household.objects.prefetch_related(
        Prefetch("members", queryset=Resident.objects.order_by("pk"))
    )
    household = get_for_user(households, request, pk=pk)
    return render(
        request,
        "registry/household_detail.html",
        {"household": household, "history": history_entries(household)},
    )


@role_required(Role.CASEWORKER)
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_for_user(Household.objects.all(), request, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, f"已保存户号 {household.household_number}。")
        return redirect(household)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


@role_required(Role.CASEWORKER)
def registration_form(request: HttpRequest, pk: int) -> HttpResponse:
    """《城乡居民基本医疗保险参保登记表》, pre-filled for the resident to sign."""
    resident = get_for_user(Resident.objects.select_related("household", "station"), request, pk=pk)
    household = resident.household
    members = list(household.members.exclude(pk=resident.pk).order_by("pk")) if household else []
    context = {
        "resident": resident,
        "household": household,
        "members": members,
        "station": resident.station,
        "caseworker": request.user,
        "today": timezone.localdate(),
    }
    checked = {"姓名": resident.name, "现住址": resident.address}
    checked.update({f"家庭成员{m.name}": m.name for m in members})
    return printable_response(
        request,
        template_name="registry/print/registration_form.html",
        context=context,
        filename=f"参保登记表-{resident.name}.pdf",
        checked=checked,
        back_url=resident.get_absolute_url(),
    )
