from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
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
from core.errors import Refused
from registry import imports, services
from registry.forms import (
    EnrollmentForm,
    HouseholdForm,
    InfoChangeForm,
    ResidentForm,
)
from registry.lookup import resident_within_reach
from registry.models import (
    ChangeStatus,
    Enrollment,
    Household,
    ImportStatus,
    InfoChange,
    Resident,
    ResidentImport,
)
from security.idempotency import idempotent
from security.privacy import (
    PRINTS_FULL_NUMBERS,
    kept_search,
    personal_printable,
    posted_text,
    prefilled_id_number,
    remember_id_number,
    remembered_search,
    search_context,
)


@role_required(*STAFF)
def resident_list(request: StaffRequest) -> HttpResponse:
    query, answer = remembered_search(request, "residents")
    if answer:
        return answer
    residents = Resident.objects.for_user(request.user).select_related("household", "station")
    residents = residents.search(query)
    page = Paginator(residents, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/resident_list.html", {"page": page, **search_context(query)})


@role_required(Role.CASEWORKER)
@idempotent
def resident_create(request: StaffRequest) -> HttpResponse:
    form = ResidentForm(
        request.POST or None,
        user=request.user,
        initial={"id_number": prefilled_id_number(request)},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
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
        detail=f"查看完整身份证号码和电话：{reason}",
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


@role_required(Role.CASEWORKER)
def resident_edit(request: StaffRequest, pk: int) -> HttpResponse:
    resident = get_for_user(Resident.objects.all(), request, pk=pk)
    form = ResidentForm(request.POST or None, instance=resident, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, f"已保存 {resident.name} 的信息。")
        return redirect(resident)
    return render(request, "registry/resident_form.html", {"form": form, "resident": resident})


@role_required(Role.CASEWORKER)
@idempotent
def household_create(request: StaffRequest) -> HttpResponse:
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
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
        with transaction.atomic():
            form.save()
        messages.success(request, f"已保存户号 {household.household_number}。")
        return redirect(household)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


@role_required(Role.CASEWORKER)
def registration_form(request: StaffRequest, pk: int) -> HttpResponse:
    """《城乡居民基本医疗保险参保登记表》, pre-filled for the resident to sign."""
    resident = get_for_user(Resident.objects.select_related("household", "station"), request, pk=pk)
    household = resident.household
    members = []
    if household:
        # Only members within the user's reach, whatever a household holds.
        members = list(
            Resident.objects.for_user(request.user)
            .filter(household=household)
            .exclude(pk=resident.pk)
            .order_by("pk")
        )
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
    return personal_printable(
        request,
        subject=resident,
        template_name="registry/print/registration_form.html",
        context=context,
        filename=f"参保登记表-{resident.name}.pdf",
        checked=checked,
        back_url=resident.get_absolute_url(),
    )


# Enrollment (新增参保登记) -------------------------------------------------------------------
@role_required(Role.CASEWORKER)
def enrollment_start(request: StaffRequest) -> HttpResponse:
    """Find the resident by ID number first: one already enrolled is shown, not enrolled twice."""
    number = id_numbers.normalize(request.POST.get("id_number", ""))
    error = ""
    if number:
        try:
            resident = resident_within_reach(
                request.user, number, request=request, purpose="办理参保登记"
            )
        except ValidationError as refusal:
            error = refusal.messages[0]
            number = "" if refusal.code == "elsewhere" else number
        else:
            if resident is None:
                remember_id_number(request, number)
                return redirect("registry:enrollment_create")
            enrollment = Enrollment.objects.filter(resident=resident).first()
            if enrollment:
                messages.info(
                    request, f"{resident.name}已办理参保登记（{enrollment.status_display}）。"
                )
                return redirect(enrollment)
            return redirect("registry:enrollment_create_for", resident_pk=resident.pk)
    return render(request, "registry/enrollment_start.html", {"id_number": number, "error": error})


@role_required(Role.CASEWORKER)
@idempotent
def enrollment_create(request: StaffRequest, resident_pk: int | None = None) -> HttpResponse:
    resident = None
    if resident_pk:
        resident = get_for_user(Resident.objects.all(), request, pk=resident_pk)
        existing = Enrollment.objects.filter(resident=resident).first()
        if existing:
            messages.info(request, f"{resident.name}已办理参保登记（{existing.status_display}）。")
            return redirect(existing)
    data = request.POST or None
    resident_form = None
    if resident is None:
        resident_form = ResidentForm(
            data, user=request.user, initial={"id_number": prefilled_id_number(request)}
        )
    options = EnrollmentForm(data)
    if (
        request.method == "POST"
        and options.is_valid()
        and (resident_form is None or resident_form.is_valid())
    ):
        candidate = resident_form.save(commit=False) if resident_form is not None else resident
        assert candidate is not None  # one of the two is always there
        try:
            enrollment = services.enroll(
                resident=candidate,
                user=request.user,
                newborn=options.cleaned_data["newborn"],
                materials=options.cleaned_data["materials"],
            )
        except Refused as refusal:
            for field, message in refusal.fields.items():
                if resident_form is not None and field in resident_form.fields:
                    resident_form.add_error(field, message)
                else:
                    options.add_error(None, message)
            if not refusal.fields:
                options.add_error(None, str(refusal))
        else:
            messages.success(
                request, f"已为{candidate.name}办理参保登记：{enrollment.status_display}。"
            )
            return redirect(enrollment)
    return render(
        request,
        "registry/enrollment_form.html",
        {"resident": resident, "resident_form": resident_form, "options": options},
    )


@role_required(*STAFF)
def enrollment_detail(request: StaffRequest, pk: int) -> HttpResponse:
    enrollment = get_for_user(
        Enrollment.objects.select_related("resident", "created_by"), request, pk=pk
    )
    return render(
        request,
        "registry/enrollment_detail.html",
        {"enrollment": enrollment, "history": record_trail(enrollment)},
    )


@require_POST
@role_required(Role.CASEWORKER)
def enrollment_update(request: StaffRequest, pk: int) -> HttpResponse:
    enrollment = get_for_user(Enrollment.objects.all(), request, pk=pk)
    complete = request.POST.get("action") == "complete"
    try:
        services.update_enrollment(
            enrollment, materials=request.POST.getlist("materials"), complete=complete
        )
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "参保登记已完成。" if complete else "已保存收到的材料。")
    return redirect(enrollment)


# Changes of insured information (参保信息变更登记) ----------------------------------------------
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
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "已登记变更事项，请打印变更登记表请参保人签字。")
            return redirect(change)
    return render(request, "registry/change_form.html", {"form": form, "resident": resident})


