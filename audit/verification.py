"""Checking the audit chain: every entry in order, linked, unaltered, with its history row."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from audit.models import AuditEntry, ChainHead
from audit.records import history_digest

# Models that moved to another app keep their entries' record type (it is hashed): the calendar
# was filing's until the working-day calendar became an app of its own.
MOVED_MODELS = {"filing.calendarday": "workdays.calendarday"}


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
