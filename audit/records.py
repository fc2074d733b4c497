"""The audit entries of records' history: django-simple-history writes a history row for each
change of a record, and each row becomes an entry of the chain, with its changes as people
read them and a digest of the row (which verification compares)."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audit.bulk import insert
from audit.history import describe_changes, label_of
from audit.log import _chain, _entry, _places, append
from audit.models import Action, AuditEntry
from audit.page_cache import records_changed

HISTORY_ACTIONS = {"+": Action.CREATE, "~": Action.UPDATE, "-": Action.DELETE}


def history_digest(record: models.Model) -> str:
    """A fingerprint of a history row as stored (read back, so values have their stored form)."""
    values = [
        (f.attname, _stable(getattr(record, f.attname))) for f in record._meta.concrete_fields
    ]
    content = json.dumps(values, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


def _stable(value: Any) -> Any:
    """Times to the millisecond, as Django's fixtures (backups) keep them."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    return value


def _name_related(history: Any, rows: list, names: dict) -> None:
    """Fetch the names of the records these rows point to, a query per relation, not per row."""
    for model_field in history.tracked_fields:
        if not isinstance(model_field, models.ForeignKey):
            continue
        related = model_field.related_model
        wanted = {getattr(row, model_field.attname) for row in rows} - {None}
        wanted = {pk for pk in wanted if (related, pk) not in names}
        for pk, obj in related._default_manager.in_bulk(wanted).items():
            names[(related, pk)] = label_of(obj)


def _instance_of(row: Any) -> models.Model:
    """The record as the history row saw it. (simple-history's own `row.instance` reads the
    live record once per row to fill the fields it does not track.)"""
    values = {f.attname: getattr(row, f.attname) for f in type(row).tracked_fields}
    return row.instance_type(**values)


def record_history(record: Any, request: HttpRequest | None = None) -> AuditEntry:
    """The audit entry of one history row written by django-simple-history."""
    # A history row: a model django-simple-history makes at run time (typed as Any).
    stored: Any = type(record)._default_manager.get(pk=record.pk)
    instance = _instance_of(stored)
    previous = stored.prev_record if stored.history_type != "+" else None
    changes = [[c.label, c.old, c.new] for c in describe_changes(stored, previous)]
    entry = append(
        action=HISTORY_ACTIONS[stored.history_type],
        user=stored.history_user,
        request=request,
        instance=instance,
        history_id=stored.pk,
        history_digest=history_digest(stored),
        changes=changes,
        detail=stored.history_change_reason or "",
    )
    records_changed([entry])
    return entry


def _audit_created(model: Any, objs: list, rows: list, user: Any) -> list[AuditEntry]:
    """The audit entries of new records `objs` and their freshly written "created" history
    `rows` (bulk writes send no signal). The rows are read back, so that their digests are
    of the values as stored."""
    history = model.history.model
    pk_name = model._meta.pk.attname
    created = {obj.pk: obj for obj in objs}  # the record as its first history row saw it
    counties: dict[int, int | None] = {}
    names: dict = {}
    entries = []
    for start in range(0, len(rows), 1000):
        stored = list(
            history.objects.filter(pk__in=[row.pk for row in rows[start : start + 1000]]).order_by(
                "pk"
            )
        )
        _name_related(history, stored, names)
        for row in stored:
            instance = created[getattr(row, pk_name)]
            station_id, county_id = _places(instance, counties)
            entries.append(
                _entry(
                    action=Action.CREATE,
                    user=user,
                    username="",
                    request=None,
                    instance=instance,
                    record_label=label_of(instance),
                    station_id=station_id,
                    county_id=county_id,
                    history_id=row.pk,
                    history_digest=history_digest(row),
                    changes=[[c.label, c.old, c.new] for c in describe_changes(row, None, names)],
                    detail=row.history_change_reason or "",
                )
            )
    return entries


def create_with_history(model: Any, objs: list, *, user: Any = None, reason: str = "") -> None:
    """Insert new records, a "created" history row for each (as django-simple-history writes
    it) and the audit entries of those rows, in one transaction."""
    create_all_with_history([(model, objs)], user=user, reason=reason)


def create_all_with_history(
    groups: list[tuple[Any, list]], *, user: Any = None, reason: str = ""
) -> None:
    """`create_with_history` for records of several models (an import's households and
    residents), in one transaction. Every row goes in first and the audit entries last, all
    at once: the county's chain is locked from then until the commit only."""
    entries: list[AuditEntry] = []
    with transaction.atomic():
        for model, objs in groups:
            if not objs:
                continue
            history = model.history.model
            for obj in objs:  # a record of an earlier group (a new household) has its key now
                obj._prepare_related_fields_for_save(operation_name="create_all_with_history")
            insert(model, objs)
            now = timezone.now()
            rows = [
                history(
                    history_date=now,
                    history_user=user,
                    history_change_reason=reason,
                    history_type="+",
                    **{f.attname: getattr(obj, f.attname) for f in history.tracked_fields},
                )
                for obj in objs
            ]
            insert(history, rows)
            entries += _audit_created(model, objs, rows, user)
        if entries:
            _chain(entries)
            records_changed(entries)


def on_history_created(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    request = getattr(HistoricalRecords.context, "request", None)
    record_history(history_instance, request)
