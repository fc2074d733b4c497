"""Who may open which page: one decorator for roles, one helper for station scoping."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from accounts.models import Role

M = TypeVar("M", bound=Model)


def role_required(*roles: Role) -> Callable:
    """Open the view to these roles only. Others get a 404: a page they may not use is, for
    them, a page that does not exist (and it says nothing about what the URL holds)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.role not in roles:
                raise Http404("无权访问此页面。")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


def get_for_user(queryset: QuerySet[M], request: HttpRequest, **lookup) -> M:
    """The record, if it lies within the user's station or county; otherwise 404."""
    return get_object_or_404(queryset.for_user(request.user), **lookup)


STAFF = (Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR)
