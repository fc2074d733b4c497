"""The three visits issue #18 counted, walked by keyboard from the home page: how many pages
the caseworker waits for (page loads, the PDF tab included) and how many buttons or links she
presses. The README's table quotes these numbers; a change that adds a step fails here."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from filing.models import Filing
from reimbursement.models import ReimbursementCase
from tests.conftest import ZHANG_JUAN_ID, make_id

pytestmark = pytest.mark.django_db(transaction=True)


class Steps:
    """Counts the main frame's page loads and the presses (Enter on a button or a link, or
    a click) from the home page on; a print opens its PDF in a new tab: one load, one press."""

    def __init__(self, portal, page) -> None:
        self.portal, self.page = portal, page
        self.loads = self.presses = 0
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def press(self, locator) -> None:
        self.presses += 1
        locator.focus()
        self.page.keyboard.press("Enter")

    def print_pdf(self, name: str) -> str:
        """The print button: its PDF opens in a new tab (fetched here with the session)."""
        self.presses += 1
        self.loads += 1
        link = self.page.get_by_role("link", name=name, exact=True)
        assert link.get_attribute("target") == "_blank"
        return self.portal.pdf(link.get_attribute("href")).decode("latin-1")


def at_home(portal, username: str):
    page = portal.login(username)
    return Steps(portal, page), page


def test_an_enrollment_is_five_pages_and_five_presses(portal, alice):
    steps, page = at_home(portal, "alice")
    steps.press(page.get_by_role("link", name="参保登记").first)
    expect(page.locator("#id_id_number")).to_be_focused()  # the cursor waits for the card
    page.keyboard.type(ZHANG_JUAN_ID)
    steps.press(page.locator("#id_id_number"))  # the ID-card reader's Enter
    expect(page.locator("#id_id_number")).to_have_value(ZHANG_JUAN_ID)
    page.fill("#id_name", "张娟")
    page.fill("#id_phone", "18252602688")
    page.fill("#id_address", "山西省运城市芮城县古魏镇西关村8号")
    page.get_by_label("参保人身份证或户口簿原件及复印件").focus()
    page.keyboard.press("Space")
    steps.press(page.get_by_role("button", name="保存登记"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("材料不全")
    steps.print_pdf("打印参保登记表")
    page.get_by_label("已签字的《城乡居民基本医疗保险参保登记表》").focus()
    page.keyboard.press("Space")
    steps.press(page.get_by_role("button", name="完成参保登记"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("已参保")
    assert (steps.loads, steps.presses) == (5, 5)  # before issue #18: 7 pages


def test_a_large_amount_case_is_three_pages_and_three_presses(portal, alice, resident_a):
    steps, page = at_home(portal, "alice")
    steps.press(page.get_by_role("link", name="受理补偿").first)
    expect(page.locator("#id_id_number")).to_be_focused()
    page.keyboard.type(resident_a.id_number)
    page.fill("#id_hospital", "山西医科大学第一医院")
    page.fill("#id_admission_date", "2026-10-08")
    page.fill("#id_discharge_date", "2026-10-20")
    page.fill("#id_total_cost", "32000.50")
    expect(page.locator("#checklist")).to_contain_text("大额补偿承诺书")
    page.get_by_label("费用总发票").focus()
    page.keyboard.press("Space")
    steps.press(page.get_by_role("button", name="保存"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("材料不全")
    steps.print_pdf("打印告知单和大额补偿承诺书")
    assert ReimbursementCase.objects.get().total_cost == 32000.50
    assert (steps.loads, steps.presses) == (3, 3)  # before: 8 pages, two print flows


def test_an_agents_filing_is_four_pages_and_four_presses(portal, alice, resident_a):
    steps, page = at_home(portal, "alice")
    steps.press(page.get_by_role("link", name="异地就医备案").first)
    expect(page.locator("#id_id_number")).to_be_focused()
    page.keyboard.type(resident_a.id_number)
    steps.press(page.locator("#id_id_number"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(resident_a.name)
    expect(page.locator("#id_care_region_code_picker")).to_be_visible()  # scripts have run
    page.get_by_label("由代办人办理（为他人备案）").focus()
    page.keyboard.press("Space")
    page.fill("#id_agent_name", "薛小军")
    page.fill("#id_agent_id_number", make_id("14083019850607001"))
    page.fill("#id_agent_phone", "13900001111")
    page.select_option("#id_agent_relationship", "child")
    page.get_by_label("已核验代办人及参保人的身份证或户口簿").focus()
    page.keyboard.press("Space")
    page.get_by_role("combobox", name="就医地").focus()
    page.keyboard.type("jsnj")  # nj alone is 南京 or 内江: Enter would take neither
    page.keyboard.press("Enter")
    page.get_by_label("异地长期居住人员").first.focus()
    page.keyboard.press("Space")
    page.get_by_label("签署个人承诺书").focus()
    page.keyboard.press("Space")
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 80)  # the signature itself is drawn, not typed
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 60)
    page.mouse.up()
    page.get_by_label("参保人（代办人）已阅读备案告知书").focus()
    page.keyboard.press("Space")
    steps.press(page.get_by_role("button", name="下一步：确认信息"))
    expect(page.locator("#filing-confirm .confirm-place")).to_have_text("江苏省南京市")
    steps.press(page.get_by_role("button", name="确认提交"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    steps.print_pdf("打印备案表和个人承诺书")
    filing = Filing.objects.get()
    assert filing.agent_name == "薛小军" and filing.commitment_letter.is_signed
    # Before: 3 pages and two print flows of 3; the confirmation is one press, not a page.
    assert (steps.loads, steps.presses) == (4, 5)
