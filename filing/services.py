"""Filing workflows that write several records at once: each is one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Policy, User
from filing.models import (
    AGENT_FIELDS,
    GIVEN_FIELDS,
    Category,
    CommitmentLetter,
    Evidence,
    Filing,
    FilingStatus,
    Material,
    Review,
    filing_problems,
    with_default_end,
)
from filing.rows import validity
from messaging.services import queue_text
from messaging.texts import Purpose
from registry.models import Resident

# What a field not given holds: nothing, as a blank form field would.
_BLANK: dict[str, Any] = {
    "end_date": None,
    "admission_date": None,
    "agent_documents_sighted": False,
    "posting_length_checked": False,
    "late_filing": False,
    "discharged_self_paid": False,
    "notice_read": False,
}

OVERLAP_MESSAGE = (
    "{name}已有同一就医地（{region}）的有效备案（{period}，{status}），"
    "有效期不能重叠。如需重新备案，请先取消原备案。"
)


def _overlap_message(filing: Filing) -> str:
    return OVERLAP_MESSAGE.format(
        name=filing.resident.name,
        region=filing.care_region_name,
        period=validity(filing.start_date, filing.end_date),
        status=filing.get_status_display(),
    )


def overlap_refusal(resident: Resident, values: dict[str, Any]) -> str:
    """Why the filing would overlap an effective one of the same care region, or "" (read
    here for the confirmation step; submit_filing reads it again under the resident's lock)."""
    clash = (
        Filing.objects.effective()
        .filter(resident=resident, care_region_code=values["care_region_code"])
        .overlapping(values["start_date"], values["end_date"])
        .first()
    )
    return _overlap_message(clash) if clash else ""


def _attach(instance: Material | CommitmentLetter, field: str, upload: UploadedFile) -> None:
    instance.content_type = getattr(upload, "detected_type", "")  # set by filing.uploads
    getattr(instance, field).save(upload.name, upload, save=False)


@transaction.atomic
def submit_filing(
    *,
    resident: Resident,
    user: User,
    values: dict[str, Any],
    sighted: list[str],
    scan: UploadedFile | None,
    scan_kind: str,
    signature: str,
    letter_scan: UploadedFile | None,
    signed_on_paper: bool = False,
) -> Filing:
    """Record a filing with its evidence, then review it automatically where the county
    allows. Every rule of §2 is checked here, whatever path called (the counter's form, an
    import, a batch, a shell): filing.models.filing_problems, the same messages the form
    shows. (A submission posted twice is answered by security.idempotency, before this.)"""
    policy = Policy.for_county(user.own_county)
    values = with_default_end(
        {name: values.get(name, _BLANK.get(name, "")) for name in GIVEN_FIELDS}, policy
    )
    problems = filing_problems(
        values,
        policy=policy,
        today=timezone.localdate(),
        resident_id_number=resident.id_number,
        by_agent=any(values[name] for name in AGENT_FIELDS),
        sighted=sighted,
        scan_kind=scan_kind,
        has_scan=scan is not None,
        letter_given=bool(signature or letter_scan or signed_on_paper),
    )
    if problems:
        raise ValidationError(problems)
    # Serialise filings of one resident, so two counters cannot both pass the overlap check.
    Resident.objects.select_for_update().filter(pk=resident.pk).first()
    overlap = overlap_refusal(resident, values)
    if overlap:
        raise ValidationError(overlap)

    try:
        with transaction.atomic():
            filing = Filing.objects.create(
                resident=resident,
                station=user.counter_station,
                submitted_by=user,
                **values,
            )
    except IntegrityError as error:
        # PostgreSQL's exclusion constraint: a parallel filing won the race.
        if "filing_no_overlapping_effective" not in str(error):
            raise
        clash = (
            Filing.objects.effective()
            .filter(resident=resident, care_region_code=values["care_region_code"])
            .first()
        )
        if clash is None:
            raise
        raise ValidationError(_overlap_message(clash)) from None
    if filing.evidence == Evidence.MATERIALS:
        kinds = dict.fromkeys(sighted, True)
        if scan:
            kinds.setdefault(scan_kind, False)
        for kind, was_sighted in kinds.items():
            material = Material(filing=filing, kind=kind, sighted=was_sighted)
            if scan and kind == scan_kind:
                _attach(material, "file", scan)
            material.save()
    elif filing.evidence == Evidence.COMMITMENT:
        letter = CommitmentLetter(
            filing=filing, signature=signature, signed_on_paper=signed_on_paper
        )
        if letter_scan:
            _attach(letter, "scan", letter_scan)
        letter.save()
    review_automatically(filing)
    return filing


def review_automatically(filing: Filing) -> None:
    """自动审核 即时生效 [000][001]: complete evidence takes effect at once where the county
    reviews automatically; everything else waits for a supervisor (人工审核 [002])."""
    policy = Policy.for_county(filing.station.county_id)
    # 急诊先就医、后补办 [004]: where the county says so, an emergency filing takes effect at
    # once even where every other filing waits for a supervisor.
    at_once = policy.automatic_review or (
        filing.category == Category.EMERGENCY and policy.emergency_effective_at_once
    )
    if at_once and filing.evidence_complete(policy):
        filing.status = FilingStatus.APPROVED
        filing.review = Review.AUTOMATIC
        filing.reviewed_at = timezone.now()
    else:
        filing.review = Review.MANUAL
    filing.save()


def _locked(filing: Filing) -> Filing:
    return (
        Filing.objects.select_for_update(of=("self",))
        .select_related("station__county", "resident")
        .get(pk=filing.pk)
    )


@transaction.atomic
def attach_letter_scan(filing: Filing, scan: UploadedFile) -> Filing:
    """The letter was printed, signed by hand, and its scan is now attached."""
    filing = _locked(filing)
    if not filing.takes_letter_scan:
        raise ValidationError(
            "只有以个人承诺书备案、审核中或手写签字待上传扫描件的申请可以补交承诺书扫描件。"
        )
    letter, _ = CommitmentLetter.objects.get_or_create(filing=filing)
    _attach(letter, "scan", scan)
    letter.save()
    if filing.status == FilingStatus.PENDING:
        review_automatically(filing)
    return filing


@transaction.atomic
def approve(filing: Filing, supervisor: User) -> Filing:
    filing = _locked(filing)
    refusal = filing.approve_refusal(Policy.for_county(filing.station.county_id))
    if refusal:
        raise ValidationError(refusal)
    filing.status = FilingStatus.APPROVED
    filing.review = Review.MANUAL
    filing.reviewed_by = supervisor
    filing.reviewed_at = timezone.now()
    filing.save()
    _tell_result(filing, Purpose.FILING_APPROVED)
    return filing


def _tell_result(filing: Filing, purpose: str, **values: str) -> None:
    """审核结果将以短信方式通知 [002]: a manual review's result, texted to the contact phone
    the resident gave for it (or listed for the station to call)."""
    station = filing.station
    submitted = timezone.localtime(filing.submitted_at)
    queue_text(
        station=station,
        about=filing,
        link=filing.get_absolute_url(),
        name=filing.resident.name,
        phone=filing.contact_phone,
        purpose=purpose,
        county=station.county.name,
        station_name=station.name,
        phone_of_station=station.phone,
        submitted=f"{submitted.month}月{submitted.day}日",
        region=filing.care_region_name,
        period=validity(filing.start_date, filing.end_date),
        **values,
    )


@transaction.atomic
def reject(filing: Filing, supervisor: User, reason: str) -> Filing:
    filing = _locked(filing)
    if filing.status != FilingStatus.PENDING:
        raise ValidationError("该备案不在审核中。")
    filing.status = FilingStatus.REJECTED
    filing.review = Review.MANUAL
    filing.reviewed_by = supervisor
    filing.reviewed_at = timezone.now()
    filing.rejection_reason = reason
    filing.save()
    _tell_result(filing, Purpose.FILING_REJECTED, reason=reason)
    return filing


@transaction.atomic
def cancel(filing: Filing, user: User, reason: str, today: datetime.date) -> Filing:
    """取消备案 [000]: the filing shows 已关闭 and stays in the records."""
    filing = _locked(filing)
    refusal = filing.cancel_refusal(today)
    if refusal:
        raise ValidationError(refusal)
    return _closed(filing, user, reason)


def _closed(filing: Filing, user: User, reason: str, *, in_error: bool = False) -> Filing:
    """已关闭, by whom, when and why; kept in the records [000]."""
    filing.status = FilingStatus.CANCELLED
    filing.closed_in_error = in_error
    filing.cancelled_by = user
    filing.cancelled_at = timezone.now()
    filing.cancel_reason = reason
    filing.save()
    return filing


@transaction.atomic
def close_in_error(filing: Filing, supervisor: User, reason: str, today: datetime.date) -> Filing:
    """备案错误 [000][001]: a supervisor closes a filing the office made wrongly (已关闭),
    with the reason in the trail, whatever the six-month lock; the caseworker then files the
    right one (filing_create's `from`)."""
    if not supervisor.is_supervisor:
        raise ValidationError("只有审核员可以按备案错误关闭备案；经办员请联系审核员。")
    filing = _locked(filing)
    refusal = filing.close_in_error_refusal(today)
    if refusal:
        raise ValidationError(refusal)
    if not reason:
        raise ValidationError("请填写备案错误的原因，例如“就医地录入错误”。")
    return _closed(filing, supervisor, reason, in_error=True)
