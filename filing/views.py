from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import STAFF, StaffRequest, get_for_user, role_required
from accounts.models import Policy, Role
from audit.log import append
from audit.models import Action
from audit.trail import record_trail
from core import dates, id_numbers, regions
from core.errors import in_words, place_on
from core.keyset import seek
from core.labels import label
from core.links import record_url
from core.replica import reads_from_replica
from filing import notice, prints, services
from filing.forms import CancelForm, FilingForm, LetterScanForm, RejectForm
from filing.models import (
    AgentRelationship,
    Category,
    Evidence,
    Filing,
    FilingStatus,
    FilingTally,
    MaterialKind,
    most_filed_care_regions,
    pending_by_deadline,
    status_label,
)
from filing.rows import PENDING_LISTED, badge_of, pending_rows, status_badge, validity
from printing.pdf import missing_characters, printable_response
from registry.lookup import looked_up
from registry.models import Resident
from security.idempotency import idempotent
from security.privacy import (
    personal_printable,
    personal_printables,
    remember_id_number,
    remembered_search,
    search_context,
)
from workdays.rules import unknown_years, unknown_years_between

FILINGS = Filing.objects.select_related("resident", "station", "submitted_by", "reviewed_by")
# The columns 备案记录 shows (filing/list.html), the resident's among them.
# Newest first, by keyset (core/keyset.py) on the (station, submitted_at) index.
ORDER = ("-submitted_at", "-pk")
# The review queue's order (pending_by_deadline), the due first.
PENDING_ORDER = ("submitted_at", "pk")
LISTED = (
    "pk",
    "resident__name",
    "resident__id_number",
    "care_region_code",
    "category",
    "start_date",
    "end_date",
    "status",
    "rejection_reason",
    "submitted_at",
)


def _listed(row: dict, today: datetime.date) -> dict:
    """A row of 备案记录 with its words made here, once: the template only places them (a
    filter or a model property per cell was most of the page's time)."""
    status = status_label(row["status"], row["end_date"], today)
    return {
        "url": record_url("filing:detail", row["pk"]),
        "name": row["resident__name"],
        "id_number": id_numbers.mask(row["resident__id_number"]),
        "care_region": regions.region_name(row["care_region_code"]),
        "category": label(Category, row["category"]),
        "period": validity(row["start_date"], row["end_date"]),
        "status": status,
        "badge": status_badge(status),
        "reason": row["rejection_reason"],
        "submitted": dates.minute(row["submitted_at"]),
    }


@role_required(*STAFF)
@reads_from_replica
def filing_list(request: StaffRequest) -> HttpResponse:
    """备案记录: by the resident's ID number or name, or everything of the station."""
    query, answer = remembered_search(request, "filings", FilingStatus.values)
    if answer:
        return answer
    filings = Filing.objects.for_user(request.user)
    if query:
        residents = Resident.objects.for_user(request.user).search(query)
        filings = filings.filter(resident__in=residents)
    status = request.POST.get("status") or request.GET.get("status", "")
    if status in FilingStatus.values:
        filings = filings.filter(status=status)
    filtered = bool(query) or status in FilingStatus.values
    page = FilingTally.page(filings, LISTED, ORDER, request.user, request.GET, filtered)
    today = timezone.localdate()
    rows = [_listed(row, today) for row in page.object_list]
    return render(
        request,
        "filing/list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": FilingStatus.choices,
            **search_context(query),
        },
    )


@role_required(Role.CASEWORKER)
def filing_start(request: StaffRequest) -> HttpResponse:
    """Step 1: find the resident by ID number (an ID-card reader types it and Enter)."""
    found = looked_up(request, purpose="办理异地就医备案")
    if found.resident is not None:
        return redirect("filing:create", resident_pk=found.resident.pk)
    unknown = found.unknown
    if unknown:
        remember_id_number(request, found.number)
        found.error = "该身份证号码尚未登记参保人，请先登记参保人再办理备案。"
    return render(request, "filing/start.html", {"found": found, "unknown": unknown})


# What a new filing takes over from a closed-in-error or returned one (按原信息重新备案): what
# was typed, not the dates (a new filing starts from today) and not the agent's numbers (typed
# again from the agent's card: an edit form never shows a full number).
REFILED = (
    "insured_region_code",
    "care_region_code",
    "insurance_type",
    "category",
    "referring_hospital",
    "contact_name",
    "contact_address",
    "agent_name",
    "agent_relationship",
    "evidence",
)
REFILABLE = (FilingStatus.CANCELLED, FilingStatus.REJECTED)


