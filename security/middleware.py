"""Session lifetime, cache and browser-security headers, and the first-login password change."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

IDLE_LIMIT = datetime.timedelta(minutes=30)
ABSOLUTE_LIMIT = datetime.timedelta(hours=12)
# The last request is written to the session at most once a minute, not on every page: a page
# view then costs no session write. Idle time is measured to that minute (never longer).
SEEN_RESOLUTION = datetime.timedelta(minutes=1)

# No inline script and no other origin; inline style attributes stay allowed for the printed
# forms' column widths.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def now() -> datetime.datetime:
    """The clock of the session rules (tests move it)."""
    return timezone.now()


class SessionExpiryMiddleware:
    """A session ends after 30 minutes without a request and 12 hours after login (等保 2.0
    session control), whatever the browser keeps."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            moment = now()
            session = request.session
            started = _parse(session.get("authenticated_at")) or moment
            last_seen = _parse(session.get("last_seen")) or moment
            if moment - last_seen > IDLE_LIMIT or moment - started > ABSOLUTE_LIMIT:
                logout(request)
                messages.info(request, "长时间未操作或登录已超过 12 小时，请重新登录。")
                return redirect(f"{reverse('login')}?next={request.path}")
            if "authenticated_at" not in session:
                session["authenticated_at"] = started.isoformat()
            if "last_seen" not in session or moment - last_seen >= SEEN_RESOLUTION:
                session["last_seen"] = moment.isoformat()
        return self.get_response(request)


def _parse(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


class PasswordChangeRequiredMiddleware:
    """An account with an initial password set by an administrator must choose its own
    before anything else."""

    ALLOWED = ("password_change", "logout", "login")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        name = request.resolver_match.url_name if request.resolver_match else None
        if user.is_authenticated and user.must_change_password and name not in self.ALLOWED:
            return redirect("password_change")
        return None


class SecurityHeadersMiddleware:
    """CSP on every response; `Cache-Control: no-store` on everything a logged-in user sees,
    so no personal data stays in a shared counter PC's browser cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        if settings.SERVER_NAME:  # which app server answered, behind a balancer
            response["X-Portal-Server"] = settings.SERVER_NAME
        return response


class AuditDenialsMiddleware:
    """Permission denials into the audit trail. The view's transaction rolls back with the
    404, so the entry is written here, outside it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        why = getattr(request, "audit_denied", None)
        if why and request.user.is_authenticated:
            from audit.log import append
            from audit.models import Action

            append(
                action=Action.DENIED,
                user=request.user,
                request=request,
                detail=f"{why}：{request.method} {request.path}",
            )
        return response


class MethodNotAllowedPageMiddleware:
    """A GET on a form's POST-only address (a bookmarked 退出 or 查看完整号码) answers with a
    page in Chinese that leads back, not a blank 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
