"""Backing up and restoring the database and the uploaded files together, as one archive an
inspector would accept.

- **Encrypted at rest** with age (pyrage) to the public key(s) in BACKUP_RECIPIENTS. The
  server that makes backups holds no key that opens them: the identity (private key) is
  kept apart, and given to `restore` only.
- **Consistent**: the rows are counted and written inside one transaction (REPEATABLE READ
  on PostgreSQL), so the counts and the data are of one moment: Django fixtures in JSON
  Lines, streamed to a gzip file and read back line by line, portable between SQLite and
  PostgreSQL.
- **Checked**: a manifest of row counts and of the SHA-256 of every file in the archive,
  signed with the audit key (an edited manifest is refused), and the audit chains' anchor of
  that moment (audit/anchors.py).
- **All or nothing**: a restore checks the whole archive before it writes anything, loads
  the rows and compares their counts in one transaction, and stores the files only once
  that has committed. Every damaged archive is answered by one Chinese message.
- **Files through Django's storage API** (STORAGES["default"]): a folder on one server, an
  S3-compatible bucket on several; a restore refuses a storage that already holds one of them.
- The archive and every file it is built from are created 0600, in a private folder.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pyrage
from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import anchors
from audit.models import AnchorLedger, keyed_digest

# Rebuilt by migrations or meaningless after a restore; the stations' resident, filing and
# case counts are rebuilt by the database's triggers as the rows go in (core/tallies.py).
# Rows a backup leaves out, by app or model label (dumpdata's own terms): rows migrations make
# on any database, and rows that mean nothing after a restore (the tallies, which triggers
# rebuild as rows are restored; this server's anchor count, set from the manifest). pg_dump
# leaves out the same models' tables (`excluded_tables`).
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "security.submission",
    "security.unknownnamefailures",
    "registry.residenttally",
    "filing.filingtally",
    "reimbursement.casetally",
    "audit.anchorledger",  # this server's count; a restore sets it from the manifest
    "oversight.reportrun",  # reports the worker counted: counted again from the rows
]
# The rows: on PostgreSQL pg_dump's custom format (data only, restored by pg_restore and
# psql in one transaction: minutes for a million residents, where loaddata takes an hour);
# elsewhere Django fixtures in JSON Lines, which loaddata reads line by line (a .json
# fixture is parsed whole: 2.2 GB at 100,000 residents).
DATA = {"pg_dump": "data.dump", "jsonl": "data.jsonl.gz"}
FORMAT = 2  # archives of format 1 were plain .tar.gz files


class BackupError(Exception):
    """The backup cannot be made; the message says why, in Chinese."""


class RestoreError(Exception):
    """The archive cannot be restored; the message says why, in Chinese. Nothing was
    written."""


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _sha256_of(handle)


def _sha256_of(handle) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _excluded(model: type) -> bool:
    meta = model._meta  # type: ignore[attr-defined]
    return meta.app_label in EXCLUDED or meta.label_lower in EXCLUDED


def excluded_tables() -> list[str]:
    """The tables of the EXCLUDED models (and Django's own record of migrations), for pg_dump."""
    tables = {"django_migrations"}
    tables.update(model._meta.db_table for model in apps.get_models() if _excluded(model))
    return sorted(tables)


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if _excluded(model):
            continue
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.label_lower] = model._default_manager.count()
    return counts


def media_files() -> dict[str, str]:
    """Every stored file (scans, import sheets) and its SHA-256, through Django's storage API:
    a folder on one server, an S3-compatible bucket on several."""
    files = {}
    for name in sorted(_stored_names(default_storage, "")):
        with default_storage.open(name, "rb") as handle:
            files[name] = _sha256_of(handle)
    return files


def _stored_names(storage, folder: str) -> Iterator[str]:
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:  # nothing was ever stored
        return
    for name in names:
        yield f"{folder}{name}"
    for sub in folders:
        yield from _stored_names(storage, f"{folder}{sub}/")


@contextmanager
def _private_folder() -> Iterator[Path]:
    """A folder (0700) for the plain archive and rows while a backup or restore runs. A run
    killed before it could remove its folder leaves every resident in plain text there: the
    next run removes the folders of runs whose process is gone (the process id is in the
    name)."""
    remove_leftovers()
    prefix = f"{LEFTOVER_PREFIX}{os.getpid()}-"
    folder = Path(tempfile.mkdtemp(prefix=prefix))  # mkdtemp makes it 0700
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


LEFTOVER_PREFIX = "portal-backup-"