def _refiled(request: StaffRequest, resident: Resident) -> tuple[Filing | None, dict]:
    """The filing named by ?from= (this resident's, closed in error or returned) and the
    form's initial values taken from it."""
    source_pk = request.GET.get("from", "")
    if not source_pk.isdigit():
        return None, {}
    source = get_for_user(
        Filing.objects.filter(resident=resident, status__in=REFILABLE), request, pk=source_pk
    )
    initial = {name: getattr(source, name) for name in REFILED}
    initial["by_agent"] = source.by_agent
    if source.contact_phone == resident.phone:
        initial["contact_phone"] = resident.masked_phone
    return source, initial


def _confirmation(form: FilingForm, resident: Resident) -> list[tuple[str, str]]:
    """确认信息 [002]: what will be filed, as the resident is asked to check it before 提交."""
    data = form.cleaned_data
    evidence = label(Evidence, data["evidence"])
    if data["evidence"] == Evidence.MATERIALS:
        kinds = list(data.get("sighted") or [])
        if data.get("scan") and data.get("scan_kind") not in kinds:
            kinds.append(data["scan_kind"])
        evidence += "：" + "、".join(label(MaterialKind, kind) for kind in kinds)
    elif data["evidence"] == Evidence.COMMITMENT:
        if data.get("signature") or data.get("letter_scan"):
            evidence += "（已签字）"
        elif data.get("signed_on_paper"):
            evidence += "（打印后手写签字，纸质存档，扫描件稍后上传）"
        else:
            evidence += "（提交后打印，签字后上传扫描件）"
    rows = [
        ("参保人", f"{resident.name}（{resident.masked_id_number}）"),
        ("参保地", regions.region_name(data["insured_region_code"])),
        ("就医地", regions.region_name(data["care_region_code"])),
        ("人员类别", label(Category, data["category"])),
        ("有效期", validity(data["start_date"], data["end_date"])),
        ("备案依据", evidence),
    ]
    if data.get("referring_hospital"):
        rows.append(("转出医院", data["referring_hospital"]))
    if data.get("admission_date"):
        rows.append(("入院日期", dates.chinese(data["admission_date"])))
    if data.get("by_agent"):
        relationship = label(AgentRelationship, data["agent_relationship"])
        rows.append(("代办人", f"{data['agent_name']}（{relationship}）"))
    phone = id_numbers.mask_phone(data["contact_phone"])
    rows.append(("联系人", f"{data['contact_name']}，{phone}，{data['contact_address']}"))
    return rows


@role_required(Role.CASEWORKER)
@idempotent
def filing_create(request: StaffRequest, resident_pk: int) -> HttpResponse:
    """The counter's filing: the form, then 确认信息 (nothing is written yet), then 确认提交
    (the post carries `confirmed`), as 江苏医保云's steps [002]."""
    resident = get_for_user(Resident.objects.all(), request, pk=resident_pk)
    policy = Policy.for_county(request.user.own_county)
    today = timezone.localdate()
    source, refiled = _refiled(request, resident)
    initial = {
        "insured_region_code": request.user.own_county.pooling_region_code,
        "insurance_type": resident.insurance_type,
        "start_date": today,
        "contact_name": resident.name,
        "contact_phone": resident.masked_phone,
        "contact_address": resident.address,
        **refiled,
    }
    form = FilingForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        resident=resident,
        policy=policy,
        today=today,
        returned=source.rejection_reason if source else "",
    )
    confirmation: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in FilingForm.Meta.fields}
        overlap = services.overlap_refusal(resident, values)
        if overlap:
            form.add_error(None, overlap)
        elif request.POST.get("confirmed") != "1":
            confirmation = _confirmation(form, resident)
        else:
            try:
                filing = services.submit_filing(
                    resident=resident,
                    user=request.user,
                    values=values,
                    sighted=data["sighted"],
                    scan=data.get("scan"),
                    scan_kind=data.get("scan_kind", ""),
                    signature=data["signature"],
                    letter_scan=data.get("letter_scan"),
                    signed_on_paper=data["signed_on_paper"],
                )
            except ValidationError as refusal:
                place_on(form, refusal)
            else:
                messages.success(request, f"备案已提交，当前状态：{filing.status_display}。")
                return redirect(filing)
    return render(
        request,
        "filing/form.html",
        {
            "form": form,
            "resident": resident,
            "policy": policy,
            "today": today,
            "source": source,
            "confirmation": confirmation,
            "needs": form.needs(),
            "most_filed": most_filed_care_regions(request.user.own_county.pk),
            "notice": notice.notice(policy),
            "letter_text": notice.commitment(resident_name=resident.name, by_agent=False),
            "agent_letter_text": notice.commitment(resident_name=resident.name, by_agent=True),
        },
    )


