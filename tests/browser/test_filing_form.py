"""The filing form as a caseworker uses it, keyboard first: it shows only what the choices
need, finds a place by characters or pinyin initials, and shows the letter before it is signed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from filing.models import Filing
from tests.browser.test_counter_workflows import start_filing
from tests.conftest import make_id

pytestmark = pytest.mark.django_db(transaction=True)


def height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_the_place_picker_filters_as_one_types(portal, page, alice, resident_a):
    portal.login("alice")
    start_filing(portal, page, resident_a)
    box = page.get_by_role("combobox", name="就医地")
    box.focus()
    box.press_sequentially("海")
    options = page.get_by_role("option")
    # Places named with 海 first (海南省, filed to the province; 海东市 …), then those with it
    # inside (上海市, 乌海市).
    expect(options.first).to_have_text("海南省")
    texts = options.all_text_contents()
    assert "上海市" in texts and all("海" in text for text in texts)
    assert texts.index("青海省海东市") < texts.index("上海市")
    box.fill("")
    box.press_sequentially("yc")  # 运城, 宜春, 银川, 盐城 …: every match's initials
    texts = options.all_text_contents()
    assert {"山西省运城市", "江西省宜春市", "宁夏回族自治区银川市", "江苏省盐城市"} <= set(texts)
    box.press("Enter")  # several match alike: Enter takes none of them
    assert page.locator("#id_care_region_code").input_value() == ""
    expect(page.get_by_role("listbox", name="就医地")).to_contain_text("有多个地方符合")
    box.press_sequentially("x")  # no place is called "ycx"
    expect(options).to_have_count(0)
    expect(page.get_by_role("listbox", name="就医地")).to_contain_text("没有找到，请换个写法")
    box.fill("")
    box.fill("")
    box.press_sequentially("sxyc")
    expect(options).to_have_count(1)
    box.press("ArrowDown")  # one match: the choice stays on it
    box.press("Enter")  # chooses; never sends the form
    expect(box).to_have_value("山西省运城市")
    assert page.locator("#id_care_region_code").input_value() == "140800"
    assert page.url.endswith(f"/filing/new/{resident_a.pk}/")
    box.press_sequentially("chongq")  # full pinyin works too
    box.press("Escape")  # gives up: the chosen place stays
    expect(box).to_have_value("山西省运城市")
    box.press("Tab")
    assert page.locator("#id_care_region_code").input_value() == "140800"


def test_the_form_shows_only_what_the_choices_need(portal, page, alice, resident_a):
    portal.login("alice")
    start_filing(portal, page, resident_a)
    agent = page.get_by_label("代办人姓名")
    hospital = page.get_by_label("转出医院", exact=True)
    pad = page.locator("#signature-pad")
    expect(agent).to_be_hidden()
    expect(hospital).to_be_hidden()
    expect(pad).to_be_hidden()

    page.get_by_label("其他临时外出就医人员").check()  # needs no material
    expect(page.get_by_label("无需材料")).to_be_checked()
    expect(page.get_by_label("签署个人承诺书")).to_be_hidden()
    expect(page.get_by_label("居住证", exact=True)).to_be_hidden()
    short = height(page)
    portal.shot("filing-form-by-steps")

    page.get_by_label("异地转诊人员").check()  # its stamped form, and no letter instead
    expect(hospital).to_be_visible()
    expect(page.get_by_label("提供备案材料")).to_be_checked()
    expect(page.get_by_label("签署个人承诺书")).to_be_hidden()
    expect(page.get_by_label("转诊备案表（转出医院盖章）")).to_be_visible()
    expect(page.get_by_label("居住证", exact=True)).to_be_hidden()

    page.get_by_label("异地长期居住人员").first.check()
    expect(hospital).to_be_hidden()
    expect(page.get_by_label("居住证", exact=True)).to_be_visible()
    expect(page.get_by_label("转诊备案表（转出医院盖章）")).to_be_hidden()
    page.get_by_label("签署个人承诺书").check()
    expect(pad).to_be_visible()
    expect(page.get_by_label("居住证", exact=True)).to_be_hidden()

    page.get_by_label("由代办人办理（为他人备案）").check()
    expect(agent).to_be_visible()
    agent.fill("薛小军")
    letter = page.get_by_role("region", name="个人承诺书")
    expect(letter).to_contain_text(f"本人受参保人{resident_a.name}委托")
    expect(letter).to_contain_text("薛小军（代办人）")
    expect(letter).to_contain_text("至 长期")
    expect(page.get_by_text("本人确因工作或居住需要")).to_be_hidden()
    page.get_by_label("由代办人办理（为他人备案）").uncheck()
    expect(agent).to_be_hidden()
    expect(page.get_by_text("本人确因工作或居住需要")).to_be_visible()
    # The old form showed every part whatever was chosen: 2,199 px at 1366×768.
    assert short < 1900, short


def test_an_agent_files_by_keyboard_and_hidden_fields_are_not_sent(portal, page, alice, resident_a):
    portal.login("alice")
    start_filing(portal, page, resident_a)
    page.get_by_label("其他临时外出就医人员").focus()
    page.keyboard.press("Space")
    page.get_by_label("由代办人办理（为他人备案）").focus()
    page.keyboard.press("Space")
    page.get_by_label("代办人姓名").press_sequentially("薛小军")
    page.keyboard.press("Tab")
    page.keyboard.type(make_id("14083019850607001"))
    page.keyboard.press("Tab")
    page.keyboard.type("13900001111")
    page.get_by_label("与参保人关系").select_option("child")
    page.get_by_label("已核验代办人及参保人的身份证或户口簿").focus()
    page.keyboard.press("Space")
    # A referral's hospital typed, then another category chosen: it is not sent.
    page.get_by_label("异地转诊人员").check()
    page.get_by_label("转出医院", exact=True).fill("芮城县人民医院")
    page.get_by_label("其他临时外出就医人员").check()
    box = page.get_by_role("combobox", name="就医地")
    box.focus()
    page.keyboard.type("bj")  # 北京 or 毕节: ↓ picks the first, 北京
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_label("参保人（代办人）已阅读备案告知书").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="下一步：确认信息").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#filing-confirm .confirm-place")).to_have_text("北京市")
    page.get_by_role("button", name="确认提交").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    filing = Filing.objects.get(resident=resident_a)
    assert filing.care_region_code == "110000"
    assert filing.agent_name == "薛小军" and filing.referring_hospital == ""


@pytest.mark.parametrize(
    ("typed", "first", "not_taken"),
    [
        ("gz", "广东省广州市", "江西省赣州市"),
        ("xa", "陕西省西安市", "内蒙古自治区兴安盟"),
        ("sh", "上海市", "黑龙江省绥化市"),
        ("cd", "四川省成都市", "河北省承德市"),
        ("zz", "河南省郑州市", "山西省长治市"),
    ],
)
def test_one_enter_never_files_a_city_that_only_shares_initials(
    portal, page, alice, resident_a, typed, first, not_taken
):
    """Issue 26: gz + Enter filed 赣州, xa 兴安盟, sh 绥化, cd 承德, zz 长治 (the first in code
    order). Now capitals lead the list, and Enter takes nothing until ↓ ↑ picks one."""
    portal.login("alice")
    start_filing(portal, page, resident_a)
    box = page.get_by_role("combobox", name="就医地")
    box.focus()
    box.press_sequentially(typed)
    options = page.get_by_role("option")
    expect(options.first).to_have_text(first)
    assert not_taken in options.all_text_contents()
    box.press("Enter")
    assert page.locator("#id_care_region_code").input_value() == ""
    box.press("Tab")
    assert page.locator("#id_care_region_code").input_value() == ""
    box.focus()
    box.press_sequentially(typed)
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value(first)


@pytest.mark.parametrize(
    ("typed", "place"),
    [("海口", "海南省"), ("hk", "海南省"), ("拉萨", "西藏自治区"), ("石河子", "新疆生产建设兵团")],
)
def test_a_city_of_a_place_filed_at_province_level_leads_to_its_province(
    portal, page, alice, resident_a, typed, place
):
    portal.login("alice")
    start_filing(portal, page, resident_a)
    box = page.get_by_role("combobox", name="就医地")
    box.focus()
    box.press_sequentially(typed)
    expect(page.get_by_role("option").first).to_contain_text(place)
    box.press("Enter")
    expect(box).to_have_value(place)


def test_the_countys_most_filed_place_leads_among_equals(portal, page, alice, resident_a):
    from tests.conftest import make_filing

    make_filing(resident_a, alice, care_region_code="360700")  # 赣州, filed here before
    portal.login("alice")
    start_filing(portal, page, resident_a)
    box = page.get_by_role("combobox", name="就医地")
    box.focus()
    box.press_sequentially("gz")
    expect(page.get_by_role("option").first).to_have_text("江西省赣州市")
    box.press("Enter")  # still two alike: nothing taken by Enter alone
    assert page.locator("#id_care_region_code").input_value() == ""


def test_the_confirmation_shows_the_place_and_edit_keeps_everything(
    portal, page, alice, resident_a
):
    portal.login("alice")
    start_filing(portal, page, resident_a)
    box = page.get_by_role("combobox", name="就医地")
    box.focus()
    box.press_sequentially("guangzhou")  # the full pinyin names one place
    box.press("Enter")
    page.get_by_label("其他临时外出就医人员").check()
    page.get_by_label("参保人（代办人）已阅读备案告知书").check()
    page.get_by_role("button", name="下一步：确认信息").click()
    confirm = page.locator("#filing-confirm")
    expect(confirm.locator(".confirm-place")).to_have_text("广东省广州市")
    expect(confirm).to_contain_text("其他临时外出就医人员")
    portal.shot("filing-confirmation")
    assert not Filing.objects.exists()  # nothing is written before 确认提交
    expect(page.locator("#filing-form")).to_be_hidden()
    page.get_by_role("button", name="修改").click()
    expect(page.locator("#filing-form")).to_be_visible()
    expect(box).to_have_value("广东省广州市")
    box.focus()
    box.fill("")
    box.press_sequentially("shenzhen")
    box.press("Enter")
    page.get_by_label("参保人（代办人）已阅读备案告知书").check()
    page.get_by_role("button", name="下一步：确认信息").click()
    expect(page.locator("#filing-confirm .confirm-place")).to_have_text("广东省深圳市")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    assert Filing.objects.get().care_region_code == "440300"


def test_a_late_filing_starts_on_its_admission_date(portal, page, alice, resident_a):
    import datetime

    admitted = (datetime.date.today() - datetime.timedelta(days=12)).isoformat()
    portal.login("alice")
    start_filing(portal, page, resident_a)
    page.get_by_label("其他临时外出就医人员").check()
    page.get_by_label("补办备案（已在异地住院）").check()
    expect(page.get_by_text("补办备案：开始日期为入院日期")).to_be_visible()
    expect(page.get_by_text("开始日期最多可向前追溯")).to_be_hidden()
    page.fill("#id_admission_date", admitted)
    page.locator("#id_admission_date").dispatch_event("change")
    expect(page.locator("#id_start_date")).to_have_value(admitted)


def test_a_letter_signed_on_paper_by_keyboard_only(portal, page, alice, resident_a):
    """No signature pad at the counter (issue 29, item 6): the caseworker reaches everything by
    keyboard, the form starts at its first field, the 告知书 opens with Enter, and the letter
    signed by hand on paper completes the filing, its scan on the to-do list."""
    portal.login("alice")
    start_filing(portal, page, resident_a)
    expect(page.get_by_label("由代办人办理（为他人备案）")).to_be_focused()
    box = page.get_by_role("combobox", name="就医地")
    box.focus()
    page.keyboard.type("jsnj")
    page.keyboard.press("Enter")
    page.get_by_label("异地长期居住人员").first.focus()
    page.keyboard.press("Space")
    page.locator("#notice-fold summary").focus()
    page.keyboard.press("Enter")  # 展示备案告知书
    expect(page.get_by_role("region", name="备案告知书")).to_be_visible()
    page.get_by_label("参保人（代办人）已阅读备案告知书").focus()
    page.keyboard.press("Space")
    page.get_by_label("签署个人承诺书").focus()
    page.keyboard.press("Space")
    pad = page.locator("#signature-pad")
    pad.focus()
    expect(pad).to_be_focused()  # reachable, with its note on what drawing needs
    expect(page.locator("#signature-note")).to_contain_text("需要签名板或鼠标")
    page.get_by_label("已打印，参保人（代办人）手写签字（纸质存档，扫描件稍后上传）").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="下一步：确认信息").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#filing-confirm")).to_contain_text("手写签字，纸质存档")
    page.get_by_role("button", name="确认提交").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    filing = Filing.objects.get()
    assert filing.commitment_letter.signed_on_paper and filing.notice_read
    page.get_by_role("link", name="首页").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#todo-paper + ul")).to_contain_text(resident_a.name)
