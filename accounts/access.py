"""Who may open which page: one decorator for roles, one helper for station scoping."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from accounts.models import Role, StationScopedQuerySet, User

M = TypeVar("M", bound=Model)


class StaffRequest(HttpRequest):
    """A request of a signed-in member of staff: every page but the login page needs one
    (LoginRequiredMiddleware), so views read `request.user` as a `User`."""

    user: User
    audit_denied: str


View = Callable[..., HttpResponse | FileResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Open the view to these roles only. Others get a 404: a page they may not use is, for
    them, a page that does not exist (and it says nothing about what the URL holds)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(
            request: StaffRequest, *args: Any, **kwargs: Any
        ) -> HttpResponse | FileResponse:
            if request.user.role not in roles:
                _denied(request, "角色无权使用此页面")
                raise Http404("无权访问此页面。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_for_user(queryset: StationScopedQuerySet[M], request: StaffRequest, **lookup: Any) -> M:
    """The record, if it lies within the user's station or county; otherwise 404."""
    try:
        return get_object_or_404(queryset.for_user(request.user), **lookup)
    except Http404:
        if queryset.model._default_manager.filter(**lookup).exists():
            _denied(request, f"访问其他医保站的{queryset.model._meta.verbose_name}")
        raise


def _denied(request: StaffRequest, why: str) -> None:
    """Mark a refused request; security.middleware.AuditDenialsMiddleware writes it to the
    audit trail after the view's transaction has rolled back."""
    request.audit_denied = why


STAFF = (Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR)
