"""Residents: the list and its search, registration, the record's page with the audited
reveal of its full numbers, editing, the printed 参保登记表 and the Excel export."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import STAFF, StaffRequest, get_for_user, role_required
from accounts.models import Role
from audit.exports import exported_workbook
from audit.exports import spreadsheet_cell as _cell
from audit.log import append
from audit.models import Action
from audit.trail import record_trail
from core import id_numbers
from core.links import record_url
from core.replica import reads_from_replica
from registry import prints
from registry.forms import (
    ResidentForm,
)
from registry.lookup import resident_within_reach
from registry.models import (
    Enrollment,
    Resident,
    ResidentTally,
    sex_display,
)
from security.idempotency import idempotent
from security.privacy import (
    PRINTS_FULL_NUMBERS,
    id_number_problem,
    kept_search,
    personal_printable,
    posted_text,
    prefilled_id_number,
    remembered_search,
    search_context,
)

# The columns the list shows (registry/_resident_table.html).
LISTED = ("pk", "name", "id_number", "household__household_number", "phone", "station__name")
# By name (a search by a name's start finds its exact match first, as a prefix sorts first),
# read by keyset from the (station, name, id) index.
ORDER = ("name", "pk")


def _listed(row: dict, today: datetime.date) -> dict:
    """A row of the list with its words made here, once: the template only places them. The
    numbers are masked here, as everywhere a list shows them."""
    number = row["id_number"]
    return {
        "url": record_url("registry:resident_detail", row["pk"]),
        "name": row["name"],
        "id_number": id_numbers.mask(number),
        "sex": sex_display(number),
        "age": id_numbers.age(number, today),
        "household": row["household__household_number"] or "—",
        "phone": id_numbers.mask_phone(row["phone"]) or "—",
        "station": row["station__name"],
    }


@role_required(*STAFF)
@reads_from_replica
def resident_list(request: StaffRequest) -> HttpResponse:
    query, answer = remembered_search(request, "residents")
    if answer:
        return answer
    card = _by_card(request, query)
    if isinstance(card, HttpResponse):
        return card
    residents = Resident.objects.for_user(request.user).search(query)
    page = ResidentTally.page(residents, LISTED, ORDER, request.user, request.GET, bool(query))
    today = timezone.localdate()
    rows = [_listed(row, today) for row in page.object_list]
    return render(
        request,
        "registry/resident_list.html",
        {"page": page, "rows": rows, **search_context(query), **card},
    )


def _by_card(request: StaffRequest, query: str) -> HttpResponse | dict:
    """A full, valid ID number (typed, or read from the card): the resident's page at once,
    the hub of the visit. Nobody with it: the caseworker is offered 办理参保登记 with the
    number carried. Another station's resident: said, not shown (the lookup is audited)."""
    number = id_numbers.normalize(query)
    if len(number) != 18 or id_number_problem(number):
        return {}
    try:
        resident = resident_within_reach(
            request.user, number, request=request, purpose="查找参保人"
        )
    except ValidationError as refusal:
        return {"elsewhere": refusal.messages[0]}
    if resident is not None:
        return redirect(resident)
    caseworker = request.user.role == Role.CASEWORKER
    return {"unregistered": True, "enroll_with": number if caseworker else ""}


@role_required(Role.CASEWORKER)
@idempotent
def resident_create(request: StaffRequest) -> HttpResponse:
    form = ResidentForm(
        request.POST or None,
        user=request.user,
        initial={"id_number": prefilled_id_number(request)},
    )
    if request.method == "POST" and form.is_valid():
        resident = form.save()
        messages.success(request, f"已登记参保人 {resident.name}。")
        return redirect(resident)
    return render(request, "registry/resident_form.html", {"form": form})


@role_required(*STAFF)
def resident_detail(request: StaffRequest, pk: int) -> HttpResponse:
    resident = get_for_user(Resident.objects.select_related("household", "station"), request, pk=pk)
    return _resident_page(request, resident, revealed=False)


@require_POST
@role_required(*STAFF)
def reveal(request: StaffRequest, pk: int) -> HttpResponse:
    """The full ID and phone numbers, shown once, for a stated reason that goes into the
    audit trail (个人信息保护法: personal data only as far as the task needs)."""
    resident = get_for_user(Resident.objects.select_related("household", "station"), request, pk=pk)
    reason = posted_text(request, "reason", 100)
    if not reason:
        messages.error(request, "查看完整号码须填写原因。")
        return redirect(resident)
    append(
        action=Action.REVEAL,
        user=request.user,
        request=request,
        instance=resident,
        detail=f"查看完整身份证号码和电话（含变更记录中的新旧号码）：{reason}",
    )
    return _resident_page(request, resident, revealed=True)