def remove_leftovers() -> list[Path]:
    """Remove the working folders of backups and restores whose process is no longer running
    (killed, or the machine restarted). Returns what was removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{LEFTOVER_PREFIX}*"):
        pid = folder.name.removeprefix(LEFTOVER_PREFIX).split("-", 1)[0]
        if pid.isdigit() and _running(int(pid)):
            continue
        if folder.is_dir() and folder.stat().st_uid == os.getuid():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _private_file(path: Path) -> None:
    """Create (or empty) a file readable by its owner only."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)


def recipients(keys: list[str]) -> list:
    parsed = []
    for key in keys:
        try:
            parsed.append(pyrage.x25519.Recipient.from_str(key.strip()))
        except Exception as error:  # pyrage raises its own error kinds for a bad key
            raise BackupError(f"加密公钥无效：{key[:20]}…（应以 age1 开头）") from error
    if not parsed:
        raise BackupError("没有加密公钥：请设置 BACKUP_RECIPIENTS（age 公钥，以 age1 开头）。")
    return parsed


def backup(archive: Path, keys: list[str]) -> dict:
    """Write an encrypted archive of every row and uploaded file. Returns its manifest."""
    to = recipients(keys)
    kind = "pg_dump" if connection.vendor == "postgresql" else "jsonl"
    with _private_folder() as folder:
        data = folder / DATA[kind]
        _private_file(data)
        with transaction.atomic():
            if kind == "pg_dump":
                # One snapshot for the counts and the rows, whatever commits meanwhile:
                # pg_dump reads the snapshot this transaction exports.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute("SELECT pg_export_snapshot()")
                    (snapshot,) = cursor.fetchone()
                rows = row_counts()
                _pg_dump(data, snapshot)
            else:
                rows = row_counts()
                call_command(
                    "dumpdata",
                    exclude=EXCLUDED,
                    format="jsonl",
                    output=str(data),
                    verbosity=0,
                    use_base_manager=True,
                )
        files = media_files()
        anchor: dict | None
        try:
            anchor, anchor_refused = anchors.write(), ""
        except anchors.AnchorError as error:
            # The chains are damaged: the backup is still made (it is evidence), with the last
            # good anchor and why no new one was written.
            anchor, anchor_refused = anchors.latest(), str(error)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "rows": rows,
            "data_format": kind,
            "data": _sha256(data),
            "files": files,
            "anchor": anchor,
            "anchor_refused": anchor_refused,
        }
        plain = folder / "archive.tar"
        _private_file(plain)
        with tarfile.open(plain, "w") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False).encode())
            _add_bytes(tar, "manifest.sig", keyed_digest(manifest).encode())
            tar.add(data, arcname=DATA[kind])
            for name in files:
                info = tarfile.TarInfo(f"media/{name}")
                info.size, info.mode = default_storage.size(name), 0o600
                info.mtime = int(timezone.now().timestamp())
                with default_storage.open(name, "rb") as handle:
                    tar.addfile(info, handle)
        partial = archive.with_name(archive.name + ".partial")
        _private_file(partial)
        pyrage.encrypt_file(str(plain), str(partial), to)
        os.replace(partial, archive)  # never a half-written archive under the final name
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(content))


def restore(archive: Path, identity_file: Path) -> dict:
    """Into an empty, migrated database. The whole archive is checked before anything is
    written; the rows go in, and are counted, in one transaction."""
    if _has_business_rows():
        raise RestoreError("目标数据库中已有业务数据，只能恢复到新建的空数据库。")
    with _private_folder() as folder:
        manifest, staged = _open(archive, identity_file, folder)
        kind = manifest.get("data_format", "jsonl")
        if kind == "pg_dump" and connection.vendor != "postgresql":
            raise RestoreError("该备份来自 PostgreSQL（pg_dump），只能恢复到 PostgreSQL 数据库。")
        taken = [name for name in manifest["files"] if default_storage.exists(name)]
        if taken:
            raise RestoreError(f"存储中已有文件 {taken[0]}，只能恢复到空的存储。")
        if kind == "pg_dump":
            _pg_restore(folder / DATA[kind], expected_rows(manifest))
        else:
            try:
                with transaction.atomic():
                    _clear_rows_made_by_migrations()
                    call_command("loaddata", str(folder / DATA[kind]), verbosity=0)
                    problems = _count_problems(expected_rows(manifest))
                    if problems:
                        raise RestoreError("恢复后核对不一致，已撤销：" + "；".join(problems))
            except DatabaseError as error:
                raise RestoreError(f"数据无法写入数据库，已撤销：{error}") from error
        # The database now counts the anchors the backup's own anchor counted: anchors written
        # after the backup, in the file, show that entries since then are gone (until
        # `anchor_audit --rebase`).
        ledger = AnchorLedger.get()
        ledger.written = (manifest.get("anchor") or {}).get("n", 0)
        ledger.save(update_fields=["written"])
        for name in manifest["files"]:
            with (staged / name).open("rb") as handle:
                stored = default_storage.save(name, File(handle, name=name))
            # Checked empty above; a name the storage changed would lose the scan's link.
            if stored != name:
                raise RestoreError(f"存储把文件 {name} 存成了 {stored}，扫描件的链接会丢失。")
    return manifest


