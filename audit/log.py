"""Writing to and checking the audit trail (see audit/models.py)."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audit.bulk import insert
from audit.history import describe_changes, label_of
from audit.models import Action, AuditEntry, ChainHead
from audit.page_cache import mark_changed

# Models that moved to another app keep their entries' record type (it is hashed): the calendar
# was filing's until the working-day calendar became an app of its own.
MOVED_MODELS = {"filing.calendarday": "workdays.calendarday"}
HISTORY_ACTIONS = {"+": Action.CREATE, "~": Action.UPDATE, "-": Action.DELETE}


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _places(
    instance: models.Model, counties: dict[int, int | None] | None = None
) -> tuple[int | None, int | None]:
    """The station and county a record belongs to, for filtering the log (`counties` caches
    station -> county over a bulk write)."""
    from accounts.models import County, Policy, Station

    if isinstance(instance, County):
        return None, instance.pk
    if isinstance(instance, Station):
        return instance.pk, instance.county_id
    if isinstance(instance, Policy):
        return None, instance.county_id
    station_id = getattr(instance, "station_id", None)
    county_id = getattr(instance, "county_id", None)
    if station_id and not county_id:
        if counties is not None and station_id in counties:
            return station_id, counties[station_id]
        county_id = (
            Station.objects.filter(pk=station_id).values_list("county_id", flat=True).first()
        )
        if counties is not None:
            counties[station_id] = county_id
    if county_id is None and hasattr(instance, "filing_id"):
        return _places(getattr(instance, "filing"))  # noqa: B009  # a filing's material
    return station_id, county_id


def append(
    *,
    action: str,
    user: Any = None,
    request: HttpRequest | None = None,
    instance: models.Model | None = None,
    history_id: int | None = None,
    history_digest: str = "",
    changes: list | None = None,
    detail: str = "",
    username: str = "",
    station_id: int | None = None,
    county_id: int | None = None,
) -> AuditEntry:
    """Add one entry at the end of the chain, in the caller's transaction."""
    if user is not None and not user.is_authenticated:
        user = None
    if instance is not None and station_id is None and county_id is None:
        station_id, county_id = _places(instance)
    if user is not None and county_id is None:
        station_id, county_id = station_id or user.station_id, user.county_id
    entry = _entry(
        action=action,
        user=user,
        username=username,
        request=request,
        instance=instance,
        record_label=str(instance) if instance is not None else "",
        station_id=station_id,
        county_id=county_id,
        history_id=history_id,
        history_digest=history_digest,
        changes=changes or [],
        detail=detail,
    )
    _chain([entry])
    return entry


def _entry(
    *,
    action: str,
    user: Any,
    username: str,
    request: HttpRequest | None,
    instance: models.Model | None,
    record_label: str,
    detail: str,
    **fields: Any,
) -> AuditEntry:
    """An entry's content; its place in the chain (numbers and hashes) comes from `_chain`."""
    return AuditEntry(
        user=user,
        username=(user.get_username() if user else username)[:150],
        ip=client_ip(request),
        action=action,
        record_type=instance._meta.label_lower if instance is not None else "",
        record_id=str(instance.pk) if instance is not None else "",
        record_label=record_label[:200],
        detail=detail[:300],
        **fields,
    )


def _chain(entries: list[AuditEntry]) -> None:
    """Number, link, hash and write new entries at the end of the chain, under the lock of
    its head row, so that entries are numbered and chained in one order."""
    with transaction.atomic():
        # The head row comes from a migration; it is made again only on an empty database
        # (a test's flush): with entries present, a fresh head collides with entry 1.
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        for entry in entries:
            entry.at = timezone.now()  # under the lock: the chain's order is the order in time
            county = str(entry.county_id or "-")
            head.county_seqs[county] = entry.county_seq = head.county_seqs.get(county, 0) + 1
            entry.id = head.last_id + 1
            entry.prev_hash = head.last_hash
            entry.hash = entry.compute_hash()
            head.last_id, head.last_hash = entry.id, entry.hash
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            insert(AuditEntry, entries)
        head.save(update_fields=["last_id", "last_hash", "county_seqs"])
    mark_changed(entries)


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
    return append(
        action=HISTORY_ACTIONS[stored.history_type],
        user=stored.history_user,
        request=request,
        instance=instance,
        history_id=stored.pk,
        history_digest=history_digest(stored),
        changes=changes,
        detail=stored.history_change_reason or "",
    )


