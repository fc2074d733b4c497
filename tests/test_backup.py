"""The restore drill: back up, restore into a fresh database, compare counts and checksums."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from audit.verification import verify
from operations.backup import media_files, row_counts

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_and_restore_give_back_every_row_and_file(filing_b, case_b, change_b, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    rows_before, files_before = row_counts(), media_files()
    assert files_before  # the fixture's scanned residence permit
    call_command("backup", str(archive), verbosity=0)

    call_command("flush", interactive=False, verbosity=0)  # a fresh, empty database
    shutil.rmtree(settings.MEDIA_ROOT)
    assert row_counts()["registry.resident"] == 0

    call_command("restore", str(archive), verbosity=0)
    assert row_counts() == rows_before
    assert media_files() == files_before
    stored = Path(settings.MEDIA_ROOT) / filing_b.material.file.name
    assert (
        hashlib.sha256(stored.read_bytes()).hexdigest() == files_before[filing_b.material.file.name]
    )
    assert verify().ok


def test_a_restore_refuses_a_database_with_business_data(filing_b, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    with pytest.raises(SystemExit):
        call_command("restore", str(archive), verbosity=0)
