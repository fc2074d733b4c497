"""The templates stay readable: no line of markup over 120 characters (djhtml checks the
indentation in scripts/test.sh; a line of Chinese prose may run to 160, so that no word is
split to fit), a long sentence wrapped in {% joined %} renders as the one line it is, and
no joined run breaks a Chinese word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

LIMIT = 120
PROSE_LIMIT = 160
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")


def _templates():
    return sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))


def _limit(line: str) -> int:
    """Chinese prose (a third of the line or more) may run longer than markup."""
    return PROSE_LIMIT if len(CJK.findall(line)) * 3 >= len(line.strip()) else LIMIT


def test_no_template_line_is_longer_than_its_limit():
    long_lines = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > _limit(line)
    ]
    assert long_lines == []


def test_no_joined_run_splits_a_chinese_word():
    """A break inside {% joined %} between two Chinese characters read as one word (申请日
    | 期): the template's reader sees a word split, though the page joins it."""
    split = []
    for path in _templates():
        lines = path.read_text().splitlines()
        inside = False
        for number, line in enumerate(lines, start=1):
            inside = inside or "{% joined %}" in line
            following = lines[number].lstrip() if number < len(lines) else " "
            ends = line.rstrip()[-1:] or " "
            if inside and IDEOGRAPH.match(ends) and IDEOGRAPH.match(following[:1] or " "):
                split.append(f"{path.relative_to(settings.BASE_DIR)}:{number}")
            inside = inside and "{% endjoined %}" not in line
    assert split == []


def test_a_joined_run_renders_without_the_breaks_it_was_wrapped_at():
    template = Template(
        "{% load lines %}{% joined %}\n  本人确因工作\n  或居住需要{{ place }}\n"
        "  </p>{% endjoined %}"
    )
    assert template.render(Context({"place": "前往异地"})) == "本人确因工作或居住需要前往异地</p>"


@pytest.mark.django_db
def test_error_pages_are_in_chinese(client, alice):
    """Issue 18: Django's English "Not Found" and CSRF 403 pages with DEBUG off."""
    from django.test import Client

    from tests.conftest import client_for

    page = client_for(alice).get("/no-such-page/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    assert "Not Found" not in page.content.decode()
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post("/login/", {"username": "alice", "password": "x"})
    assert refused.status_code == 403 and "页面已过期，没有保存" in refused.content.decode()
    assert "CSRF" not in refused.content.decode()


@pytest.mark.django_db
def test_a_browser_asking_for_english_still_gets_chinese(client, alice):
    """Issue 18: "This field is required." for a browser sending Accept-Language: en."""
    from tests.conftest import client_for

    english = client_for(alice)
    page = english.post(
        "/registry/residents/new/", {"name": ""}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "这个字段是必填项" in page and "This field is required" not in page


@pytest.mark.django_db
def test_no_page_shows_placeholders_references_or_stock_text(request, resident_a, filing_b):
    """Issue 18: "---------" placeholders, "[001][002]" on the policy page, Django's stock help
    text on the staff form."""
    import re

    from django.urls import reverse

    from tests.conftest import client_for
    from tests.pages import PAGES

    persona = {"caseworker": "alice", "supervisor": "carol", "auditor": "dave"}
    persona["administrator"] = "erin"
    found = []
    for name, roles in sorted(PAGES.items()):
        for role in sorted(roles):
            client = client_for(request.getfixturevalue(persona[role]))
            response = client.get(reverse(name))
            if not response["Content-Type"].startswith("text/html"):
                continue  # an Excel export
            page = response.content.decode()
            for pattern in (
                r"-{5,}",
                r"\[\d{3}\]",
                r"150个字符或者更少",
                r"This field",
                "Not Found",
            ):
                if re.search(pattern, page):
                    found.append((name, role, pattern))
    assert found == [], found
