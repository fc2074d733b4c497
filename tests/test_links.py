"""core.links gives what reverse() gives, for every record page and any key, and for the
navigation's pages."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from core.links import record_url

NAMES = [
    "reimbursement:detail",
    "registry:household_detail",
    "registry:resident_detail",
    "registry:enrollment_detail",
    "registry:change_detail",
    "registry:import_detail",
    "filing:detail",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 9, 10, 987654321, 2**62])
def test_a_record_url_is_the_reversed_url(name, pk):
    assert record_url(name, pk) == reverse(name, args=[pk])


def test_a_deployment_under_a_prefix_gets_it_in_every_link():
    try:
        set_script_prefix("/yibao/")
        assert record_url("filing:detail", 42) == reverse("filing:detail", args=[42])
        assert record_url("filing:detail", 42).startswith("/yibao/filing/")
    finally:
        set_script_prefix("/")
    assert record_url("filing:detail", 42) == "/filing/42/"


def test_the_key_may_stand_inside_the_address():
    assert record_url("filing:rejection_notice", 3) == "/filing/3/rejection-notice/"


def test_a_pages_address_is_what_reverse_gives_under_any_script_prefix():
    """`{% page %}` (core/links.page_url) gives what reverse() gives, under each prefix."""
    from core.links import page_url

    try:
        for prefix in ("/", "/yibao/"):
            set_script_prefix(prefix)
            assert page_url("registry:resident_list") == reverse("registry:resident_list")
            assert page_url("home") == prefix
    finally:
        set_script_prefix("/")
