"""Anchors of the audit chains only move forward (issue 27, items 1 and 2): no path writes an
anchor over a truncated chain, and a missing, shortened or rewound anchor file fails the check
once any anchor was written."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit import anchors
from audit.log import append
from audit.models import Action, AnchorLedger, AuditEntry, ChainHead
from audit.verification import verify
from core.logs import syslog_handler
from operations.backup import new_key_pair
from operations.sweep import sweep
from tests.test_audit_chain import trail  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def truncate(trail) -> AuditEntry:  # noqa: F811
    """The attack: delete the newest, already anchored entry of a county and set the chain's
    head to the one before it. Returns the deleted entry."""
    last = trail.last()
    previous = AuditEntry.objects.get(county_id=last.county_id, county_seq=last.county_seq - 1)
    AuditEntry.objects.filter(pk=last.pk).delete()
    ChainHead.objects.filter(chain=str(last.county_id)).update(
        last_seq=previous.county_seq, last_hash=previous.hash
    )
    return last


def write_by_the_sweep() -> None:
    sweep()


def write_by_the_command() -> None:
    with pytest.raises(CommandError, match="拒绝写入审计锚点"):
        call_command("anchor_audit")


def write_by_a_backup(tmp_path: Path) -> None:
    public = new_key_pair(tmp_path / "backup.key")
    call_command("backup", str(tmp_path / "portal.age"), "--recipient", public, verbosity=0)


# A backup reads in a transaction of its own (REPEATABLE READ on PostgreSQL).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["sweep", "anchor_audit", "backup"])
def test_no_new_anchor_launders_a_truncated_chain(trail, tmp_path, path):  # noqa: F811
    call_command("anchor_audit")
    deleted = truncate(trail)
    lines_before = anchors.anchor_file().read_text().splitlines()
    {
        "sweep": write_by_the_sweep,
        "anchor_audit": write_by_the_command,
        "backup": lambda: write_by_a_backup(tmp_path),
    }[path]()
    # Nothing was anchored over the truncation: the file is as it was.
    assert anchors.anchor_file().read_text().splitlines() == lines_before
    result = verify()
    assert not result.ok and result.broken_at == deleted.county_seq
    assert "已锚定的记录" in result.reason and "已被删除" in result.reason
    # The refusal is in the trail, and kept for the pages.
    refused = AuditEntry.objects.filter(action=Action.TAMPERED).latest("id")
    assert "拒绝写入审计锚点" in refused.detail
    assert AnchorLedger.get().refusal
    # Written again and again, the truncation is never laundered.
    with pytest.raises(anchors.AnchorError):
        anchors.write()
    assert not verify().ok


def test_a_truncation_after_the_anchor_of_entries_not_yet_anchored_is_refused_too(
    trail,  # noqa: F811
    alice,
):
    """The latest anchor's entries are there, but the chain from them to its head is not
    whole: a middle entry after the anchor was removed."""
    call_command("anchor_audit")
    for _ in range(3):
        append(action=Action.LOGIN, user=alice)
    newest = AuditEntry.objects.filter(county_id=alice.county_id).order_by("-county_seq")
    AuditEntry.objects.filter(pk=newest[1].pk).delete()
    with pytest.raises(anchors.AnchorError, match=r"缺少该条记录|链接不符"):
        anchors.write()


def test_the_refusal_is_shown_to_supervisors_and_auditors(trail, as_carol, as_dave, as_alice):  # noqa: F811
    call_command("anchor_audit")
    truncate(trail)
    with pytest.raises(anchors.AnchorError):
        anchors.write()
    for client in (as_carol, as_dave):
        page = client.get(reverse("home")).content.decode()
        assert "审计记录可能被篡改" in page and "拒绝写入新的审计锚点" in page
    assert "审计记录可能被篡改" in as_dave.get(reverse("oversight:audit_chain")).content.decode()
    assert "审计记录可能被篡改" not in as_alice.get(reverse("home")).content.decode()


def test_a_refusal_is_logged_as_an_error(trail, caplog):  # noqa: F811
    call_command("anchor_audit")
    truncate(trail)
    with caplog.at_level(logging.ERROR, logger="audit.anchors"), pytest.raises(anchors.AnchorError):
        anchors.write()
    assert any("audit anchor refused" in record.getMessage() for record in caplog.records)


def test_a_deleted_anchor_file_fails_the_check(trail):  # noqa: F811
    call_command("anchor_audit")
    anchors.anchor_file().unlink()
    result = verify()
    assert not result.ok and "审计锚点文件缺失或被清空" in result.reason
    with pytest.raises(anchors.AnchorError, match="缺失"):
        anchors.write()


def test_an_anchor_file_cut_back_to_an_older_line_fails_the_check(trail, alice):  # noqa: F811
    call_command("anchor_audit")
    first = anchors.anchor_file().read_text()
    append(action=Action.LOGIN, user=alice)
    call_command("anchor_audit")
    assert verify().ok
    anchors.anchor_file().write_text(first)  # rewound to its first line, still signed
    result = verify()
    assert not result.ok and "被截短或回退" in result.reason and "第 1 个" in result.reason


def test_a_database_put_back_behind_its_file_fails_the_check(trail):  # noqa: F811
    call_command("anchor_audit")
    call_command("anchor_audit")
    AnchorLedger.objects.update(written=1)
    result = verify()
    assert not result.ok and "落后于锚点文件" in result.reason


def test_each_anchor_is_numbered_and_signed_with_its_number(trail):  # noqa: F811
    call_command("anchor_audit")
    call_command("anchor_audit")
    lines = [json.loads(line) for line in anchors.anchor_file().read_text().splitlines()]
    assert [line["n"] for line in lines] == [1, 2] and AnchorLedger.get().written == 2
    forged = {**lines[0], "n": 2}  # an older line renumbered: its signature no longer fits
    anchors.anchor_file().write_text(json.dumps(forged) + "\n")
    assert "签名不符" in verify().reason


def test_a_rebase_is_in_the_trail_and_verification_goes_on_from_it(trail):  # noqa: F811
    call_command("anchor_audit")
    call_command("anchor_audit")
    AnchorLedger.objects.update(written=1)  # as after a restore from an older backup
    assert not verify().ok
    call_command("anchor_audit", "--rebase", "从 12 月 1 日的备份恢复")
    assert verify().ok
    entry = AuditEntry.objects.filter(action=Action.TAMPERED).latest("id")
    assert "审计锚点重新起算（第 3 个）：从 12 月 1 日的备份恢复" in entry.detail


def test_anchors_are_sent_to_a_remote_syslog_collector(trail):  # noqa: F811
    """AUDIT_ANCHOR_SYSLOG: the handler settings.py adds, here pointed at a collector on this
    machine's loopback."""
    import logging.config

    collector = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    collector.bind(("127.0.0.1", 0))
    collector.settimeout(10)
    port = collector.getsockname()[1]
    logger = logging.getLogger("audit.anchors")
    handler_config = syslog_handler(f"127.0.0.1:{port}")
    handler_config.pop("formatter")
    handler = logging.config.DictConfigurator({}).configure_handler(handler_config)
    logger.addHandler(handler)
    try:
        anchor = anchors.write()
        received = collector.recv(65536).decode()
    finally:
        logger.removeHandler(handler)
        handler.close()
        collector.close()
    assert "audit anchor" in received and anchor["sig"] in received


@pytest.mark.django_db(transaction=True)
def test_a_restore_from_an_older_backup_is_told_until_the_anchors_are_rebased(resident_b, tmp_path):
    from tests.test_backup import back_up, fresh_database

    public = new_key_pair(tmp_path / "keys.key")
    archive = back_up(tmp_path, public)  # anchor 1, in the manifest
    call_command("anchor_audit")  # anchor 2: entries after the backup are anchored too
    fresh_database()
    call_command("restore", str(archive), "--identity", str(tmp_path / "keys.key"), verbosity=0)
    assert AnchorLedger.get().written == 1
    result = verify()
    assert not result.ok and "落后于锚点文件" in result.reason
    call_command("anchor_audit", "--rebase", "从备份恢复")
    assert verify().ok


def test_a_forged_last_line_is_a_recorded_refusal_too(trail):  # noqa: F811
    call_command("anchor_audit")
    text = anchors.anchor_file().read_text().replace('"chains": {"', '"chains": {"9', 1)
    anchors.anchor_file().write_text(text)
    with pytest.raises(anchors.AnchorError, match="签名不符"):
        anchors.write()
    assert "签名不符" in AnchorLedger.get().refusal
    assert AuditEntry.objects.filter(action=Action.TAMPERED).exists()
