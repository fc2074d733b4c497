"""Reimbursement case workflows: each write is one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from reimbursement.models import CaseStatus, Document, ReimbursementCase, case_problems


@transaction.atomic
def save_case(case: ReimbursementCase, *, user: User) -> ReimbursementCase:
    """Keep only received documents the case needs now (a ticked 大额补偿承诺书 is dropped
    when the cost falls under the threshold), then set 材料不全 / 材料齐全."""
    if case.pk is None:
        case.station = case.resident.station
        case.created_by = user
    elif case.status == CaseStatus.FORWARDED:
        raise ValidationError("该案件已报送县医保中心，不能再修改。")
    elif case.status == CaseStatus.VOIDED:
        raise ValidationError("该案件已作废，不能再修改。")
    problems = case_problems(
        kind=case.kind,
        hospital=case.hospital,
        admission_date=case.admission_date,
        discharge_date=case.discharge_date,
        chronic_disease=case.chronic_disease,
        total_cost=case.total_cost,
        today=timezone.localdate(),
    )
    if problems:
        raise ValidationError(problems)
    needed = {item.document for item in case.checklist()}
    case.received = [document for document in case.received if document in needed]
    case.refresh_status()
    case.save()
    return case


@transaction.atomic
def forward(case: ReimbursementCase, *, user: User) -> ReimbursementCase:
    """已报送: to the county only with every document received."""
    case = ReimbursementCase.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.FORWARDED:
        raise ValidationError("该案件已报送。")
    missing = case.missing()
    if missing:
        raise ValidationError(
            f"材料不全，不能报送。还缺少：{'、'.join(i.label for i in missing)}。"
        )
    case.status = CaseStatus.FORWARDED
    case.forwarded_at = timezone.now()
    case.forwarded_by = user
    case.save()
    return case


@transaction.atomic
def sign_large_amount_letter(case: ReimbursementCase, *, user: User) -> ReimbursementCase:
    """当场签署: the 大额补偿承诺书 just printed is signed at the counter, so it is received
    now ([001] 注 3), without the round of 修改 → tick → save."""
    case = ReimbursementCase.objects.select_for_update().get(pk=case.pk)
    if case.status in (CaseStatus.FORWARDED, CaseStatus.VOIDED):
        raise ValidationError(f"该案件{case.get_status_display()}，不能再登记材料。")
    if not case.needs_large_amount_letter():
        raise ValidationError("该案件总费用未达到大额标准，不需要大额补偿承诺书。")
    if Document.LARGE_AMOUNT_LETTER not in case.received:
        case.received = [*case.received, Document.LARGE_AMOUNT_LETTER]
        case.refresh_status()
        case.save()
    return case


@transaction.atomic
def void(case: ReimbursementCase, *, reason: str) -> ReimbursementCase:
    """Cases are never deleted: a case opened by mistake is voided with a reason and stays,
    with its history, in the records."""
    case = ReimbursementCase.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.FORWARDED:
        raise ValidationError("已报送的案件不能作废。")
    if case.status == CaseStatus.VOIDED:
        raise ValidationError("该案件已作废。")
    if not reason:
        raise ValidationError("请填写作废原因。")
    case.status = CaseStatus.VOIDED
    case.void_reason = reason
    case.save()
    return case