@role_required(*STAFF)
def change_detail(request: StaffRequest, pk: int) -> HttpResponse:
    change = get_for_user(
        InfoChange.objects.select_related("resident", "created_by", "decided_by"), request, pk=pk
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
    except Refused as refusal:
        messages.error(request, str(refusal))
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
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "已审核通过，参保信息已更正。" if approve else "已退回该更正。")
    return redirect(change)


@role_required(*STAFF)
def change_registration_form(request: StaffRequest, pk: int) -> HttpResponse:
    """《基本医疗保险参保信息变更登记表》: item, old value, new value, reason."""
    change = get_for_user(
        InfoChange.objects.select_related("resident", "station", "created_by"), request, pk=pk
    )
    return personal_printable(
        request,
        subject=change,
        template_name="registry/print/change_registration_form.html",
        context={"change": change, "resident": change.resident, "today": timezone.localdate()},
        filename=f"参保信息变更登记表-{change.resident.name}.pdf",
        checked={"姓名": change.resident.name}
        | {item["label"]: item["new"] for item in change.items},
        back_url=change.get_absolute_url(),
    )


# Excel import and export -------------------------------------------------------------------
MAX_SHEET_BYTES = 20 * 1024 * 1024


@role_required(Role.CASEWORKER)
def import_create(request: StaffRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("sheet")
        if upload is None:
            error = "请选择要导入的 Excel 文件。"
        elif (upload.size or 0) > MAX_SHEET_BYTES:
            error = "文件超过 20 MB，请分成几个表格导入。"
        elif upload.read(4) != b"PK\x03\x04":  # .xlsx is a zip file
            error = "只能导入 Excel（.xlsx）格式的表格；.xls 请先另存为 .xlsx。"
        else:
            upload.seek(0)
            folder = Path(settings.MEDIA_ROOT) / "imports"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{uuid.uuid4().hex}.xlsx"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            job = ResidentImport.objects.create(
                station=request.user.counter_station,
                created_by=request.user,
                file_name=(upload.name or "表格.xlsx")[:200],
                path=str(path),
                valid_rows_only=bool(request.POST.get("valid_rows_only")),
            )
            imports.start(job)
            return redirect(job)
    recent = ResidentImport.objects.for_user(request.user)[:10]
    return render(
        request,
        "registry/import_form.html",
        {"error": error, "recent": recent, "columns": "、".join(imports.COLUMNS)},
    )


@role_required(Role.CASEWORKER)
def import_detail(request: StaffRequest, pk: int) -> HttpResponse:
    job = imports.current(get_for_user(ResidentImport.objects.all(), request, pk=pk))
    return render(request, "registry/import_detail.html", {"job": job})


@require_POST
@role_required(Role.CASEWORKER)
def import_valid_rows(request: StaffRequest, pk: int) -> HttpResponse:
    """The caseworker chose to import the valid rows of a sheet that had errors."""
    job = get_for_user(ResidentImport.objects.all(), request, pk=pk)
    if job.status != ImportStatus.REFUSED or not Path(job.path).exists():
        messages.error(request, "该表格不能再次导入，请重新上传。")
        return redirect(job)
    again = ResidentImport.objects.create(
        station=job.station,
        created_by=request.user,
        file_name=job.file_name,
        path=job.path,
        valid_rows_only=True,
    )
    imports.start(again)
    return redirect(again)


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
