"""The three visits issue #18 counted, walked by keyboard from the home page: how many pages
the caseworker waits for (page loads, the PDF tab included) and how many buttons or links she
presses. The README's table quotes these numbers; a change that adds a step fails here."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audit.models import Action, AuditEntry
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


def test_a_card_swiped_at_home_enrolls_in_five_pages(portal, alice):
    """Issue 29, item 1: the home search invites 刷身份证; an unregistered ID offers 办理参保登记
    with the number carried, so the enrollment costs what it costs from 参保登记."""
    steps, page = at_home(portal, "alice")
    expect(page.locator("#home-q")).to_be_focused()
    page.keyboard.type(ZHANG_JUAN_ID)
    steps.press(page.locator("#home-q"))  # the ID-card reader's Enter
    steps.press(page.get_by_role("button", name="办理参保登记"))
    expect(page.locator("#id_id_number")).to_have_value(ZHANG_JUAN_ID)  # not typed twice
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
    assert (steps.loads, steps.presses) == (5, 5)  # before: 7 pages, the ID typed twice


def test_a_three_errand_visit_prints_once(portal, alice, resident_a):
    """Issue 29, item 2: a phone changed, a filing made and a case accepted for one resident,
    found by card; everything to sign printed at the end in one PDF (before: three print flows,
    14 pages)."""
    steps, page = at_home(portal, "alice")
    expect(page.locator("#home-q")).to_be_focused()
    page.keyboard.type(resident_a.id_number)
    steps.press(page.locator("#home-q"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(resident_a.name)
    # 1. 信息变更
    steps.press(page.get_by_role("link", name="信息变更登记"))
    expect(page.locator("#id_reason")).to_be_visible()
    page.fill("#id_phone", "13900001111")
    page.fill("#id_reason", "更换手机号码")
    steps.press(page.get_by_role("button", name="登记变更"))
    expect(page.get_by_role("cell", name="联系电话", exact=True)).to_be_visible()
    steps.press(page.get_by_role("link", name=resident_a.name).first)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"参保人：{resident_a.name}")
    # 2. 异地就医备案
    steps.press(page.get_by_role("link", name="异地就医备案").last)
    expect(page.locator("#id_care_region_code_picker")).to_be_visible()
    page.get_by_role("combobox", name="就医地").focus()
    page.keyboard.type("上海")
    page.keyboard.press("Enter")
    page.get_by_label("其他临时外出就医人员").focus()
    page.keyboard.press("Space")
    page.get_by_label("参保人（代办人）已阅读备案告知书").focus()
    page.keyboard.press("Space")
    page.get_by_label("无需材料").focus()
    page.keyboard.press("Space")
    steps.press(page.get_by_role("button", name="下一步：确认信息"))
    expect(page.locator("#filing-confirm .confirm-place")).to_have_text("上海市")
    steps.press(page.get_by_role("button", name="确认提交"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    steps.press(page.get_by_role("link", name=resident_a.name).first)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"参保人：{resident_a.name}")
    # 3. 县域外补偿
    steps.press(page.get_by_role("link", name="受理县域外补偿"))
    expect(page.locator("#id_hospital")).to_be_visible()
    page.fill("#id_hospital", "山西医科大学第一医院")
    page.fill("#id_admission_date", "2026-10-08")
    page.fill("#id_discharge_date", "2026-10-20")
    page.fill("#id_total_cost", "32000.50")
    page.get_by_label("费用总发票").focus()
    page.keyboard.press("Space")
    steps.press(page.get_by_role("button", name="保存"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("材料不全")
    steps.press(page.get_by_role("link", name=resident_a.name).first)
    # The visit, printed once.
    expect(page.get_by_role("region", name="本次办理（今天）")).to_contain_text("县域外住院补偿")
    steps.print_pdf("打印本次全部")
    printed = AuditEntry.objects.get(action=Action.PRINT, record_id=str(resident_a.pk)).detail
    for title in ("参保信息变更登记表", "跨省异地就医登记备案表", "一次性告知单", "大额补偿承诺书"):
        assert title in printed
    assert Filing.objects.get().resident == resident_a
    assert ReimbursementCase.objects.get().total_cost == 32000.50
    # The confirmation of the filing is one press, not a page.
    assert (steps.loads, steps.presses) == (11, 12)
