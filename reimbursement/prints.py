"""The case's printed forms as parts of a PDF (template, context, title): the 一次性告知单 and
the 大额补偿承诺书, each alone, together (打印全部), or with the rest of a visit
(oversight/visit.py)."""

from __future__ import annotations

from django.utils import timezone

from reimbursement.models import ReimbursementCase

Part = tuple[str, dict, str]


def missing_notice(
    case: ReimbursementCase, user, *, signed_now: bool = False
) -> tuple[str, dict, str]:
    items = case.checklist()
    context = {
        "signed_now": signed_now,
        "case": case,
        "received": [i for i in items if i.received],
        "missing": [i for i in items if not i.received],
        "station": case.station,
        "caseworker": user,
        "today": timezone.localdate(),
    }
    return "reimbursement/print/missing_notice.html", context, f"一次性告知单-{case.resident.name}"


def large_amount_letter(case: ReimbursementCase, user) -> tuple[str, dict, str]:
    context = {"case": case, "resident": case.resident, "today": timezone.localdate()}
    title = f"大额补偿承诺书-{case.resident.name}"
    return "reimbursement/print/large_amount_letter.html", context, title


def everything(case: ReimbursementCase, user, *, signed_now: bool = False) -> list[Part]:
    """The 一次性告知单 and, from the county's threshold, the 大额补偿承诺书 ([001] 注 3)."""
    parts = [missing_notice(case, user, signed_now=signed_now)]
    if case.needs_large_amount_letter():
        parts.append(large_amount_letter(case, user))
    return parts