def _resident_page(request: StaffRequest, resident: Resident, *, revealed: bool) -> HttpResponse:
    return render(
        request,
        "registry/resident_detail.html",
        {
            "resident": resident,
            "revealed": revealed,
            # The resident's records as far as the user reaches (a resident who moved
            # station leaves her earlier records with the station that kept them).
            "enrollment": Enrollment.objects.for_user(request.user)
            .filter(resident=resident)
            .first(),
            "changes": resident.info_changes.for_user(request.user).select_related("created_by"),
            "filings": resident.filings.for_user(request.user),
            "cases": resident.reimbursement_cases.for_user(request.user),
            "history": record_trail(resident),
        },
    )


@role_required(Role.CASEWORKER, Role.SUPERVISOR)
def resident_edit(request: StaffRequest, pk: int) -> HttpResponse:
    """修改信息: while the caseworker's registration is unfinished, or a supervisor's
    correction with a reason. Anything else goes through 信息变更登记
    (Resident.direct_edit_refusal)."""
    resident = get_for_user(Resident.objects.all(), request, pk=pk)
    refusal = resident.direct_edit_refusal(request.user)
    if refusal:
        messages.info(request, refusal)
        if request.user.is_caseworker:
            return redirect("registry:change_create", resident_pk=resident.pk)
        return redirect(resident)
    form = ResidentForm(request.POST or None, instance=resident, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.instance._change_reason = form.edit_reason()  # django-simple-history reads it
        form.save()
        messages.success(request, f"已保存 {resident.name} 的信息。")
        return redirect(resident)
    return render(request, "registry/resident_form.html", {"form": form, "resident": resident})


@role_required(Role.CASEWORKER)
def registration_form(request: StaffRequest, pk: int) -> HttpResponse:
    """《城乡居民基本医疗保险参保登记表》, pre-filled for the resident to sign."""
    resident = get_for_user(Resident.objects.select_related("household", "station"), request, pk=pk)
    template_name, context, title = prints.registration_form(resident, request.user)
    enrollment, members = context["enrollment"], context["members"]
    checked = {"姓名": resident.name, "现住址": resident.address}
    if enrollment and enrollment.guardian_name:
        checked["监护人"] = enrollment.guardian_name
    checked.update({f"家庭成员{m.name}": m.name for m in members})
    return personal_printable(
        request,
        subject=resident,
        template_name=template_name,
        context=context,
        filename=f"{title}.pdf",
        checked=checked,
        # Back to an unfinished registration, where the signed form is ticked next.
        back_url=(
            enrollment.get_absolute_url()
            if enrollment and not enrollment.is_complete
            else resident.get_absolute_url()
        ),
    )


EXPORT_COLUMNS = (
    "姓名",
    "身份证号码",
    "性别",
    "出生日期",
    "民族",
    "联系电话",
    "现住址",
    "户号",
    "与户主关系",
    "参保险种",
    "医保站",
)


@role_required(*STAFF)
def resident_export(request: StaffRequest) -> HttpResponse:
    """The list as searched, to Excel. ID and phone numbers are masked; a station that must
    reconcile with another system exports them in full by POST with a stated reason (a
    caseworker or supervisor only), and the reason and row count go into the audit trail."""
    from openpyxl import Workbook

    full = request.method == "POST"
    reason = posted_text(request, "reason", 100) if full else ""
    if full and (request.user.role not in PRINTS_FULL_NUMBERS or not reason):
        messages.error(request, "导出完整号码须填写原因（审计员只能导出脱敏数据）。")
        return redirect("registry:resident_list")
    query = kept_search(request, "residents")
    residents = Resident.objects.for_user(request.user).select_related("household", "station")
    residents = residents.search(query).order_by("station", "household__household_number", "pk")
    id_shown = (lambda v: v) if full else id_numbers.mask
    phone_shown = (lambda v: v) if full else id_numbers.mask_phone
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("参保人")
    sheet.append(list(EXPORT_COLUMNS))
    count = 0
    for r in residents.iterator(chunk_size=2000):
        sheet.append(
            [
                _cell(v)
                for v in (
                    r.name,
                    id_shown(r.id_number),
                    r.sex_display,
                    f"{r.birth_date:%Y-%m-%d}",
                    r.ethnicity,
                    phone_shown(r.phone),
                    r.address,
                    r.household.household_number if r.household else "",
                    r.get_relationship_to_head_display(),
                    r.get_insurance_type_display(),
                    r.station.name,
                )
            ]
        )
        count += 1
    detail = (
        f"导出参保人 {count} 人，含完整身份证号码和电话，原因：{reason}"
        if full
        else f"导出参保人 {count} 人（号码已脱敏）"
    )
    return exported_workbook(request, workbook, "residents", detail)
