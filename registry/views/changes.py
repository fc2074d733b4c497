"""参保信息变更登记 (DOMAIN.md §1.2): the change, its materials, a supervisor's decision on an
ID correction, the printed 变更登记表."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import STAFF, StaffRequest, get_for_user, role_required
from accounts.models import Role
from audit.trail import record_trail
from core.errors import in_words, place_on
from registry import prints, services
from registry.forms import (
    InfoChangeForm,
)
from registry.models import (
    ChangeStatus,
    InfoChange,
    Resident,
)
from security.idempotency import idempotent
from security.privacy import (
    personal_printable,
)


@role_required(Role.CASEWORKER)
@idempotent
def change_create(request: StaffRequest, resident_pk: int) -> HttpResponse:
    resident = get_for_user(Resident.objects.select_related("household"), request, pk=resident_pk)
    # The form works on its own copy: the original keeps the old values to compare with.
    copy = Resident.objects.select_related("household").get(pk=resident.pk)
    form = InfoChangeForm(request.POST or None, instance=copy, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.request_change(
                resident=resident,
                user=request.user,
                new_values=form.new_values(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as refusal:
            place_on(form, refusal)
        else:
            messages.success(request, "已登记变更事项，请打印变更登记表请参保人签字。")
            return redirect(change)
    return render(request, "registry/change_form.html", {"form": form, "resident": resident})


@role_required(*STAFF)
def change_detail(request: StaffRequest, pk: int) -> HttpResponse:
    change = get_for_user(
        InfoChange.objects.select_related("resident", "created_by", "reviewed_by"), request, pk=pk
    )
    return render(
        request,
        "registry/change_detail.html",
        {"change": change, "history": record_trail(change), "statuses": ChangeStatus},
    )


@require_POST
@role_required(Role.CASEWORKER)
def change_complete(request: StaffRequest, pk: int) -> HttpResponse:
    change = get_for_user(InfoChange.objects.all(), request, pk=pk)
    try:
        change = services.complete_change(
            change,
            user=request.user,
            id_card_sighted=bool(request.POST.get("id_card_sighted")),
            form_signed=bool(request.POST.get("form_signed")),
        )
    except ValidationError as refusal:
        messages.error(request, in_words(refusal))
    else:
        if change.status == ChangeStatus.AWAITING_APPROVAL:
            messages.success(request, "身份证号码更正已提交审核员审核。")
        else:
            messages.success(request, "参保信息已变更。")
    return redirect(change)


@require_POST
@role_required(Role.SUPERVISOR)
def change_decide(request: StaffRequest, pk: int) -> HttpResponse:
    change = get_for_user(InfoChange.objects.all(), request, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_change(
            change,
            supervisor=request.user,
            approve=approve,
            reason=request.POST.get("reason", "").strip()[:200],
        )
    except ValidationError as refusal:
        messages.error(request, in_words(refusal))
    else:
        messages.success(request, "已审核通过，参保信息已更正。" if approve else "已退回该更正。")
    return redirect(change)


@role_required(*STAFF)
def change_registration_form(request: StaffRequest, pk: int) -> HttpResponse:
    """《基本医疗保险参保信息变更登记表》: item, old value, new value, reason."""
    change = get_for_user(
        InfoChange.objects.select_related("resident", "station", "created_by"), request, pk=pk
    )
    template_name, context, title = prints.change_form(change)
    return personal_printable(
        request,
        subject=change,
        template_name=template_name,
        context=context,
        filename=f"{title}.pdf",
        checked={"姓名": change.resident.name}
        | {item["label"]: item["new"] for item in change.items},
        back_url=change.get_absolute_url(),
    )