@role_required(*STAFF)
def filing_notice(request: StaffRequest) -> HttpResponse:
    """备案告知书 of the user's county, to print and hand over before anything is signed."""
    return printable_response(
        request,
        template_name="filing/print/notice.html",
        context={"notice": notice.notice(Policy.for_county(request.user.own_county))},
        filename="基本医疗保险异地就医备案告知书.pdf",
        checked={},
    )


@role_required(*STAFF)
def filing_detail(request: StaffRequest, pk: int) -> HttpResponse:
    filing = get_for_user(FILINGS.prefetch_related("materials"), request, pk=pk)
    today = timezone.localdate()
    letter = getattr(filing, "commitment_letter", None)
    deadline = filing.review_deadline() if filing.status == FilingStatus.PENDING else None
    submitted = timezone.localtime(filing.submitted_at).date()
    reviewing = request.user.is_supervisor and filing.status == FilingStatus.PENDING
    # Only a supervisor's page has the button, and says why it is disabled.
    approve_refusal = (
        filing.approve_refusal(Policy.for_county(filing.station.county_id)) if reviewing else ""
    )
    return render(
        request,
        "filing/detail.html",
        {
            "filing": filing,
            "badge": badge_of(filing),
            "letter": letter,
            "today": today,
            "cancel_refusal": filing.cancel_refusal(today),
            "close_refusal": filing.close_in_error_refusal(today),
            "approve_refusal": approve_refusal,
            "cancel_form": CancelForm(),
            "reject_form": RejectForm(),
            "scan_form": LetterScanForm(),
            "history": record_trail(filing),
            "missing_glyphs": missing_characters(_names(filing)),
            "deadline": deadline,
            # A deadline counted over a year without published holidays says so.
            "unknown_years": unknown_years_between(submitted, deadline) if deadline else [],
        },
    )


