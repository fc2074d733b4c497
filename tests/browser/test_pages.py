"""Every page of every role: no serious or critical accessibility violation (axe-core), and a
screenshot at 1366×768 in screenshots/ (git ignores it) for a person to look at. Also the
keyboard-only counter work: nothing needs a mouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from registry.models import Enrollment, InfoChange
from tests.browser.conftest import PASSWORD, SCREENSHOTS
from tests.conftest import make_case, make_filing

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js").read_text()


@pytest.fixture
def records(alice, resident_a, household_a):
    enrollment = Enrollment.objects.create(
        station=alice.station, resident=resident_a, created_by=alice
    )
    change = InfoChange.objects.create(
        station=alice.station,
        resident=resident_a,
        reason="更换手机号码",
        created_by=alice,
        items=[
            {
                "field": "phone",
                "label": "联系电话",
                "old": "13835901234",
                "new": "13900001111",
                "new_value": "13900001111",
            }
        ],
    )
    return {
        "resident": resident_a,
        "household": household_a,
        "enrollment": enrollment,
        "change": change,
        "filing": make_filing(resident_a, alice, evidence="commitment"),
        "case": make_case(resident_a, alice),
    }


def pages_of(role: str, r: dict) -> list[tuple[str, str]]:
    resident, filing, case = r["resident"].pk, r["filing"].pk, r["case"].pk
    common = [
        ("home", "/"),
        ("resident-list", "/registry/residents/"),
        ("resident-detail", f"/registry/residents/{resident}/"),
        ("household-detail", f"/registry/households/{r['household'].pk}/"),
        ("filing-list", "/filing/"),
        ("filing-detail", f"/filing/{filing}/"),
        ("reimbursement-list", "/reimbursement/"),
        ("reimbursement-detail", f"/reimbursement/{case}/"),
        ("enrollment-detail", f"/registry/enrollments/{r['enrollment'].pk}/"),
        ("change-detail", f"/registry/changes/{r['change'].pk}/"),
    ]
    by_role = {
        "alice": [
            *common,
            ("resident-create", "/registry/residents/new/"),
            ("resident-edit", f"/registry/residents/{resident}/edit/"),
            ("household-create", "/registry/households/new/"),
            ("enrollment-start", "/registry/enrollments/new/"),
            ("enrollment-create", "/registry/enrollments/new/resident/"),
            ("change-create", f"/registry/residents/{resident}/changes/new/"),
            ("filing-start", "/filing/new/"),
            ("filing-create", f"/filing/new/{resident}/"),
            ("reimbursement-create", "/reimbursement/new/"),
            ("reimbursement-edit", f"/reimbursement/{case}/edit/"),
            ("print-registration-form", f"/registry/residents/{resident}/registration-form/"),
            ("print-change-form", f"/registry/changes/{r['change'].pk}/registration-form/"),
            ("print-commitment-letter", f"/filing/{filing}/commitment-letter/"),
            ("print-filing-form", f"/filing/{filing}/filing-form/"),
            ("print-missing-notice", f"/reimbursement/{case}/missing-notice/"),
            ("print-large-amount-letter", f"/reimbursement/{case}/large-amount-letter/"),
            ("print-filing-notice", "/filing/notice/"),
            ("password-change", "/password/"),
            ("texts", "/messages/"),
            ("report-station-month", "/reports/"),
        ],
        "carol": [
            *common,
            ("review-queue", "/filing/review/"),
            ("audit-log", "/audit/"),
            ("audit-log-of-a-resident", f"/audit/?resident_pk={resident}"),
            ("audit-chain", "/audit/chain/"),
            ("policy", "/administration/policy/"),
            ("report-county-year", "/reports/?kind=year&year=2026"),
        ],
        "dave": [
            ("audit-log", "/audit/"),
            ("audit-chain", "/audit/chain/"),
            ("resident-detail", f"/registry/residents/{resident}/"),
        ],
        "erin": [
            ("staff-list", "/administration/staff/"),
            ("staff-create", "/administration/staff/new/"),
            ("station-list", "/administration/stations/"),
            ("station-create", "/administration/stations/new/"),
            ("policy", "/administration/policy/"),
            ("calendar", "/administration/calendar/"),
        ],
    }
    return by_role[role]


def log_in(page, url: str, username: str) -> None:
    page.goto(url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()


@pytest.mark.parametrize("role", ["alice", "carol", "dave", "erin"])
def test_every_page_is_accessible_and_photographed(role, request, live_server, browser, records):
    request.getfixturevalue(role)
    # axe is injected by the test, so the page's no-inline-script policy is set aside here.
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    log_in(page, live_server.url, role)
    SCREENSHOTS.mkdir(exist_ok=True)
    problems = {}
    for name, path in pages_of(role, records):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.screenshot(path=str(SCREENSHOTS / f"{role}-{name}.png"), full_page=True)
        page.evaluate(AXE)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])})"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[path] = serious
    context.close()
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_login_page_is_accessible(live_server, browser):
    context = browser.new_context(bypass_csp=True, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.screenshot(path=str(SCREENSHOTS / "login.png"))
    page.evaluate(AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
    context.close()


def test_a_resident_is_found_and_opened_with_the_keyboard_alone(portal, page, alice, resident_a):
    page.goto(portal.url + "/login/")
    # The browser applies autofocus after the first paint: wait for it as a person would.
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type("alice")  # the username field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(portal.url + "/")
    expect(page.locator("#home-q")).to_be_focused()
    page.keyboard.type(resident_a.id_number)  # the search box has the focus: a card reader
    page.keyboard.press("Enter")
    # A card is one resident: her page at once, not a one-row list.
    expect(page.get_by_role("heading", level=1)).to_contain_text("参保人：薛建国")


def test_an_unregistered_card_leads_to_enrollment_with_its_number(portal, page, alice):
    portal.login("alice")
    expect(page.locator("#home-q")).to_be_focused()
    page.keyboard.type("321282199504040041")  # 张娟's card, registered nowhere yet
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("尚未登记")
    expect(page.get_by_role("button", name="办理参保登记")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_id_number")).to_have_value("321282199504040041")


def test_an_error_keeps_what_was_typed_and_takes_the_focus(portal, page, alice):
    portal.login("alice")
    portal.go("/registry/residents/new/")
    expect(page.locator("#id_id_number")).to_be_focused()
    page.keyboard.type("321282199504040042")  # the ID field has the focus; wrong check digit
    page.fill("#id_name", "张娟")
    page.locator("#id_name").press("Enter")
    expect(page.locator("main")).to_contain_text("校验位错误")
    assert page.evaluate("document.activeElement.id") == "id_id_number"
    expect(page.locator("#id_name")).to_have_value("张娟")


def test_the_call_back_number_is_one_press_from_the_home_page(portal, page, alice, resident_a):
    from filing.models import FilingStatus

    make_filing(
        resident_a, alice, status=FilingStatus.REJECTED, rejection_reason="请提供异地居住证"
    )
    portal.login("alice")
    page.get_by_role("button", name="查看电话").click()  # posted with the page's CSRF token
    expect(page.get_by_role("heading", level=1)).to_contain_text("告知参保人")
    expect(page.locator("main")).to_contain_text("13835901234")
