"""Pages kept in the cache until the next change they show.

Every change of a business record passes through the audit chain (`audit.log`), which marks
the station and county it belongs to as changed. A page part built from many rows (the home
dashboards, the case list) is kept under the current marks of the scopes it shows, so the
next change there makes a new key, and the old part is never served again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

from core import replica

if TYPE_CHECKING:
    from accounts.models import User
    from audit.models import AuditEntry


def records_changed(entries: list[AuditEntry]) -> None:
    """The step after a record changed, taken where its history becomes an audit entry
    (audit/records.py), the one path every change of a business record takes: the station and
    county it belongs to (or the whole installation) are marked changed, so a page built from
    many rows (the home dashboards, the case list), kept in the cache under these marks
    (kept_until_changed), is built again; and the writer's next pages read the primary, not
    a replica that may lag (core/replica.py)."""
    scopes = set()
    for entry in entries:
        if entry.history_id is None:
            continue  # a security event changes no record
        if not entry.county_id:
            scopes.add("all")  # e.g. the holiday calendar
        elif not entry.station_id:
            scopes.add(f"county:{entry.county_id}")  # e.g. the county's policy
        else:
            scopes.update({f"station:{entry.station_id}", f"stations-of:{entry.county_id}"})
    if not scopes:
        return
    replica.note_write()  # the writer's next pages read from the primary

    # Now, for this request's next page; and again at commit, so that a page built by another
    # request before the commit (without this change) is never kept under the final mark.
    renew_marks(scopes)
    transaction.on_commit(lambda: renew_marks(scopes))


def renew_marks(scopes: Iterable[str]) -> None:
    # Fresh random tokens, not counters: two writers can never leave the same mark.
    cache.set_many({_mark_key(scope): uuid.uuid4().hex for scope in scopes}, None)


def _mark_key(scope: str) -> str:
    return f"changed:{scope}"


# How long a page part is kept at most, should a change ever bypass the audit chain's marks.
KEPT_AT_MOST = 300  # seconds


def scopes_of(user: User) -> list[str]:
    """The scopes whose changes alter what this user's pages show: the portal's and the
    county's own records, and the station's (a caseworker) or any station's of the county
    (a supervisor or auditor)."""
    scopes = ["all", f"county:{user.county_id}"]
    if user.is_caseworker:
        scopes.append(f"station:{user.station_id}")
    else:
        scopes.append(f"stations-of:{user.county_id}")
    return scopes


def kept_until_changed(name: str, user: User, build: Callable[[], str]) -> SafeString:
    """The HTML `build` renders from our own templates (which escape every value), kept in
    the cache under `name` until the next change of a record within the user's reach."""
    scopes = scopes_of(user)
    # The role too: a supervisor and an auditor of one county see different pages.
    key = f"{name}:{user.role}:{scopes[-1]}:{change_marks(*scopes)}"
    html = cache.get(key)
    if html is None:
        # From the primary: a replica that lags would be kept under a mark newer than its rows.
        with replica.on_primary():
            html = build()
        cache.set(key, html, KEPT_AT_MOST)
    return mark_safe(html)


def change_marks(*scopes: str) -> str:
    """The current marks of these scopes, as one key part: "all" (records of no county),
    "county:<id>" (the county's own records), "station:<id>" (a station's records) and
    "stations-of:<county id>" (any station's records in that county). A mark the cache has
    lost is replaced by a new one, never read as an old one."""
    keys = [_mark_key(scope) for scope in scopes]
    marks = cache.get_many(keys)
    for key in keys:
        if key not in marks:
            cache.add(key, uuid.uuid4().hex, None)
            marks[key] = cache.get(key)
    return "-".join(str(marks[key]) for key in keys)