def _refused_or_done(request: StaffRequest, filing: Filing, action, done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as refusal:
        messages.error(request, in_words(refusal))
    else:
        messages.success(request, done)
    return redirect(filing)


@require_POST
@role_required(Role.CASEWORKER, Role.SUPERVISOR)
def filing_cancel(request: StaffRequest, pk: int) -> HttpResponse:
    return _closed(
        request,
        pk,
        services.cancel,
        missing="请填写取消原因。",
        done="备案已取消，备案记录显示为“已关闭”。",
    )


@require_POST
@role_required(Role.SUPERVISOR)
def filing_close_in_error(request: StaffRequest, pk: int) -> HttpResponse:
    """备案错误: the supervisor closes a filing the office made wrongly, with the reason."""
    return _closed(
        request,
        pk,
        services.close_in_error,
        missing="请填写备案错误的原因，例如“就医地录入错误”。",
        done="已按备案错误关闭，备案记录显示为“已关闭”。经办员可按此备案修改后重新备案。",
    )


def _closed(request: StaffRequest, pk: int, close, *, missing: str, done: str) -> HttpResponse:
    """A filing closed with a stated reason (cancelled, or closed in error)."""
    filing = get_for_user(Filing.objects.all(), request, pk=pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, missing)
        return redirect(filing)
    reason = form.cleaned_data["reason"]
    return _refused_or_done(
        request,
        filing,
        lambda: close(filing, request.user, reason, timezone.localdate()),
        done,
    )


@require_POST
@role_required(Role.CASEWORKER)
def filing_attach_letter(request: StaffRequest, pk: int) -> HttpResponse:
    filing = get_for_user(Filing.objects.all(), request, pk=pk)
    form = LetterScanForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("letter_scan", ["请选择扫描件。"]):
            messages.error(request, str(error))
        return redirect(filing)
    return _refused_or_done(
        request,
        filing,
        lambda: services.attach_letter_scan(filing, form.cleaned_data["letter_scan"]),
        "已上传签字的个人承诺书。",
    )


@role_required(Role.SUPERVISOR)
@reads_from_replica
def review_queue(request: StaffRequest) -> HttpResponse:
    """人工审核: every pending filing of the county with its working-day deadline, the
    overdue first, then the soonest due."""
    today = timezone.localdate()
    pending = pending_by_deadline(Filing.objects.for_user(request.user))
    page = seek(pending.values(*PENDING_LISTED), PENDING_ORDER, request.GET, pending.count())
    return render(
        request,
        "filing/review_queue.html",
        {
            "filings": pending_rows(page.object_list, today),
            "page": page,
            "today": today,
            "unknown_years": unknown_years(today),
        },
    )


@require_POST
@role_required(Role.SUPERVISOR)
def review_decide(request: StaffRequest, pk: int) -> HttpResponse:
    filing = get_for_user(Filing.objects.all(), request, pk=pk)
    if request.POST.get("decision") == "approve":
        return _refused_or_done(
            request,
            filing,
            lambda: services.approve(filing, request.user),
            "已审核通过，备案生效。",
        )
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择或填写退回原因，参保人会看到这条原因。")
        return redirect(filing)
    reason = form.cleaned_data["final_reason"]
    return _refused_or_done(
        request,
        filing,
        lambda: services.reject(filing, request.user, reason),
        f"已退回：{reason}",
    )


@require_POST
@role_required(Role.CASEWORKER)
def call_back(request: StaffRequest, pk: int) -> HttpResponse:
    """请告知参保人: the full number to call about a returned filing, for the caseworker of its
    station, each number shown written to the audit trail (个人信息保护法: as far as the task
    needs, and seen to be so)."""
    filing = get_for_user(FILINGS, request, pk=pk)
    if filing.status != FilingStatus.REJECTED:
        raise Http404("该备案没有被退回。")
    numbers = [("联系人", filing.contact_name, filing.contact_phone)]
    if filing.agent_phone and filing.agent_phone != filing.contact_phone:
        numbers.append(("代办人", filing.agent_name, filing.agent_phone))
    for role, name, phone in numbers:
        append(
            action=Action.REVEAL,
            user=request.user,
            request=request,
            instance=filing,
            detail=f"查看{role}{name}的电话{id_numbers.mask_phone(phone)}，告知退回原因",
        )
    return render(request, "filing/call_back.html", {"filing": filing, "numbers": numbers})


@role_required(*STAFF)
def rejection_notice(request: StaffRequest, pk: int) -> HttpResponse:
    """异地就医备案退回告知单: for the caseworker to hand or read to the resident, what the
    review sent back and what to bring to file again."""
    filing = get_for_user(FILINGS, request, pk=pk)
    if filing.status != FilingStatus.REJECTED:
        raise Http404("该备案没有被退回。")
    return printable_response(
        request,
        template_name="filing/print/rejection_notice.html",
        context={"filing": filing, "today": timezone.localdate()},
        filename=f"异地就医备案退回告知单-{filing.resident.name}.pdf",
        checked={"姓名": filing.resident.name, "退回原因": filing.rejection_reason},
        back_url=filing.get_absolute_url(),
    )


@role_required(*STAFF)
def commitment_letter(request: StaffRequest, pk: int) -> HttpResponse:
    filing = get_for_user(FILINGS, request, pk=pk)
    template_name, context, title = prints.commitment_letter(filing)
    return personal_printable(
        request,
        subject=filing,
        template_name=template_name,
        context=context,
        filename=f"{title}.pdf",
        checked={"姓名": filing.resident.name, "备案人": filing.filer_name},
        back_url=filing.get_absolute_url(),
    )


def _names(filing: Filing) -> dict[str, str]:
    """What the filing's prints spell that a font may lack (printing.pdf.missing_characters)."""
    return {
        "姓名": filing.resident.name,
        "联系人": filing.contact_name,
        "联系人地址": filing.contact_address,
        "代办人": filing.agent_name,
        "转出医院": filing.referring_hospital,
    }


@role_required(*STAFF)
def filing_form(request: StaffRequest, pk: int) -> HttpResponse:
    filing = get_for_user(FILINGS.prefetch_related("materials"), request, pk=pk)
    template_name, context, title = prints.filing_form(filing)
    return personal_printable(
        request,
        subject=filing,
        template_name=template_name,
        context=context,
        filename=f"{title}.pdf",
        checked=_names(filing),
        back_url=filing.get_absolute_url(),
    )


@role_required(*STAFF)
def print_all(request: StaffRequest, pk: int) -> HttpResponse:
    """打印全部: the filing form and, for a commitment, the letter, in one PDF."""
    filing = get_for_user(FILINGS.prefetch_related("materials"), request, pk=pk)
    parts = prints.everything(filing)
    name = filing.resident.name
    return personal_printables(request, subject=filing, parts=parts, filename=f"备案-{name}.pdf")


@role_required(*STAFF)
def evidence_file(
    request: StaffRequest, pk: int, which: str, item: int
) -> HttpResponse | FileResponse:
    """Scans are served only through here: station-scoped, as attachments, never sniffed."""
    filing = get_for_user(Filing.objects.all(), request, pk=pk)
    if which == "material":
        record = filing.materials.filter(pk=item).first()
        stored = record.file if record else None
    else:
        record = getattr(filing, "commitment_letter", None)
        stored = record.scan if record and record.pk == item else None
    if record is None or not stored or not stored.name:
        raise Http404("没有该扫描件。")
    append(
        action=Action.DOWNLOAD,
        user=request.user,
        request=request,
        instance=filing,
        detail=f"下载扫描件：{record}",
    )
    extension = stored.name.rsplit(".", 1)[-1]
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{filing.resident.name}-{record}.{extension}",
        content_type=record.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
