"""Addresses by Django's reverse(), remembered: a record's for the rows of a list, and a page's
for the navigation every page shows (`{% page "name" %}`, core/templatetags/links.py).

A list page links 25 to 100 records and is built again after every change at a station, and
every page links its dozen navigation entries; the resolver's work for an address is the same
each time, so its answer is kept (per address name, record and script prefix), bounded."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse


def record_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk])."""
    return _reversed(name, int(pk), get_script_prefix(), get_urlconf())


@lru_cache(maxsize=65_536)
def _reversed(name: str, pk: int, prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=[pk], urlconf=urlconf)


def page_url(name: str) -> str:
    """reverse(name), for an address without arguments."""
    return _page(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=1024)
def _page(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)