def _open(archive: Path, identity_file: Path, folder: Path) -> tuple[dict, Path]:
    """Decrypt and unpack the archive into `folder`, checking its signature and every
    checksum. Returns the manifest and the folder of its media files."""
    try:
        identity = pyrage.x25519.Identity.from_str(identity_file.read_text().strip())
    except OSError as error:
        raise RestoreError(f"无法读取解密密钥文件：{identity_file}") from error
    except Exception as error:  # pyrage's own error kinds for a malformed key
        raise RestoreError("解密密钥文件的内容不是 age 私钥（AGE-SECRET-KEY-…）。") from error
    plain = folder / "archive.tar"
    _private_file(plain)
    if not archive.is_file():
        raise RestoreError(f"找不到备份文件：{archive}")
    try:
        pyrage.decrypt_file(str(archive), str(plain), [identity])
    except Exception as error:  # DecryptError, and others for a file that is not age
        raise RestoreError(
            "无法解密备份：文件已损坏、不是本系统的备份，或解密密钥不是加密时的那一把。"
        ) from error
    staged = folder / "media"
    try:
        with tarfile.open(plain, "r:") as tar:
            manifest = json.loads(_member(tar, "manifest.json"))
            signature = _member(tar, "manifest.sig").decode()
            if not hmac.compare_digest(keyed_digest(manifest), signature):
                raise RestoreError(
                    "备份清单的签名不符：清单被改动过，或本系统的 AUDIT_KEY 与备份时不同。"
                )
            data_name = DATA.get(manifest.get("data_format", "jsonl"), "")
            expected = {data_name: manifest["data"]} | {
                f"media/{name}": checksum for name, checksum in manifest["files"].items()
            }
            for member in tar.getmembers():
                if member.name in ("manifest.json", "manifest.sig"):
                    continue
                if member.name not in expected or not member.isfile():
                    raise RestoreError(f"备份中有清单之外的内容：{member.name}")
                target = folder / member.name
                if not target.resolve().is_relative_to(folder.resolve()):
                    raise RestoreError(f"备份中的文件路径不安全：{member.name}")
                target.parent.mkdir(parents=True, exist_ok=True)
                _copy(tar, member, target)
                if _sha256(target) != expected.pop(member.name):
                    raise RestoreError(f"备份中的 {member.name} 校验和不符（文件被改动或损坏）。")
            if expected:
                raise RestoreError(f"备份中缺少 {len(expected)} 个文件，如 {min(expected)}。")
    except (tarfile.TarError, EOFError, OSError, ValueError, KeyError, TypeError) as error:
        raise RestoreError("备份文件已损坏（解密后的内容不完整或格式不对），无法恢复。") from error
    return manifest, staged


def _copy(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    if source is None:
        raise RestoreError(f"备份中的 {member.name} 不是文件。")
    _private_file(target)
    with source, target.open("wb") as handle:
        shutil.copyfileobj(source, handle, 1 << 20)


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        handle = tar.extractfile(name)
    except KeyError as error:
        raise RestoreError(f"备份中缺少 {name}，不是本系统的备份。") from error
    if handle is None:
        raise RestoreError(f"备份中的 {name} 不是文件。")
    return handle.read()


def _has_business_rows() -> bool:
    from registry.models import Resident

    return Resident.objects.exists()


def _clear_rows_made_by_migrations() -> None:
    """Rows a migration made that the backup holds too (none at present; audit chain heads
    were made by one once)."""
    from audit.models import ChainHead

    ChainHead.objects.all().delete()


def expected_rows(manifest: dict) -> dict[str, int]:
    """The row count of each model the archive holds, as its signed manifest says."""
    return manifest["rows"]


def _count_problems(expected: dict[str, int]) -> list[str]:
    counts = row_counts()
    return [
        f"{label} 应有 {rows} 行，实际 {counts.get(label)} 行"
        for label, rows in expected.items()
        if counts.get(label) != rows
    ]


def _pg_connection() -> tuple[list[str], dict[str, str]]:
    """The command-line arguments and environment of the PostgreSQL client tools for
    Django's database."""
    db = connection.settings_dict
    args = ["--host", db["HOST"] or "localhost", "--port", str(db["PORT"] or 5432)]
    if db["USER"]:
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or "", "PGCONNECT_TIMEOUT": "10"}
    return args, env


