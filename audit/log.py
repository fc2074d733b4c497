"""Appending to the audit trail (see audit/models.py): one entry, or many under one lock."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.bulk import insert
from audit.models import AuditEntry, ChainHead, chain_of
from core import logs
from core.addresses import client_ip


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
    """Add one entry at the end of the chain, in the caller's transaction. Appending does
    nothing else: a changed record's other consequences (pages rebuilt, the writer's reads
    on the primary) are audit.records' step, `page_cache.records_changed`."""
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
        # A reason typed at the counter may quote a number: kept masked, as a log line is.
        detail=logs.masked(detail)[:300],
        **fields,
    )


def _chain(entries: list[AuditEntry]) -> None:
    """Number, link, hash and write new entries at the end of their county's chain, under the
    lock of that chain's head row: a county's entries are numbered and linked in one order,
    and an append in one county never waits for another county's.

    Callers append at the end of their work, so that the head stays locked (until the commit)
    for as short a time as possible; an Excel import appends once per batch."""
    by_chain: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_chain.setdefault(chain_of(entry.county_id), []).append(entry)
    with transaction.atomic():
        # Heads are locked in one order, so two writes that span the same counties never
        # wait for each other in a circle.
        for chain in sorted(by_chain):
            head = _locked_head(chain)
            for entry in by_chain[chain]:
                entry.at = timezone.now()  # under the lock: a chain's order is its order in time
                entry.county_seq = head.last_seq + 1
                entry.prev_hash = head.last_hash
                entry.hash = entry.compute_hash()
                head.last_seq, head.last_hash = entry.county_seq, entry.hash
            head.save(update_fields=["last_seq", "last_hash"])
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            insert(AuditEntry, entries)


def _locked_head(chain: str) -> ChainHead:
    """The chain's head row, locked until the transaction ends. A county's first entry makes
    its head; two first entries at once both end up with the one row (get_or_create catches
    the second insert and reads the row the first made)."""
    head, _ = ChainHead.objects.select_for_update().get_or_create(chain=chain)
    return head