def _audit_created(model: Any, objs: list, rows: list, user: Any) -> None:
    """The audit entries of new records `objs` and their freshly written "created" history
    `rows` (bulk writes send no signal), a thousand at a time under one lock of the chain
    head. The rows are read back, so that their digests are of the values as stored."""
    history = model.history.model
    pk_name = model._meta.pk.attname
    created = {obj.pk: obj for obj in objs}  # the record as its first history row saw it
    counties: dict[int, int | None] = {}
    names: dict = {}
    for start in range(0, len(rows), 1000):
        stored = list(
            history.objects.filter(pk__in=[row.pk for row in rows[start : start + 1000]]).order_by(
                "pk"
            )
        )
        _name_related(history, stored, names)
        entries = []
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
        _chain(entries)


def create_with_history(model: Any, objs: list, *, user: Any = None, reason: str = "") -> None:
    """Insert new records, a "created" history row for each (as django-simple-history writes
    it) and the audit entries of those rows, in one transaction."""
    if not objs:
        return
    history = model.history.model
    with transaction.atomic():
        insert(model, objs)
        now = timezone.now()
        rows = [
            history(
                history_date=now,
                history_user=user,
                history_change_reason=reason,
                history_type="+",
                **{field.attname: getattr(obj, field.attname) for field in history.tracked_fields},
            )
            for obj in objs
        ]
        insert(history, rows)
        _audit_created(model, objs, rows, user)


def on_history_created(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    request = getattr(HistoricalRecords.context, "request", None)
    record_history(history_instance, request)


@dataclass
class Verification:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(chunk: int = 5000) -> Verification:
    """Walk the chain from the first entry. Returns where it first breaks and why."""
    from audit.models import GENESIS

    previous_hash, expected_id, checked = GENESIS, 1, 0
    county_seqs: dict[str, int] = {}
    entries = AuditEntry.objects.order_by("id")
    last_id = 0
    while True:
        batch = list(entries.filter(id__gt=last_id)[:chunk])
        if not batch:
            break
        stored_rows = _history_rows(batch)
        for entry in batch:
            if entry.id != expected_id:
                return Verification(
                    checked, expected_id, f"缺少第 {expected_id} 条记录（已被删除）。"
                )
            if entry.prev_hash != previous_hash:
                return Verification(
                    checked, entry.id, "与前一条记录的链接不符（前面的记录被删除、替换或插入）。"
                )
            if entry.compute_hash() != entry.hash:
                return Verification(checked, entry.id, "该条审计记录的内容被修改过。")
            county = str(entry.county_id or "-")
            county_seqs[county] = county_seqs.get(county, 0) + 1
            if entry.county_seq != county_seqs[county]:
                return Verification(checked, entry.id, "该条审计记录的县内序号被修改过。")
            if entry.history_id is not None:
                row = stored_rows.get((entry.record_type, entry.history_id))
                if row is None:
                    return Verification(checked, entry.id, "对应的历史记录已被删除。")
                if history_digest(row) != entry.history_digest:
                    return Verification(checked, entry.id, "对应的历史记录内容被修改过。")
            previous_hash, expected_id, checked = entry.hash, expected_id + 1, checked + 1
        last_id = batch[-1].id
    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        return Verification(checked, expected_id, "哈希链的链头记录已被删除。")
    if (
        head.last_id != expected_id - 1
        or head.last_hash != previous_hash
        or head.county_seqs != county_seqs
    ):
        return Verification(checked, expected_id, f"第 {expected_id} 条及以后的记录已被删除。")
    return Verification(checked)


def _history_rows(batch: list[AuditEntry]) -> dict:
    wanted: dict[str, list[int]] = {}
    for entry in batch:
        if entry.history_id is not None:
            wanted.setdefault(entry.record_type, []).append(entry.history_id)
    rows = {}
    for record_type, ids in wanted.items():
        model = apps.get_model(MOVED_MODELS.get(record_type, record_type))
        for pk, row in model.history.model.objects.in_bulk(ids).items():
            rows[(record_type, pk)] = row
    return rows
