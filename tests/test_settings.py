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


def test_a_server_error_is_logged_with_its_traceback_and_numbers_masked():
    """Issue 16: production had no logging; a 500 left no traceback anywhere."""
    code = (
        "import logging, os\n"
        "os.environ.update(DEBUG='False', SECRET_KEY='s' * 50, AUDIT_KEY='a' * 50)\n"
        "from django.conf import settings\n"
        "import config.settings as production\n"
        "settings.configure(LOGGING=production.LOGGING)\n"
        "import django; django.setup()\n"
        "try:\n"
        "    int('140830199001010037 13835901234 x')\n"
        "except ValueError:\n"
        "    logging.getLogger('django.request').exception('Internal Server Error: /x')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert "ERROR django.request: Internal Server Error: /x" in result.stderr
    assert "Traceback" in result.stderr and "ValueError" in result.stderr
    assert "140830********0037 138****1234" in result.stderr
    assert "140830199001010037" not in result.stderr and "13835901234" not in result.stderr
