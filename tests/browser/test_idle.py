"""The idle logout, as a caseworker meets it: a warning five minutes before with 继续办理, and
a half-filled form given back after the login it asked for."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.conftest import PASSWORD
from tests.browser.test_counter_workflows import pick_place, start_filing
from tests.conftest import _user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_warning_before_the_idle_logout_and_continuing(portal, page, alice):
    page.clock.install()
    portal.login("alice")
    page.clock.run_for("24:00")
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    page.clock.run_for("01:30")  # 25 minutes and a half: five minutes left
    warning = page.get_by_role("alertdialog", name="即将自动退出")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("后将自动退出登录")
    button = warning.get_by_role("button", name="继续办理")
    expect(button).to_be_focused()
    with page.expect_response(lambda response: "/session/keep-alive/" in response.url) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    page.clock.run_for("20:00")  # counted again from 继续办理
    expect(page.get_by_role("alertdialog")).to_have_count(0)


def test_a_half_filled_form_comes_back_after_the_login(
    portal, page, alice, resident_a, monkeypatch
):
    page.clock.install()
    portal.login("alice")
    start_filing(portal, page, resident_a)
    pick_place(page, "jsnj", "江苏省南京市")
    page.get_by_label("异地长期居住人员").first.check()
    page.get_by_label("联系人地址").fill("江苏省南京市鼓楼区中山路1号")
    form_url = page.url

    # Thirty minutes pass for the server and for the page.
    later = timezone.now() + datetime.timedelta(minutes=31)
    monkeypatch.setattr("security.middleware.now", lambda: later)
    page.clock.run_for("30:01")
    expect(page.get_by_label("用户名")).to_be_visible()
    expect(page.locator("main")).to_contain_text("请重新登录")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")

    page.wait_for_url(form_url)
    expect(page.get_by_role("status")).to_contain_text("已恢复退出登录前填写的内容")
    expect(page.get_by_label("联系人地址")).to_have_value("江苏省南京市鼓楼区中山路1号")
    expect(page.get_by_label("异地长期居住人员").first).to_be_checked()
    expect(page.get_by_role("combobox", name="就医地")).to_have_value("江苏省南京市")
    page.reload()  # given back once, then forgotten
    expect(page.get_by_label("联系人地址")).not_to_have_value("江苏省南京市鼓楼区中山路1号")

    # A colleague who signs in at this counter after a timeout never sees what alice typed.
    page.get_by_label("联系人地址").fill("另一个地址")
    even_later = later + datetime.timedelta(minutes=31)
    monkeypatch.setattr("security.middleware.now", lambda: even_later)
    page.clock.run_for("30:01")
    expect(page.get_by_label("用户名")).to_be_visible()
    _user("alice2", "王丽", Role.CASEWORKER, alice.county, alice.station)
    page.get_by_label("用户名").fill("alice2")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.wait_for_url(form_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(resident_a.name)
    expect(page.get_by_label("联系人地址")).not_to_have_value("另一个地址")
    expect(page.get_by_role("status")).to_have_count(0)
