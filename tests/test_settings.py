"""Production settings refuse to start without what protects the data (issue 16 item 10)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings


def start(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("AUDIT_KEY", "SECRET_KEY")}
    environment.update(DEBUG="False", **env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": "s" * 50}, "AUDIT_KEY must be set"),
        ({"SECRET_KEY": "s" * 50, "AUDIT_KEY": "s" * 50}, "AUDIT_KEY must differ from SECRET_KEY"),
    ],
)
def test_the_audit_key_is_required_and_apart_from_the_secret_key(env, message):
    result = start(**env)
    assert result.returncode != 0 and message in result.stderr


def test_with_both_keys_the_settings_load():
    assert start(SECRET_KEY="s" * 50, AUDIT_KEY="a" * 50).returncode == 0
