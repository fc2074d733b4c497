"""A resident's visit (本次办理): what this caseworker did for this resident today, across the
counter's errands, and one PDF of every form it gives to sign (打印本次全部), in the order the
resident signs them: registration, changes, filings, reimbursement cases."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from accounts.access import StaffRequest, get_for_user, role_required
from accounts.models import Role, User
from filing import prints as filing_prints
from filing.models import Filing, FilingStatus
from oversight.dashboard import day_range
from registry import prints as registry_prints
from registry.models import ChangeStatus, Enrollment, InfoChange, Resident
from reimbursement import prints as case_prints
from reimbursement.models import CaseStatus, ReimbursementCase
from security.privacy import personal_printables

Part = tuple[str, dict, str]


@dataclass(frozen=True)
class Errand:
    what: str  # as the resident's page lists it
    parts: list[Part]

    @property
    def titles(self) -> list[str]:
        return [title.rsplit("-", 1)[0] for _, _, title in self.parts]


def errands(user: User, resident: Resident, today: datetime.date) -> list[Errand]:
    """Today's errands of this caseworker for this resident, each with its forms to sign; what
    was undone since (a cancelled filing, a voided case, a refused change) prints nothing."""
    if not user.is_caseworker:
        return []
    today_range = day_range(today, today)
    found: list[Errand] = []
    enrollment = (
        Enrollment.objects.for_user(user)
        .filter(resident=resident, created_by=user, created_at__range=today_range)
        .first()
    )
    if enrollment is not None:
        what = "新生儿参保登记" if enrollment.newborn else "参保登记"
        found.append(Errand(what, [registry_prints.registration_form(resident, user)]))
    changes = (
        InfoChange.objects.for_user(user)
        .filter(resident=resident, created_by=user, created_at__range=today_range)
        .exclude(status=ChangeStatus.REJECTED)
        .select_related("resident", "station")
        .order_by("created_at")
    )
    for change in changes:
        found.append(Errand(f"信息变更：{change.reason}", [registry_prints.change_form(change)]))
    filings = (
        Filing.objects.for_user(user)
        .filter(resident=resident, submitted_by=user, submitted_at__range=today_range)
        .exclude(status=FilingStatus.CANCELLED)
        .select_related("resident", "station", "submitted_by")
        .prefetch_related("materials")
        .order_by("submitted_at")
    )
    for filing in filings:
        what = f"异地就医备案：{filing.care_region_name}"
        found.append(Errand(what, filing_prints.everything(filing)))
    cases = (
        ReimbursementCase.objects.for_user(user)
        .filter(resident=resident, created_by=user, created_at__range=today_range)
        .exclude(status=CaseStatus.VOIDED)
        .select_related("resident", "station__county")
        .order_by("created_at")
    )
    for case in cases:
        what = case.get_kind_display()
        found.append(Errand(what, case_prints.everything(case, user)))
    return found


@role_required(Role.CASEWORKER)
def print_visit(request: StaffRequest, resident_pk: int) -> HttpResponse:
    """打印本次全部: every form of today's errands in one PDF, one audit entry naming each."""
    resident = get_for_user(
        Resident.objects.select_related("household", "station"), request, pk=resident_pk
    )
    parts = [
        part
        for errand in errands(request.user, resident, timezone.localdate())
        for part in errand.parts
    ]
    if not parts:
        messages.info(request, f"今天还没有为{resident.name}办理需要签字的业务。")
        return redirect(resident)
    return personal_printables(
        request, subject=resident, parts=parts, filename=f"本次办理-{resident.name}.pdf"
    )
