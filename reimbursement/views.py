from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.access import STAFF, StaffRequest, get_for_user, role_required
from accounts.models import Policy, Role
from audit.page_cache import kept_until_changed
from audit.trail import record_trail
from core import dates, id_numbers
from core.errors import in_words, place_on
from core.labels import label
from core.links import record_url
from printing.pdf import missing_characters
from registry.models import Resident
from reimbursement import prints, services
from reimbursement.forms import CaseForm
from reimbursement.models import (
    CaseKind,
    CaseStatus,
    CaseTally,
    Document,
    ReimbursementCase,
    checklist,
)
from security.idempotency import idempotent
from security.privacy import (
    personal_printable,
    personal_printables,
    posted_text,
    remembered_search,
    search_context,
)

CASES = ReimbursementCase.objects.select_related("resident", "station", "created_by")
# The columns the case list shows (reimbursement/_results.html), the resident's name among them.
LISTED = ("pk", "resident__name", "kind", "hospital", "total_cost", "status", "created_at")
# Newest first, by keyset (core/keyset.py) on the (station, created_at) index.
ORDER = ("-created_at", "-pk")


def _listed(row: dict) -> dict:
    """A row of the case list with its words made here, once: the template only places them."""
    return {
        "url": record_url("reimbursement:detail", row["pk"]),
        "name": row["resident__name"],
        "kind": label(CaseKind, row["kind"]),
        "hospital": row["hospital"],
        "total_cost": row["total_cost"],
        "status": label(CaseStatus, row["status"]),
        "accepted": dates.day(row["created_at"]),
    }


@role_required(*STAFF)
def case_list(request: StaffRequest) -> HttpResponse:
    query, answer = remembered_search(request, "cases", CaseStatus.values)
    if answer:
        return answer
    status = request.POST.get("status") or request.GET.get("status", "")
    if status not in CaseStatus.values:
        status = ""
    # The page asked for is part of the cache key: kept only for the first and the last,
    # the pages opened between residents; a page further on is read each time.
    moved = any(request.GET.get(name) for name in ("after", "before"))
    place = "last" if request.GET.get("last") == "1" else "first"

    def results() -> str:
        cases = ReimbursementCase.objects.for_user(request.user)
        if query:
            cases = cases.filter(resident__in=Resident.objects.for_user(request.user).search(query))
        if status:
            cases = cases.filter(status=status)
        page = CaseTally.page(
            cases, LISTED, ORDER, request.user, request.GET, filtered=bool(query or status)
        )
        rows = [_listed(row) for row in page.object_list]
        return render_to_string(
            "reimbursement/_results.html", {"page": page, "rows": rows, "status": status}
        )

    # The station's list is opened between every two residents at the counter: its pages are
    # kept until the next change there. A search is the caseworker's own and is not kept.
    if query or moved:
        results_html = mark_safe(results())
    else:
        results_html = kept_until_changed(f"cases:{status}:{place}", request.user, results)
    return render(
        request,
        "reimbursement/list.html",
        {
            "results": results_html,
            "status": status,
            "statuses": CaseStatus.choices,
            **search_context(query),
        },
    )


def _case_form(request: StaffRequest, case: ReimbursementCase | None) -> HttpResponse:
    today = timezone.localdate()
    chosen = request.GET.get("resident", "")[:18]
    resident = (
        get_for_user(Resident.objects.all(), request, pk=chosen)
        if case is None and chosen.isascii() and chosen.isdigit()
        else None
    )
    form = CaseForm(
        request.POST or None,
        instance=case,
        initial={"kind": CaseKind.INPATIENT},
        user=request.user,
        today=today,
        resident=resident,
    )
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        instance.resident = form.cleaned_data["id_number"]
        try:
            instance = services.save_case(instance, user=request.user)
        except ValidationError as refusal:
            place_on(form, refusal)
        else:
            messages.success(request, f"已保存。当前状态：{instance.get_status_display()}。")
            return redirect(instance)
    threshold = Policy.for_county(request.user.own_county).large_amount_threshold
    return render(
        request,
        "reimbursement/form.html",
        {
            "form": form,
            "case": case,
            "items": _items_from(form.data or None, form, threshold),
            "threshold": threshold,
            # Nobody has the number typed: registering her is one press away, the number
            # carried (registry's enrollment start).
            "enroll_with": id_numbers.normalize(form.data.get("id_number", ""))
            if form.has_error("id_number", "unregistered")
            else "",
        },
    )


def _items_from(data, form: CaseForm, threshold: Decimal):
    """The checklist for what the form shows now (posted values, or the case's own)."""
    if data is None:
        instance = form.instance
        if instance.pk:
            return instance.checklist()
        return checklist(
            kind=CaseKind.INPATIENT,
            total_cost=None,
            birth="",
            accidental_injury=False,
            threshold=threshold,
            received=[],
        )
    return _checklist_from_query(data, threshold)