def _pg_dump(target: Path, snapshot: str) -> None:
    args, env = _pg_connection()
    command = [
        "pg_dump",
        *args,
        "--format=custom",
        "--data-only",
        "--no-owner",
        "--no-privileges",
        f"--snapshot={snapshot}",
        f"--file={target}",
        *(f"--exclude-table-data={table}" for table in excluded_tables()),
        connection.settings_dict["NAME"],
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"pg_dump 失败：{result.stderr.strip()[-300:]}")


def _pg_restore(dump: Path, expected: dict[str, int]) -> None:
    """pg_restore writes the dump as SQL; psql runs it, then the count checks, as one
    transaction: a failure anywhere, or one count that differs, commits nothing. (Django's
    foreign keys on PostgreSQL are checked at commit, so the tables' order does not matter.)"""
    args, env = _pg_connection()
    checks = []
    for label, rows in sorted(expected.items()):
        table = apps.get_model(label)._meta.db_table.replace('"', '""')
        message = f"恢复后核对不一致，已撤销：{label} 应有 {rows} 行".replace("'", "''")
        checks.append(
            f'DO $$ BEGIN IF (SELECT count(*) FROM "{table}") <> {int(rows)} THEN '
            f"RAISE EXCEPTION '{message}'; END IF; END $$;\n"
        )
    # Their messages go to files, not pipes: a pipe nobody reads until the end would stop a
    # process that writes more than the pipe holds.
    script_errors = tempfile.TemporaryFile()  # noqa: SIM115  (closed below, after the waits)
    psql_errors = tempfile.TemporaryFile()  # noqa: SIM115
    script = subprocess.Popen(
        ["pg_restore", "--data-only", "--no-owner", "--no-privileges", "--file=-", str(dump)],
        stdout=subprocess.PIPE,
        stderr=script_errors,
    )
    psql = subprocess.Popen(
        [
            "psql",
            *args,
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--dbname",
            connection.settings_dict["NAME"],
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=psql_errors,
        env=env,
    )
    if script.stdout is None or psql.stdin is None:  # both asked for as pipes above
        raise RestoreError("无法启动 pg_restore 或 psql。")
    try:
        psql.stdin.write(b"DELETE FROM audit_chainhead;\n")  # see _clear_rows_made_by_migrations
        shutil.copyfileobj(script.stdout, psql.stdin, 1 << 20)
        # pg_restore's script empties the search path; the checks name tables as Django does.
        psql.stdin.write(("RESET search_path;\n" + "".join(checks)).encode())
    except BrokenPipeError:
        pass  # psql stopped at an error: its message follows
    finally:
        with suppress(BrokenPipeError):
            psql.stdin.close()
    script.stdout.close()
    script.wait()
    psql.wait()
    with script_errors, psql_errors:
        script_errors.seek(0)
        psql_errors.seek(0)
        script_error, psql_error = script_errors.read(), psql_errors.read()
    if script.returncode:
        raise RestoreError(f"pg_restore 无法读取数据，已撤销：{script_error.decode()[-300:]}")
    if psql.returncode:
        lines = [line for line in psql_error.decode().splitlines() if "ERROR" in line]
        reason = lines[0].split("ERROR:", 1)[-1].strip() if lines else "psql 出错"
        if reason.startswith("恢复后核对不一致"):
            raise RestoreError(reason)
        raise RestoreError(f"数据无法写入数据库，已撤销：{reason}")


def new_key_pair(identity_file: Path) -> str:
    """Write a new age identity (private key) to `identity_file`, 0600; return its public
    key, for BACKUP_RECIPIENTS."""
    identity = pyrage.x25519.Identity.generate()
    if identity_file.exists():
        raise BackupError(f"{identity_file} 已存在，不会覆盖。")
    _private_file(identity_file)
    identity_file.write_text(str(identity) + "\n")
    return str(identity.to_public())
