"""Writing to and checking the audit trail (see audit/models.py)."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audit.history import describe_changes, label_of
from audit.models import Action, AuditEntry, ChainHead

HISTORY_ACTIONS = {"+": Action.CREATE, "~": Action.UPDATE, "-": Action.DELETE}


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _places(instance, counties: dict | None = None) -> tuple[int | None, int | None]:
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
        return _places(instance.filing)
    return station_id, county_id


def append(
    *,
    action: str,
    user=None,
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
    with transaction.atomic():
        # The head row comes from a migration; it is made again only on an empty database
        # (a test's flush): with entries present, a fresh head collides with entry 1.
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            id=head.last_id + 1,
            at=timezone.now(),
            user=user,
            username=(user.get_username() if user else username)[:150],
            ip=client_ip(request),
            action=action,
            station_id=station_id,
            county_id=county_id,
            record_type=instance._meta.label_lower if instance is not None else "",
            record_id=str(instance.pk) if instance is not None else "",
            record_label=str(instance)[:200] if instance is not None else "",
            history_id=history_id,
            history_digest=history_digest,
            changes=changes or [],
            detail=detail[:300],
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.last_id, head.last_hash = entry.id, entry.hash
        head.save(update_fields=["last_id", "last_hash"])
    return entry


def history_digest(record: models.Model) -> str:
    """A fingerprint of a history row as stored (read back, so values have their stored form)."""
    values = [
        (f.attname, _stable(getattr(record, f.attname))) for f in record._meta.concrete_fields
    ]
    content = json.dumps(values, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


def _stable(value):
    """Times to the millisecond, as Django's fixtures (backups) keep them."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    return value


def _name_related(history, rows: list, names: dict) -> None:
    """Fetch the names of the records these rows point to, a query per relation, not per row."""
    for model_field in history.tracked_fields:
        if not isinstance(model_field, models.ForeignKey):
            continue
        related = model_field.related_model
        wanted = {getattr(row, model_field.attname) for row in rows} - {None}
        wanted = {pk for pk in wanted if (related, pk) not in names}
        for pk, obj in related._default_manager.in_bulk(wanted).items():
            names[(related, pk)] = label_of(obj)


def _instance_of(row: models.Model) -> models.Model:
    """The record as the history row saw it. (simple-history's own `row.instance` reads the
    live record once per row to fill the fields it does not track.)"""
    values = {f.attname: getattr(row, f.attname) for f in type(row).tracked_fields}
    return row.instance_type(**values)


def record_history(record: models.Model, request: HttpRequest | None = None) -> AuditEntry:
    """The audit entry of one history row written by django-simple-history."""
    stored = type(record)._default_manager.get(pk=record.pk)
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


def record_bulk_history(model: type[models.Model], instances, user=None, request=None) -> None:
    """Bulk paths (bulk_create_with_history) send no signal: their history rows (creations)
    are chained here, a thousand at a time, under one lock of the chain head."""
    history = model.history.model
    ids = [instance.pk for instance in instances]
    counties: dict[int, int] = {}
    names: dict = {}
    for start in range(0, len(ids), 1000):
        rows = list(history.objects.filter(id__in=ids[start : start + 1000]).order_by("history_id"))
        _name_related(history, rows, names)
        with transaction.atomic():
            head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
            entries, previous = [], head.last_hash
            for row in rows:
                instance = _instance_of(row)
                station_id, county_id = _places(instance, counties)
                actor = row.history_user or user
                entry = AuditEntry(
                    id=head.last_id + len(entries) + 1,
                    at=timezone.now(),
                    user=actor,
                    username=actor.get_username() if actor else "",
                    ip=client_ip(request),
                    action=HISTORY_ACTIONS[row.history_type],
                    station_id=station_id,
                    county_id=county_id,
                    record_type=model._meta.label_lower,
                    record_id=str(instance.pk),
                    record_label=label_of(instance)[:200],
                    history_id=row.pk,
                    history_digest=history_digest(row),
                    changes=[[c.label, c.old, c.new] for c in describe_changes(row, None, names)],
                    detail=row.history_change_reason or "",
                    prev_hash=previous,
                )
                entry.hash = previous = entry.compute_hash()
                entries.append(entry)
            AuditEntry.objects.bulk_create(entries)
            if entries:
                head.last_id, head.last_hash = entries[-1].id, entries[-1].hash
                head.save(update_fields=["last_id", "last_hash"])


def on_history_created(sender, history_instance, **kwargs) -> None:
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
    if head.last_id != expected_id - 1 or head.last_hash != previous_hash:
        return Verification(checked, expected_id, f"第 {expected_id} 条及以后的记录已被删除。")
    return Verification(checked)


def _history_rows(batch: list[AuditEntry]) -> dict:
    wanted: dict[str, list[int]] = {}
    for entry in batch:
        if entry.history_id is not None:
            wanted.setdefault(entry.record_type, []).append(entry.history_id)
    rows = {}
    for record_type, ids in wanted.items():
        model = apps.get_model(record_type)
        for pk, row in model.history.model.objects.in_bulk(ids).items():
            rows[(record_type, pk)] = row
    return rows