def _checklist_from_query(data, threshold: Decimal):
    try:
        cost = Decimal(data.get("total_cost") or "")
    except InvalidOperation:
        cost = None
    if cost is not None and not cost.is_finite():
        cost = None
    kind = data.get("kind") if data.get("kind") in CaseKind.values else CaseKind.INPATIENT
    return checklist(
        kind=kind,
        total_cost=cost,
        birth=data.get("birth", ""),
        accidental_injury=bool(data.get("accidental_injury")),
        threshold=threshold,
        received=data.getlist("received"),
    )


@role_required(Role.CASEWORKER)
@idempotent
def case_create(request: StaffRequest) -> HttpResponse:
    return _case_form(request, None)


@role_required(Role.CASEWORKER)
def case_edit(request: StaffRequest, pk: int) -> HttpResponse:
    return _case_form(request, get_for_user(CASES, request, pk=pk))


@role_required(Role.CASEWORKER)
def checklist_fragment(request: StaffRequest) -> HttpResponse:
    """The checklist for the values being typed, so it changes as the cost or flags change."""
    threshold = Policy.for_county(request.user.own_county).large_amount_threshold
    return render(
        request,
        "reimbursement/_checklist.html",
        {"items": _checklist_from_query(request.GET, threshold)},
    )


@role_required(*STAFF)
def case_detail(request: StaffRequest, pk: int) -> HttpResponse:
    case = get_for_user(CASES, request, pk=pk)
    today = timezone.localdate()
    items = case.checklist()
    return render(
        request,
        "reimbursement/detail.html",
        {
            "case": case,
            "items": items,
            "letter_to_sign": request.user.is_caseworker
            and case.status in (CaseStatus.INCOMPLETE, CaseStatus.COMPLETE)
            and any(i.document == Document.LARGE_AMOUNT_LETTER and not i.received for i in items),
            "missing": case.missing(),
            "history": record_trail(case),
            "waiting": case.waiting_days(today),
            "missing_glyphs": missing_characters(_names(case)),
        },
    )


@require_POST
@role_required(Role.CASEWORKER)
def case_forward(request: StaffRequest, pk: int) -> HttpResponse:
    case = get_for_user(ReimbursementCase.objects.all(), request, pk=pk)
    try:
        services.forward(case, user=request.user)
    except ValidationError as refusal:
        messages.error(request, in_words(refusal))
    else:
        messages.success(request, "已报送县医保中心。")
    return redirect(case)


@role_required(*STAFF)
def missing_notice(request: StaffRequest, pk: int) -> HttpResponse:
    """一次性告知单: what was received and everything still missing, dated, with the station's
    address and phone, so the resident never comes back twice for the same gap."""
    case = get_for_user(CASES, request, pk=pk)
    template_name, context, title = prints.missing_notice(case, request.user)
    return personal_printable(
        request,
        subject=case,
        template_name=template_name,
        context=context,
        filename=f"{title}.pdf",
        checked=_names(case),
        back_url=case.get_absolute_url(),
    )


def _names(case: ReimbursementCase) -> dict[str, str]:
    """What a print of the case spells that a font may lack (printing.pdf.missing_characters)."""
    return {"姓名": case.resident.name, "就诊医院": case.hospital}


@role_required(*STAFF)
def print_all(request: StaffRequest, pk: int) -> HttpResponse:
    """打印全部: the 一次性告知单 and, for a large amount, the 大额补偿承诺书, in one PDF."""
    case = get_for_user(CASES, request, pk=pk)
    parts = prints.everything(case, request.user)
    return personal_printables(
        request, subject=case, parts=parts, filename=f"补偿材料-{case.resident.name}.pdf"
    )


@require_POST
@role_required(Role.CASEWORKER)
def sign_letter(request: StaffRequest, pk: int) -> HttpResponse:
    """打印并当场签署: one press records the 大额补偿承诺书 as signed here and prints it with the
    一次性告知单, which lists it as 本次当场签署 rather than missing."""
    case = get_for_user(ReimbursementCase.objects.all(), request, pk=pk)
    try:
        case = services.sign_large_amount_letter(case, user=request.user)
    except ValidationError as refusal:
        messages.error(request, in_words(refusal))
        return redirect(case)
    case = CASES.get(pk=case.pk)
    parts = prints.everything(case, request.user, signed_now=True)
    return personal_printables(
        request, subject=case, parts=parts, filename=f"补偿材料-{case.resident.name}.pdf"
    )


@role_required(*STAFF)
def large_amount_letter(request: StaffRequest, pk: int) -> HttpResponse:
    case = get_for_user(CASES, request, pk=pk)
    template_name, context, title = prints.large_amount_letter(case, request.user)
    return personal_printable(
        request,
        subject=case,
        template_name=template_name,
        context=context,
        filename=f"{title}.pdf",
        checked=_names(case),
        back_url=case.get_absolute_url(),
    )


@require_POST
@role_required(Role.CASEWORKER)
def case_void(request: StaffRequest, pk: int) -> HttpResponse:
    case = get_for_user(ReimbursementCase.objects.all(), request, pk=pk)
    reason = posted_text(request, "reason", 200)
    try:
        services.void(case, reason=reason)
    except ValidationError as refusal:
        messages.error(request, in_words(refusal))
    else:
        messages.success(request, "案件已作废，记录仍保留。")
    return redirect(case)
