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
"""

from __future__ import annotations

import hmac
import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from audit.models import AuditEntry, ChainHead, keyed_digest


class AnchorError(Exception):
    """The anchor file cannot be trusted; the message is for the auditor."""


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def current() -> dict:
    """The ends of every chain now, signed."""
    chains = {
        head.chain: [head.last_seq, head.last_hash]
        for head in ChainHead.objects.order_by("chain")
        if head.last_seq
    }
    payload = {"at": timezone.now().isoformat(timespec="seconds"), "chains": chains}
    return {**payload, "sig": keyed_digest(payload)}


def write() -> dict:
    """Append the current anchor to the anchor file (created 0600), flushed to disk."""
    anchor = current()
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(anchor, ensure_ascii=False, sort_keys=True) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return anchor


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
