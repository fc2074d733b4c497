"""Logging that keeps personal numbers out of the server's logs."""

from __future__ import annotations

import logging
import re

from core import id_numbers

# An ID number (17 digits and a check character) or a mobile number, not inside a longer
# run of digits.
_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def masked(text: str) -> str:
    text = _ID.sub(lambda m: id_numbers.mask(m.group()), text)
    return _PHONE.sub(lambda m: id_numbers.mask_phone(m.group()), text)


class MaskPersonalNumbers(logging.Filter):
    """A log record's message and traceback with every ID and mobile number masked: an
    exception's message may quote what was typed (e.g. a value that failed to convert)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = masked(record.getMessage()), ()
        if record.exc_info:
            record.exc_text = masked(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = masked(record.stack_info)
        return True


def syslog_handler(address: str) -> dict:
    """The logging handler (dictConfig) that sends records to a syslog collector at
    `host:port` over UDP: AUDIT_ANCHOR_SYSLOG ships every audit anchor off this host, so that
    one who rewrites the database and this server's files still cannot rewrite what the
    collector received (audit/anchors.py, docs/deployment.md)."""
    host, _, port = address.rpartition(":")
    return {
        "class": "logging.handlers.SysLogHandler",
        "address": (host or address, int(port) if port.isdigit() else 514),
        "facility": "auth",
        "formatter": "plain",
    }
