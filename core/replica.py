"""Reading from a PostgreSQL streaming replica (DATABASE_REPLICA_URL), when there is one.

What reads from it: the list and search pages, marked @reads_from_replica, on a GET. What
never does: writes, the audit chain, sign-in and sessions, every other page, a page part kept
in the cache (audit.page_cache builds those on the primary, so that a part built from a
replica that lags is never kept under a newer change mark), and every read of a user for
REPLICA_PIN_SECONDS after she changed a record: her own change shows on her next page.

Without a replica (the default, and the embedded SQLite of scripts/run.sh) all of this is a
no-op and every query goes to "default".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_reading = ContextVar("reading_from_replica", default=False)
_wrote = ContextVar("wrote_a_record", default=False)
PINNED_UNTIL = "replica:primary_until"


def replica_enabled() -> bool:
    """The alias is configured and reads may go to it (settings.READ_REPLICA)."""
    return bool(getattr(settings, "READ_REPLICA", None)) and REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads go to the replica only inside a view marked @reads_from_replica."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return REPLICA if _reading.get() and replica_enabled() else "default"

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return "default"

    def allow_relation(self, first: Model, second: Model, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"  # the replica follows the primary's WAL, migrations included


def reads_from_replica(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A list or search page: its GET reads from the replica, unless the user just wrote."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or not replica_enabled() or pinned(request):
            return view(request, *args, **kwargs)
        token = _reading.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _reading.reset(token)

    return wrapper


@contextmanager
def on_primary() -> Iterator[None]:
    """Reads inside go to the primary, whatever the page (a part kept in the cache)."""
    token = _reading.set(False)
    try:
        yield
    finally:
        _reading.reset(token)


def note_write() -> None:
    """A business record changed in this request (audit.page_cache.records_changed calls this)."""
    _wrote.set(True)


def pinned(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return session is not None and session.get(PINNED_UNTIL, 0) > time.time()


class PinAfterWriteMiddleware:
    """After a request that changed a record, the user's reads stay on the primary for
    REPLICA_PIN_SECONDS: longer than the replica's lag, so she sees what she just saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get() and replica_enabled() and hasattr(request, "session"):
                request.session[PINNED_UNTIL] = time.time() + settings.REPLICA_PIN_SECONDS
            return response
        finally:
            _wrote.reset(token)
