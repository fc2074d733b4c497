"""No personal data in URLs: ID numbers and names typed into a search are posted, kept in the
session, and the page redirects to a URL without them, so they reach neither the browser's
history, nor a proxy's or the web server's access log."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

from registry import id_numbers


def posted_text(request: HttpRequest, name: str, limit: int) -> str:
    """A short free-text field (a search, a reason) without control characters, trimmed."""
    return "".join(c for c in request.POST.get(name) or "" if c.isprintable()).strip()[:limit]


def remembered_search(request: HttpRequest, key: str) -> tuple[str, HttpResponseRedirect | None]:
    """(the query to show, a redirect to answer a POST with)."""
    if request.method == "POST":
        request.session[f"search:{key}"] = posted_text(request, "q", 40)
        status = request.POST.get("status", "")
        return "", redirect(f"{request.path}?status={status}" if status else request.path)
    return request.session.get(f"search:{key}", ""), None


def remember_id_number(request: HttpRequest, number: str) -> None:
    """An ID number found nowhere, to prefill the registration form it leads to."""
    request.session["prefill:id_number"] = id_numbers.normalize(number)[:18]


def prefilled_id_number(request: HttpRequest) -> str:
    return request.session.pop("prefill:id_number", "")
