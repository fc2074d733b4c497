"""A record's address for the rows of a list: Django's reverse(), remembered per record.

A list page links 25 to 100 records and is built again after every change at a station; the
resolver's work for an address is the same each time, so its answer is kept (per address
name, record and script prefix), bounded."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse


def record_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk])."""
    return _reversed(name, int(pk), get_script_prefix(), get_urlconf())


@lru_cache(maxsize=65_536)
def _reversed(name: str, pk: int, prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=[pk], urlconf=urlconf)
