"""How a list shows a stored time: 2026-11-01, or 2026-11-01 00:30, in the station's time
(TIME_ZONE), not the database's UTC.

A list's rows are worded in Python, once: the template's `date` filter is slow enough, on a
list page of a hundred dates, to show in its time (docs/benchmarks.md)."""

from __future__ import annotations

import datetime

from django.utils import timezone


def day(value: datetime.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d}"


def minute(value: datetime.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def chinese(value: datetime.date) -> str:
    """A date as a message to the caseworker says it: 2026年11月22日."""
    return f"{value.year}年{value.month}月{value.day}日"
