"""Excel exports: every export of the portal goes through here and into the audit trail."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone

from accounts.access import StaffRequest
from audit.log import append
from audit.models import Action

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def exported_workbook(request: StaffRequest, workbook, name: str, detail: str) -> HttpResponse:
    """An Excel download; every export of the portal goes into the audit trail."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    append(action=Action.EXPORT, user=request.user, request=request, detail=detail)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = f"attachment; filename={name}-{stamp}.xlsx"
    return response


def spreadsheet_cell(value) -> str:
    """Text a spreadsheet shows as text: a leading ' stops =, +, - and @ being read as a
    formula (CSV/Excel injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
