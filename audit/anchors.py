"""Anchors of the audit chains outside the database.

The hash chains show an entry altered, removed or inserted in the middle. They cannot show
the newest entries removed together with a rewrite of the chain's head: the database then
holds a shorter chain that is whole. So the ends of the chains are written, signed with the
audit key, as one line appended to a file kept apart from the database (AUDIT_ANCHOR_FILE:
another disk or host, append-only) and into every backup's manifest. Verification compares
each chain with the latest anchor: an anchored entry that is gone or changed is reported.

`manage.py anchor_audit` writes one (cron, every few minutes: the entries since the last
anchor are the ones a rewrite could still remove unseen); the worker writes one when it
starts, and every backup one more.

Anchors only move forward. Each line carries its number, and the database counts the lines
written (AnchorLedger): a missing, shortened or rewound file, or a database put back behind
its file, fails verification. Before a new anchor is written, the latest one's entries must
still be there, unchanged, and each chain whole from them to its head; otherwise nothing is
written (a new anchor would record the truncated chain as the truth), the refusal is an
audit entry of its own (审计记录被篡改), logged as an error, and shown on the auditors' and
supervisors' pages. Every anchor line also goes to the `audit.anchors` logger: with
AUDIT_ANCHOR_SYSLOG (host:port) it reaches a remote syslog collector, off this host
(docs/deployment.md).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AnchorLedger, AuditEntry, ChainHead, keyed_digest

logger = logging.getLogger("audit.anchors")


class AnchorError(Exception):
    """The anchor file cannot be trusted; the message is for the auditor."""


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def current(number: int) -> dict:
    """The ends of every chain now, signed, as anchor number `number`."""
    chains = {
        head.chain: [head.last_seq, head.last_hash]
        for head in ChainHead.objects.order_by("chain")
        if head.last_seq
    }
    payload = {"at": timezone.now().isoformat(timespec="seconds"), "chains": chains, "n": number}
    return {**payload, "sig": keyed_digest(payload)}


def write(*, rebase: str = "") -> dict:
    """Append the next anchor to the anchor file (created 0600), flushed to disk, once the
    file, the database's count and the latest anchor's chains are as they should be. Raises
    AnchorError (recorded, logged, kept for the pages) instead of anchoring a damaged chain.

    `rebase` (a reason) is the server administrator's start afresh after a restore from an
    older backup (`manage.py anchor_audit --rebase`): the new anchor continues the file's
    numbering whatever the database counted, and says so in the trail."""
    from audit.log import append
    from audit.models import Action

    with transaction.atomic():
        ledger = AnchorLedger.get(lock=True)
        try:
            last = latest()
            refusal = "" if rebase else _refusal(ledger, last)
        except AnchorError as error:  # the file's last line is damaged or forged
            last, refusal = None, str(error)
        if rebase and refusal:  # a rebase starts afresh past a file it cannot read
            refusal = ""
        if not refusal:
            number = ledger.written + 1
            if rebase:
                number = max(ledger.written, last.get("n", 0) if last else 0) + 1
                detail = f"审计锚点重新起算（第 {number} 个）：{rebase}"
                append(action=Action.TAMPERED, detail=detail[:300])
            anchor = current(number)
            path = anchor_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            line = json.dumps(anchor, ensure_ascii=False, sort_keys=True) + "\n"
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, line.encode())
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            ledger.written, ledger.refused_at, ledger.refusal = number, None, ""
            ledger.save(update_fields=["written", "refused_at", "refusal"])
    if refusal:
        # Recorded apart from the refused write, so that the refusal itself is kept.
        with transaction.atomic():
            AnchorLedger.objects.filter(pk=ledger.pk).update(
                refused_at=timezone.now(), refusal=refusal[:300]
            )
            append(action=Action.TAMPERED, detail=f"拒绝写入审计锚点：{refusal}"[:300])
        logger.error("audit anchor refused: %s", refusal)
        raise AnchorError(refusal)
    logger.info("audit anchor %s", line.strip())
    return anchor


def _refusal(ledger: AnchorLedger, last: dict | None) -> str:
    """Why no anchor may be written now, or "": the file and the count disagree, or the
    latest anchor's chains are no longer whole up to their heads."""
    from audit import verification

    if disagreement := file_problem(ledger.written, last):
        return disagreement
    if last is None:
        return ""
    for name, seq, why in problems(last):
        return f"{_chain_name(name)}第 {seq} 条：{why}"
    for name, (seq, digest) in sorted(last["chains"].items()):
        found = verification.verify(name, since=(seq, digest), with_anchor=False)
        if not found.ok:
            return f"{found.place}：{found.reason}"
    return ""


def _chain_name(chain: str) -> str:
    return "不属于任何县的记录" if chain == "-" else f"县（区）{chain} 的审计记录"


def file_problem(written: int, last: dict | None) -> str:
    """The anchor file against the database's count of anchors written: "" when they agree."""
    number = (last or {}).get("n", 0)
    if written and last is None:
        return f"审计锚点文件缺失或被清空（数据库记录已写入 {written} 个锚点）。"
    if number < written:
        return (
            f"审计锚点文件被截短或回退：文件最后是第 {number} 个锚点，"
            f"数据库记录已写入 {written} 个。"
        )
    if number > written:
        return (
            f"数据库中的锚点计数（{written}）落后于锚点文件（第 {number} 个）："
            "数据库可能被回退或从较早的备份恢复。"
        )
    return ""


def latest() -> dict | None:
    """The newest anchor of the file (None if there is none yet)."""
    path = anchor_file()
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 65_536))  # one anchor is a few hundred bytes per county
        lines = handle.read().splitlines()
    for raw in reversed(lines):
        if raw.strip():
            return _checked(raw)
    return None


def _checked(raw: bytes) -> dict:
    try:
        anchor = json.loads(raw)
        payload = {"at": anchor["at"], "chains": anchor["chains"]}
        if "n" in anchor:  # anchors written before they were numbered have none
            payload["n"] = anchor["n"]
        signed = hmac.compare_digest(keyed_digest(payload), anchor["sig"])
    except (ValueError, KeyError, TypeError) as error:
        raise AnchorError("审计锚点文件的最后一行已损坏，无法核对。") from error
    if not signed:
        raise AnchorError("审计锚点文件的最后一行签名不符（被改动过），无法核对。")
    return anchor


def problems(anchor: dict, chain: str | None = None) -> list[tuple[str, int, str]]:
    """(chain, county number, why) for every anchored chain end that the database no longer
    holds as anchored."""
    found = []
    for name, (seq, digest) in sorted(anchor["chains"].items()):
        if chain is not None and name != chain:
            continue
        entries = AuditEntry.objects.filter(county_seq=seq)
        entries = (
            entries.filter(county__isnull=True) if name == "-" else entries.filter(county_id=name)
        )
        stored = entries.values_list("hash", flat=True).first()
        if stored is None:
            found.append((name, seq, f"已锚定的记录（{anchor['at'][:16]} 锚定）已被删除。"))
        elif stored != digest:
            found.append((name, seq, f"已锚定的记录（{anchor['at'][:16]} 锚定）已被改写。"))
    return found


def refusal_shown(role: str) -> dict | None:
    """The standing refusal to anchor, for a supervisor's or auditor's page (None if none)."""
    if role not in ("supervisor", "auditor"):
        return None
    found = (
        AnchorLedger.objects.exclude(refusal="")
        .order_by("-refused_at")
        .values("refused_at", "refusal")
        .first()
    )
    return {"at": found["refused_at"], "reason": found["refusal"]} if found else None
