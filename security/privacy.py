"""Personal data only as far as the task needs (个人信息保护法).

- No personal data in URLs: searches are posted, and the page redirects to a URL without them,
  so they reach neither the browser's history nor a proxy's or the web server's access log.
- A full ID or phone number typed into a search is used once: it is never kept in the session
  (a name or household number is, so that paging through the results works).
- A printable shows full numbers only on the PDF a caseworker or supervisor prints for a
  resident to sign, and each such print is an audit entry; its preview, and every printable an
  auditor opens, shows them masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect

from accounts.access import StaffRequest
from accounts.models import Role
from audit.log import append
from audit.models import Action
from core import id_numbers
from printing.pdf import pdf_response, printable_response, render_pdfs

# Roles that print forms for residents to sign. An auditor reads records; he signs nothing.
PRINTS_FULL_NUMBERS = (Role.CASEWORKER, Role.SUPERVISOR)


def posted_text(request: StaffRequest, name: str, limit: int) -> str:
    """A short free-text field (a search, a reason) without control characters, trimmed."""
    return "".join(c for c in request.POST.get(name) or "" if c.isprintable()).strip()[:limit]


def is_personal_number(query: str) -> bool:
    """An ID number (full or nearly) or a phone number: never kept, never shown back in full."""
    number = id_numbers.normalize(query).replace("-", "")
    return len(number) >= 15 or (len(number) == 11 and number.startswith("1"))


def masked_query(query: str) -> str:
    """The query as the page may repeat it."""
    if not is_personal_number(query):
        return query
    number = id_numbers.normalize(query).replace("-", "")
    return id_numbers.mask(number) if len(number) == 18 else id_numbers.mask_phone(number)


def remembered_search(
    request: StaffRequest, key: str, statuses: Iterable[str] = ()
) -> tuple[str, HttpResponseRedirect | None]:
    """(the query to search with, a redirect to answer a POST with, or None).

    A status filter posted with the search is carried to the list's address only when it is
    one of the list's `statuses` (nothing else typed is reflected into the redirect).

    A posted name or household number is kept in the session and the POST answered with a
    redirect (the list can then be paged). A posted ID or phone number is searched at once,
    in the POST's own response, and kept nowhere: the next visit to the list starts empty."""
    if request.method == "POST":
        query = posted_text(request, "q", 40)
        if is_personal_number(query):
            request.session.pop(f"search:{key}", None)
            return query, None
        request.session[f"search:{key}"] = query
        status = request.POST.get("status", "")
        if status not in statuses:
            return "", redirect(request.path)
        return "", redirect(f"{request.path}?{urlencode({'status': status})}")
    return kept_search(request, key), None


def kept_search(request: StaffRequest, key: str) -> str:
    """The name or household number last searched on that list."""
    return request.session.get(f"search:{key}", "")


def remember_id_number(request: StaffRequest, number: str) -> None:
    """An ID number found nowhere, to prefill the registration form it leads to (popped by
    that form at once)."""
    request.session["prefill:id_number"] = id_numbers.normalize(number)[:18]


def prefilled_id_number(request: StaffRequest) -> str:
    return request.session.pop("prefill:id_number", "")


def personal_printable(
    request: StaffRequest, *, subject, context: dict, filename: str, **kwargs
) -> HttpResponse:
    """A printable carrying a resident's ID or phone numbers (`printing.pdf.printable_response`
    with the same arguments, plus the record it is about).

    The PDF is what the resident signs, and a form without the full numbers is void: for a
    caseworker or a supervisor it carries them, and the print is recorded (who printed which
    document of whom). The preview is for checking names and layout, and shows them masked,
    as does everything an auditor opens."""
    full = request.GET.get("format") == "pdf" and request.user.role in PRINTS_FULL_NUMBERS
    if full:
        _record_print(request, subject, [filename.removesuffix(".pdf")])
    return printable_response(
        request, context={**context, "full_numbers": full}, filename=filename, **kwargs
    )


def personal_printables(
    request: StaffRequest, *, subject, parts: list[tuple[str, dict, str]], filename: str
) -> HttpResponse:
    """打印全部: every document of a visit in one PDF, opened at once in the browser's viewer
    (parts: template, context, title). The numbers and the record of the print are those of
    `personal_printable`; each document keeps its own preview page."""
    full = request.user.role in PRINTS_FULL_NUMBERS
    if full:
        _record_print(request, subject, [title for _, _, title in parts])
    pdf = render_pdfs(
        [
            (name, {**context, "full_numbers": full, "title": title})
            for name, context, title in parts
        ]
    )
    return pdf_response(pdf, filename)


def _record_print(request: StaffRequest, subject, titles: list[str]) -> None:
    """Who printed which documents of whom with the full numbers, in the audit trail."""
    named = "".join(f"《{title}》" for title in titles)
    append(
        action=Action.PRINT,
        user=request.user,
        request=request,
        instance=subject,
        detail=f"打印{named}，含完整身份证号码和电话",
    )


def search_context(query: str) -> dict:
    """What a search page shows of its query: the box keeps a name or household number to
    refine; an ID or phone number is repeated masked, and the box starts empty again."""
    return {
        "query": "" if is_personal_number(query) else query,
        "searched": masked_query(query),
        "id_problem": id_number_problem(query),
    }


def id_number_problem(query: str) -> str:
    """What is wrong with a search that is an ID number typed wrong (15 or more digits, an
    X allowed last), in the words of the ID-number check: "共 0 人" would leave the
    caseworker guessing, or registering the person twice."""
    number = id_numbers.normalize(query)
    if len(number) < 15 or not number[:-1].isdigit() or not number.isascii():
        return ""
    try:
        id_numbers.validate(number)
    except ValidationError as error:
        return error.messages[0]
    return ""
