"""Keyset ("seek") pagination: a page is the rows after (or before) the last one shown, read
from an index at that point, so the last page of a county's list costs what the first does
(OFFSET reads and throws away every row before the page).

A list orders by its columns and then its key, all in one direction (name, pk) or
(-submitted_at, -pk), and links to 首页 / 上一页 / 下一页 / 末页. Deep page numbers are not
offered: a caseworker jumps by searching (a name's first characters, an ID number).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import QueryDict

SALT = "core.keyset"
MOVES = ("after", "before", "last")


@dataclass(frozen=True)
class SeekPage:
    """One page of a list: its rows, how many the whole list has, and its links (query
    strings that keep the list's other parameters, e.g. a status filter)."""

    object_list: list
    count: int
    first_url: str = ""
    previous_url: str = ""
    next_url: str = ""
    last_url: str = ""

    @property
    def has_other_pages(self) -> bool:
        return bool(self.previous_url or self.next_url)


def seek(
    records: models.QuerySet,
    order: tuple[str, ...],
    query: QueryDict,
    count: int,
    size: int | None = None,
) -> SeekPage:
    """The page of `records` (ordered by `order`, whose fields each row holds) that `query`
    asks for: ?after=<token> the rows after a row, ?before=<token> those before it, ?last=1
    the last page, else the first. A token that does not read (typed, cut, of another list)
    gives the first page, as does one with nothing beyond it."""
    size = size or settings.PAGE_SIZE
    fields = tuple(name.lstrip("-") for name in order)
    descending = order[0].startswith("-")
    reverse = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in order)
    after = _read(records.model, fields, query.get("after"))
    before = _read(records.model, fields, query.get("before"))
    backwards = before is not None or (after is None and query.get("last") == "1")
    shown = records
    if after is not None:
        shown = records.filter(_beyond(fields, after, greater=not descending))
    elif before is not None:
        shown = records.filter(_beyond(fields, before, greater=descending))
    rows = list(shown.order_by(*(reverse if backwards else order))[: size + 1])
    if not rows and (after is not None or before is not None):
        # Nothing beyond a position (its rows since closed, or the last one's): the list
        # starts again, as for a position that does not read.
        return seek(records, order, QueryDict(), count, size)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_previous = more if backwards else after is not None
    has_next = before is not None or (more and not backwards)
    return SeekPage(
        object_list=rows,
        count=count,
        first_url=_link(query) if has_previous else "",
        previous_url=_link(query, before=token(rows[0], fields)) if has_previous else "",
        next_url=_link(query, after=token(rows[-1], fields)) if has_next else "",
        last_url=_link(query, last="1") if has_next else "",
    )


def _beyond(fields: tuple[str, ...], values: list, *, greater: bool) -> models.Q:
    """Rows past `values` in the order of `fields`. The first field's bound (>= or <=) is
    stated on its own as well, so that the index seeks to it instead of filtering from the
    start of the station's rows."""
    strict, loose = ("gt", "gte") if greater else ("lt", "lte")
    past = models.Q(**{f"{fields[-1]}__{strict}": values[-1]})
    for field, value in zip(fields[-2::-1], values[-2::-1], strict=True):
        past = models.Q(**{f"{field}__{strict}": value}) | (models.Q(**{field: value}) & past)
    if len(fields) > 1:
        past &= models.Q(**{f"{fields[0]}__{loose}": values[0]})
    return past


def _value(row: Any, field: str) -> Any:
    return row[field] if isinstance(row, Mapping) else getattr(row, field)


def token(row: Any, fields: tuple[str, ...]) -> str:
    """The position of `row` in a list ordered by `fields`, for ?after= or ?before=."""
    values = []
    for field in fields:
        value = _value(row, field)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        values.append(value)
    return signing.dumps(values, salt=SALT)


def _read(model: type[models.Model], fields: tuple[str, ...], token: str | None) -> list | None:
    if not token:
        return None
    try:
        values = signing.loads(token[:500], salt=SALT)
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        return [
            _field(model, field).to_python(value)
            for field, value in zip(fields, values, strict=True)
        ]
    except (signing.BadSignature, ValidationError, TypeError, ValueError, FieldDoesNotExist):
        return None


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.pk if name == "pk" else model._meta.get_field(name)  # type: ignore[return-value]


def _link(query: QueryDict, **move: str) -> str:
    kept = query.copy()
    for name in MOVES:
        kept.pop(name, None)
    kept.pop("page", None)
    kept.update(move)
    encoded = kept.urlencode()
    return f"?{encoded}" if encoded else "?"
