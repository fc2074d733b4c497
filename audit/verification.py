"""Checking the audit chains: each county's entries in order, linked, unaltered, with their
history rows, and ending where the chain's head says it ends."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from audit import anchors
from audit.models import GENESIS, AnchorLedger, AuditEntry, ChainHead, chain_of
from audit.records import history_digest

# Models that moved to another app keep their entries' record type (it is hashed): the calendar
# was filing's until the working-day calendar became an app of its own.
MOVED_MODELS = {"filing.calendarday": "workdays.calendarday"}


@dataclass
class Verification:
    checked: int
    # Where the chain first breaks: its name (a county's id, or "-") and the number within it.
    chain: str = ""
    broken_at: int | None = None
    reason: str = ""
    # Where a whole chain ends: the next check of it may start there (`since`).
    last_seq: int = 0
    last_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    @property
    def place(self) -> str:
        """Where it breaks, as the log pages number entries."""
        from accounts.models import County

        if not self.chain:
            return "审计锚点文件"
        if self.chain == "-":
            return f"不属于任何县的记录第 {self.broken_at} 条"
        county = County.objects.filter(pk=self.chain).values_list("name", flat=True).first()
        return f"{county or '县（区）' + self.chain}第 {self.broken_at} 条"

    def __str__(self) -> str:
        if self.ok:
            return f"审计记录完整：已校验 {self.checked} 条，哈希链无断裂。"
        return f"校验失败：{self.place} — {self.reason}（此前 {self.checked} 条完好）"


def chains() -> list[str]:
    """Every chain there is or should be: one per county, one for entries of no county, and
    any whose head row remains (a county's head outlives nothing, but a check never skips
    what exists)."""
    from accounts.models import County

    names = {chain_of(pk) for pk in County.objects.values_list("pk", flat=True)}
    names.add("-")
    names.update(ChainHead.objects.values_list("chain", flat=True))
    return sorted(names, key=lambda name: (len(name), name))


def verify(
    chain: str | None = None,
    chunk: int = 5000,
    since: tuple[int, str] | None = None,
    *,
    with_anchor: bool = True,
) -> Verification:
    """Walk one chain (or every chain) from its first entry, or one chain from `since` (the
    number and hash where an earlier check found it whole: the entries before were checked
    then, and that entry must still be as it was). Returns where it first breaks and why;
    `checked` counts the entries found whole."""
    checked = 0
    last = Verification(0)
    for name in [chain] if chain is not None else chains():
        last = _verify_chain(name, chunk, since if chain is not None else None)
        checked += last.checked
        if not last.ok:
            last.checked = checked
            return last
    if not with_anchor:
        return Verification(checked, last_seq=last.last_seq, last_hash=last.last_hash)
    # Whole chains may still be shorter than they were: compared with the latest anchor,
    # written outside the database (audit/anchors.py), which must be the last one written.
    try:
        anchor = anchors.latest()
    except anchors.AnchorError as error:
        return Verification(checked, "", 0, str(error))
    if problem := anchors.file_problem(AnchorLedger.get().written, anchor):
        return Verification(checked, "", 0, problem)
    if anchor is not None:
        for name, seq, why in anchors.problems(anchor, chain):
            return Verification(checked, name, seq, why)
    return Verification(checked, last_seq=last.last_seq, last_hash=last.last_hash)


def _verify_chain(chain: str, chunk: int, since: tuple[int, str] | None) -> Verification:
    entries = (
        AuditEntry.objects.filter(county__isnull=True)
        if chain == "-"
        else AuditEntry.objects.filter(county_id=int(chain))
    ).order_by("county_seq")
    previous_hash, expected, checked = GENESIS, 1, 0

    def broken(at: int, reason: str) -> Verification:
        return Verification(checked, chain, at, reason)

    if since is not None and since[0] > 0:
        seq, digest = since
        start = entries.filter(county_seq=seq).first()
        if start is None or start.hash != digest or start.compute_hash() != digest:
            return broken(seq, "上次校验时完好的记录已被删除或改动。")
        previous_hash, expected = digest, seq + 1

    while True:
        batch = list(entries.filter(county_seq__gte=expected)[:chunk])
        if not batch:
            break
        stored_rows = _history_rows(batch)
        for entry in batch:
            if entry.county_seq != expected:
                if entry.county_seq == expected - 1:
                    return broken(entry.county_seq, "该序号有两条记录（有记录被插入）。")
                return broken(expected, "缺少该条记录（已被删除，或其县内序号被改动）。")
            if entry.prev_hash != previous_hash:
                return broken(expected, "与前一条记录的链接不符（前面的记录被删除、替换或插入）。")
            if entry.compute_hash() != entry.hash:
                return broken(expected, "该条审计记录的内容被修改过。")
            if entry.history_id is not None:
                row = stored_rows.get((entry.record_type, entry.history_id))
                if row is None:
                    return broken(expected, "对应的历史记录已被删除。")
                if history_digest(row) != entry.history_digest:
                    return broken(expected, "对应的历史记录内容被修改过。")
            previous_hash, expected, checked = entry.hash, expected + 1, checked + 1
    head = ChainHead.objects.filter(chain=chain).first()
    if head is None:
        if checked:
            return broken(expected, "哈希链的链头记录已被删除。")
    elif head.last_seq != expected - 1 or head.last_hash != previous_hash:
        return broken(expected, "该条及以后的记录已被删除。")
    return Verification(checked, last_seq=expected - 1, last_hash=previous_hash)


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
