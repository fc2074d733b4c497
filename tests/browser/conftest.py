"""Browser tests: Playwright driving the system's Chromium (Debian's package, installed by
scripts/setup.sh; Playwright's own browser download cannot work on the stations' networks or
here) against the portal served by pytest-django's live server."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the test thread; the ORM calls the
# tests make between browser steps are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
# Quiet and offline: without these Chromium keeps calling home and is refused, many times.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Correct-Horse-42"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1366, "height": 768},  # the common counter screen
        "locale": "zh-CN",
        "accept_downloads": True,
    }


@pytest.fixture
def portal(live_server, page):
    """The page, with a helper to open the portal's paths and to log in as a persona."""
    page.set_default_timeout(10_000)

    class Portal:
        url = live_server.url

        def go(self, path: str):
            page.goto(live_server.url + path)
            return page

        def login(self, username: str):
            self.go("/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_label("密码").press("Enter")
            page.wait_for_url(re.compile(r".*/(accounts/staff/)?$"))
            return page

        def pdf(self, href: str) -> bytes:
            """What the print button opens: fetched with the browser's own session."""
            url = href if href.startswith("http") else live_server.url + href
            response = page.request.get(url)
            assert response.status == 200
            assert response.headers["content-type"] == "application/pdf"
            return response.body()

        def shot(self, name: str) -> None:
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return Portal()
