"""The restore drill: back up, restore into a fresh database, compare counts and checksums;
and every way an archive can be wrong, answered by one message with nothing written."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
from pathlib import Path

import pyrage
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from audit.verification import verify
from operations.backup import media_files, new_key_pair, row_counts
from registry.models import Resident, ResidentTally
from reimbursement.models import CaseTally

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def keys(tmp_path) -> tuple[str, Path]:
    identity = tmp_path / "keys" / "backup.key"
    identity.parent.mkdir()
    return new_key_pair(identity), identity


def back_up(tmp_path: Path, public: str) -> Path:
    archive = tmp_path / "portal.age"
    call_command("backup", str(archive), "--recipient", public, verbosity=0)
    return archive


def fresh_database() -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    assert row_counts()["registry.resident"] == 0


def test_backup_and_restore_give_back_every_row_and_file(
    filing_b, case_b, change_b, tmp_path, keys
):
    public, identity = keys
    rows_before, files_before = row_counts(), media_files()
    assert files_before  # the fixture's scanned residence permit
    archive = back_up(tmp_path, public)

    fresh_database()
    call_command("restore", str(archive), "--identity", str(identity), verbosity=0)
    assert row_counts() == rows_before
    assert media_files() == files_before
    stored = Path(settings.MEDIA_ROOT) / filing_b.material.file.name
    assert (
        hashlib.sha256(stored.read_bytes()).hexdigest() == files_before[filing_b.material.file.name]
    )
    assert verify().ok
    # The stations' counts are not in the archive: the database rebuilt them.
    tally = ResidentTally.objects.get(station=filing_b.station)
    assert tally.residents == Resident.objects.filter(station=filing_b.station).count() == 1
    assert CaseTally.objects.get(station=case_b.station).cases == 1


def test_the_archive_is_encrypted_and_readable_by_its_owner_only(resident_b, tmp_path, keys):
    """Issue 16: a plain gzip tar, mode 0644, with full ID numbers and password hashes."""
    public, identity = keys
    archive = back_up(tmp_path, public)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    content = archive.read_bytes()
    assert content.startswith(b"age-encryption.org/v1")
    assert resident_b.id_number.encode() not in content
    with pytest.raises(tarfile.TarError), tarfile.open(archive):
        pass
    assert not list(tmp_path.glob("*.partial"))


def test_a_backup_needs_a_public_key(resident_b, tmp_path, settings):
    settings.BACKUP_RECIPIENTS = []
    with pytest.raises(CommandError, match="没有加密公钥"):
        call_command("backup", str(tmp_path / "x.age"), verbosity=0)
    assert not (tmp_path / "x.age").exists()


def test_a_restore_refuses_a_database_with_business_data(filing_b, tmp_path, keys):
    public, identity = keys
    archive = back_up(tmp_path, public)
    with pytest.raises(CommandError, match="只能恢复到新建的空数据库"):
        call_command("restore", str(archive), "--identity", str(identity), verbosity=0)


def rewrite(archive: Path, identity: Path, public: str, change) -> None:
    """Decrypt the archive, let `change` alter its members, encrypt it again (as someone
    holding the public key could)."""
    plain = pyrage.decrypt(
        archive.read_bytes(), [pyrage.x25519.Identity.from_str(identity.read_text().strip())]
    )
    members = {}
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        for member in tar.getmembers():
            members[member.name] = tar.extractfile(member).read()
    change(members)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    recipient = pyrage.x25519.Recipient.from_str(public)
    archive.write_bytes(pyrage.encrypt(out.getvalue(), [recipient]))


def edit_data(members: dict) -> None:
    """The rows changed (pg_dump's file on PostgreSQL, JSON Lines elsewhere): a resident's
    name where it can be read, a byte otherwise."""
    name = next(name for name in members if name.startswith("data."))
    if name == "data.jsonl.gz":
        lines = gzip.decompress(members[name]).decode().replace('"name": "', '"name": "改')
        members[name] = gzip.compress(lines.encode())
    else:
        members[name] = members[name][:-1] + bytes([members[name][-1] ^ 1])


def edit_manifest_count(members: dict) -> None:
    manifest = json.loads(members["manifest.json"])
    manifest["rows"]["registry.resident"] += 1
    members["manifest.json"] = json.dumps(manifest).encode()


def drop_a_file(members: dict) -> None:
    del members[next(name for name in members if name.startswith("media/"))]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (edit_data, r"data\.(jsonl\.gz|dump) 校验和不符"),
        (edit_manifest_count, "备份清单的签名不符"),
        (drop_a_file, "备份中缺少 1 个文件"),
        ("truncated", "无法解密备份"),
        ("random", "无法解密备份"),
        ("other key", "无法解密备份"),
        ("not a tar", "备份文件已损坏"),
    ],
)
def test_a_damaged_archive_is_refused_with_one_message_and_nothing_written(
    filing_b, case_b, tmp_path, keys, damage, message
):
    """Issue 16: an edited data.json restored as 核对一致; a wrong count left 430 residents
    committed; truncated or random archives ended in a traceback."""
    public, identity = keys
    archive = back_up(tmp_path, public)
    if damage == "truncated":
        archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "random":
        archive.write_bytes(bytes(range(256)) * 100)
    elif damage == "other key":
        other = tmp_path / "other.key"
        new_key_pair(other)
        identity = other
    elif damage == "not a tar":
        recipient = pyrage.x25519.Recipient.from_str(public)
        archive.write_bytes(pyrage.encrypt(b"not a tar archive at all", [recipient]))
    else:
        rewrite(archive, identity, public, damage)

    fresh_database()
    before = row_counts()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), "--identity", str(identity), verbosity=0)
    assert row_counts() == before and not Resident.objects.exists()
    assert media_files() == {}


def test_a_count_that_does_not_match_undoes_the_whole_restore(
    filing_b, tmp_path, keys, monkeypatch
):
    """The rows are loaded and counted in one transaction: a mismatch commits nothing."""
    public, identity = keys
    archive = back_up(tmp_path, public)
    fresh_database()
    monkeypatch.setattr(
        "operations.backup.expected_rows",
        lambda manifest: {**manifest["rows"], "registry.resident": 2},
    )
    with pytest.raises(CommandError, match="恢复后核对不一致，已撤销"):
        call_command("restore", str(archive), "--identity", str(identity), verbosity=0)
    assert not Resident.objects.exists() and media_files() == {}
    # A retry, once the cause is gone, succeeds on the same database.
    monkeypatch.undo()
    call_command("restore", str(archive), "--identity", str(identity), verbosity=0)
    assert Resident.objects.exists()


def test_the_manifest_carries_the_audit_anchor(resident_b, tmp_path, keys):
    from audit.anchors import latest

    public, identity = keys
    archive = back_up(tmp_path, public)
    plain = pyrage.decrypt(
        archive.read_bytes(), [pyrage.x25519.Identity.from_str(identity.read_text().strip())]
    )
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["anchor"] == latest() and manifest["anchor"]["chains"]
    from django.db import connection

    # PostgreSQL's rows by pg_dump (restored in minutes at a million residents).
    assert manifest["data_format"] == ("pg_dump" if connection.vendor == "postgresql" else "jsonl")


@pytest.fixture
def bucket(settings):
    """Another storage than the media folder, standing in for an S3-compatible bucket: the
    backup must read and the restore write through Django's storage API."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    from django.core.files.storage import default_storage

    return default_storage


def test_scans_in_another_storage_are_backed_up_and_restored_through_it(
    bucket, filing_b, tmp_path, keys
):
    public, identity = keys
    name = filing_b.material.file.name
    scan = bucket.open(name).read()
    assert not (Path(settings.MEDIA_ROOT) / name).exists()  # in the bucket only
    archive = back_up(tmp_path, public)

    call_command("flush", interactive=False, verbosity=0)
    bucket.delete(name)
    call_command("restore", str(archive), "--identity", str(identity), verbosity=0)
    assert bucket.open(name).read() == scan
    assert media_files() == {name: hashlib.sha256(scan).hexdigest()}


def test_a_restore_refuses_a_storage_that_holds_the_files_already(bucket, filing_b, tmp_path, keys):
    public, identity = keys
    archive = back_up(tmp_path, public)
    call_command("flush", interactive=False, verbosity=0)  # the scan is still stored
    with pytest.raises(CommandError, match="存储中已有文件"):
        call_command("restore", str(archive), "--identity", str(identity), verbosity=0)
    assert not Resident.objects.exists()  # nothing written


def test_a_killed_backups_plain_rows_are_removed_at_the_next_run(resident_b, tmp_path, keys):
    """Issue 27, item 11: a killed backup or restore left the decrypted archive and rows
    (every resident, in plain text) in the temporary folder, and nothing cleaned it."""
    import subprocess
    import tempfile

    from operations.sweep import sweep

    dead = subprocess.Popen(["true"])  # a process that is gone
    dead.wait()
    temp = Path(tempfile.gettempdir())
    left = temp / f"portal-backup-{dead.pid}-killed"
    left.mkdir(mode=0o700)
    (left / "data.jsonl.gz").write_bytes(b"every resident")
    mine = temp / f"portal-backup-{os.getpid()}-running"  # a run still going: kept
    mine.mkdir(mode=0o700)
    try:
        public, _ = keys
        back_up(tmp_path, public)
        assert not left.exists() and mine.exists()
        left.mkdir(mode=0o700)
        sweep()  # the worker's sweep removes them too, between backups
        assert not left.exists()
    finally:
        shutil.rmtree(mine, ignore_errors=True)
        shutil.rmtree(left, ignore_errors=True)
