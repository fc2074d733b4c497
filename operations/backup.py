"""Backing up and restoring the database and the uploaded scans together, as one archive.

The archive holds the data as Django fixtures (portable between SQLite and PostgreSQL), the
uploaded files, and a manifest of row counts and SHA-256 checksums that a restore checks.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

# Rebuilt by migrations or meaningless after a restore.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "security.submission"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in ("contenttypes", "sessions", "axes") or label in EXCLUDED:
            continue
        if model._meta.managed and not model._meta.proxy:
            counts[label] = model._default_manager.count()
    return counts


def media_files() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def backup(archive: Path) -> dict:
    data = io.StringIO()
    call_command("dumpdata", exclude=EXCLUDED, natural_foreign=False, stdout=data, verbosity=0)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "rows": row_counts(),
        "files": media_files(),
    }
    with tarfile.open(archive, "w:gz") as tar:
        _add_bytes(tar, "data.json", data.getvalue().encode())
        _add_bytes(
            tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        )
        for name in manifest["files"]:
            tar.add(Path(settings.MEDIA_ROOT) / name, arcname=f"media/{name}")
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(content))


class RestoreError(Exception):
    pass


def restore(archive: Path) -> dict:
    """Into an empty, migrated database. Checks every count and checksum afterwards."""
    if any(count for count in row_counts().values() if count) and _has_business_rows():
        raise RestoreError("目标数据库中已有业务数据，只能恢复到新建的空数据库。")
    root = Path(settings.MEDIA_ROOT)
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(_member(tar, "manifest.json"))
        fixture = root.parent / f"restore-{timezone.now():%Y%m%d%H%M%S}.json"
        fixture.parent.mkdir(parents=True, exist_ok=True)
        fixture.write_bytes(_member(tar, "data.json"))
        try:
            with transaction.atomic():
                _clear_rows_made_by_migrations()
                call_command("loaddata", str(fixture), verbosity=0)
        finally:
            fixture.unlink()
        for member in tar.getmembers():
            if member.name.startswith("media/") and member.isfile():
                target = root / member.name.removeprefix("media/")
                if not target.resolve().is_relative_to(root.resolve()):
                    raise RestoreError(f"备份中的文件路径不安全：{member.name}")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(_member(tar, member))
    problems = compare(manifest)
    if problems:
        raise RestoreError("恢复后核对不一致：" + "；".join(problems))
    return manifest


def _has_business_rows() -> bool:
    from registry.models import Resident

    return Resident.objects.exists()


def _clear_rows_made_by_migrations() -> None:
    """The audit chain's head row is created by a migration; the backup has the real one."""
    from audit.models import ChainHead

    ChainHead.objects.all().delete()


def compare(manifest: dict) -> list[str]:
    problems = []
    counts = row_counts()
    for label, expected in manifest["rows"].items():
        if counts.get(label) != expected:
            problems.append(f"{label} 应有 {expected} 行，实际 {counts.get(label)} 行")
    files = media_files()
    for name, checksum in manifest["files"].items():
        if files.get(name) != checksum:
            problems.append(f"文件 {name} 缺失或校验和不符")
    return problems


def _member(tar: tarfile.TarFile, member: str | tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    if handle is None:
        raise RestoreError(f"备份中的 {member} 不是文件。")
    return handle.read()
