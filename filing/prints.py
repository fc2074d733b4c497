"""The filing's printed forms as parts of a PDF (template, context, title): each alone, all of
one filing (打印全部), or with the rest of a visit (oversight/visit.py)."""

from __future__ import annotations

from django.utils import timezone

from filing import notice
from filing.models import (
    LONG_TERM_CATEGORIES,
    TEMPORARY_CATEGORIES,
    Category,
    Evidence,
    Filing,
    FilingKind,
    FilingStatus,
)

Part = tuple[str, dict, str]


def form_title(filing: Filing) -> str:
    if filing.category == Category.MATERNITY:  # its own form [004]
        return "异地就医生育保险登记备案表"
    if filing.is_cross_province:
        return "跨省异地就医登记备案表"
    return "省内异地就医登记备案表"


def _form_context(filing: Filing, title: str) -> dict:
    """The 备案表's: a filing still under review says by when its result comes, and how (审核
    结果将以短信方式通知 [002])."""
    due = filing.review_deadline() if filing.status == FilingStatus.PENDING else None
    return {"filing": filing, "form_title": title, "today": timezone.localdate(), "review_due": due}


def filing_form(filing: Filing) -> Part:
    title = form_title(filing)
    return (
        "filing/print/filing_form.html",
        _form_context(filing, title),
        f"{title}-{filing.resident.name}",
    )


def commitment_letter(filing: Filing) -> Part:
    letter = getattr(filing, "commitment_letter", None)
    return (
        "filing/print/commitment_letter.html",
        {"letter": _letter_context(filing, letter)},
        f"个人承诺书-{filing.resident.name}",
    )


def everything(filing: Filing) -> list[Part]:
    """The filing form and, for a commitment, the letter."""
    parts = [filing_form(filing)]
    if filing.evidence == Evidence.COMMITMENT:
        parts.append(commitment_letter(filing))
    return parts


def _letter_context(filing: Filing, letter) -> dict:
    resident = filing.resident
    categories = {
        FilingKind.LONG_TERM: LONG_TERM_CATEGORIES,
        FilingKind.TEMPORARY: TEMPORARY_CATEGORIES,
        FilingKind.MATERNITY: (Category.MATERNITY,),
    }[filing.kind]
    return {
        "name": resident.name,
        "sex": resident.sex_display,
        "age": resident.age,
        "phone": filing.contact_phone,
        "id_number": resident.id_number,
        "insured_region": filing.insured_region_name,
        "care_region": filing.care_region_name,
        "category": filing.category,
        "categories": [(c.value, c.label) for c in categories],
        "start_date": filing.start_date,
        "end_date": filing.end_date,
        "filer": filing.filer_name,
        "text": notice.commitment(resident_name=resident.name, by_agent=filing.by_agent),
        "agent_relationship": filing.get_agent_relationship_display() if filing.by_agent else "",
        "signature": letter.signature if letter else "",
        "sign_date": letter.signed_on if letter else timezone.localdate(),
    }
