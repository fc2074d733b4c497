"""One scenario per counter workflow, as a caseworker serves a walk-in resident: from login to
the printed PDF, asserting what the user sees."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import Policy
from audit.models import Action, AuditEntry
from filing.models import Filing, FilingStatus
from messaging.models import TextMessage, TextStatus
from registry.models import Resident
from tests import fake_gateway
from tests.conftest import ZHANG_JUAN_ID, make_case, make_filing, make_id, run_tasks
from tests.pdfs import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name).first.click()


def link(page, name: str) -> None:
    page.get_by_role("link", name=name).first.click()


def print_pdf(portal, page) -> str:
    """Open the preview, then what its print button opens; the PDF's text."""
    href = page.get_by_role("link", name="打印（PDF）").get_attribute("href")
    return pdf_text(portal.pdf(page.url.split("?")[0] + href))


def print_at_once(portal, page, name: str) -> list[str]:
    """A print button opens the PDF itself in a new tab, the page stays where it was: the
    text of each page of the PDF (fetched with the browser's session)."""
    button = page.get_by_role("link", name=name, exact=True)
    assert button.get_attribute("target") == "_blank"
    pdf = portal.pdf(button.get_attribute("href"))
    return [re.sub(r"\s+", "", sheet.extract_text()) for sheet in pdf_pages(pdf)]


def test_enroll_a_resident_then_a_newborn(portal, page, alice, household_a, resident_a):
    portal.login("alice")
    link(page, "参保登记")
    page.fill("#id_id_number", ZHANG_JUAN_ID)
    page.press("#id_id_number", "Enter")  # as the ID-card reader does
    expect(page.locator("#id_id_number")).to_have_value(ZHANG_JUAN_ID)
    page.fill("#id_name", "张娟")
    page.fill("#id_phone", "18252602688")
    page.fill("#id_address", "山西省运城市芮城县古魏镇西关村8号")
    # An adult's form shows an adult's materials, not the newborn's four.
    expect(page.get_by_label("出生医学证明原件及复印件")).to_be_hidden()
    page.get_by_label("参保人身份证或户口簿原件及复印件").check()
    click(page, "保存登记")
    expect(page.get_by_role("heading", level=1)).to_contain_text("材料不全")
    [text] = print_at_once(portal, page, "打印参保登记表")
    assert "城乡居民基本医疗保险参保登记表" in text and ZHANG_JUAN_ID in text
    page.get_by_label("已签字的《城乡居民基本医疗保险参保登记表》").check()
    click(page, "完成参保登记")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已参保")

    newborn = make_id(f"140830{datetime.date.today() - datetime.timedelta(days=20):%Y%m%d}002")
    link(page, "参保登记")
    page.fill("#id_id_number", newborn)
    page.press("#id_id_number", "Enter")
    page.fill("#id_name", "薛小萌")
    page.fill("#id_household_number", household_a.household_number)
    page.press("#id_household_number", "Tab")  # the household's members are offered
    page.select_option("#id_relationship_to_head", "daughter")
    expect(page.get_by_label("新生儿参保登记")).to_be_checked()  # 20 days old: suggested
    guardian = page.get_by_label("监护人（户内成员）")
    expect(guardian.locator("option")).to_have_count(2)
    guardian.select_option(str(resident_a.pk))  # picked, not typed again
    expect(page.get_by_label("监护人姓名")).to_be_hidden()
    page.get_by_label("监护人与新生儿关系").select_option("father")
    expect(page.get_by_label("参保人身份证或户口簿原件及复印件")).to_be_hidden()
    for material in [
        "父母双方身份证原件及复印件",
        "新生儿户口簿原件及复印件",
        "出生医学证明原件及复印件",
    ]:
        page.get_by_label(material).check()
    click(page, "保存登记")
    expect(page.get_by_role("heading", level=1)).to_contain_text("新生儿参保登记")
    baby = Resident.objects.get(id_number=newborn)
    assert baby.household == household_a
    assert baby.enrollment.guardian_id_number == resident_a.id_number
    assert baby.enrollment.guardian_phone == resident_a.phone
    [text] = print_at_once(portal, page, "打印参保登记表")
    assert f"监护人联系电话{resident_a.phone}" in text


def test_change_a_phone_number(portal, page, alice, resident_a):
    portal.login("alice")
    portal.go(resident_a.get_absolute_url())
    link(page, "信息变更登记")
    page.fill("#id_phone", "13900001111")
    page.fill("#id_reason", "更换手机号码")
    click(page, "登记变更")
    expect(page.get_by_role("cell", name="联系电话", exact=True)).to_be_visible()
    [text] = print_at_once(portal, page, "打印变更登记表")
    assert "基本医疗保险参保信息变更登记表" in text and "13900001111" in text
    page.get_by_label("已核验变更人身份证原件及复印件").check()
    page.get_by_label("已签字的《基本医疗保险参保信息变更登记表》").check()
    click(page, "完成变更")
    expect(page.get_by_role("alert").filter(has_text="参保信息已变更")).to_be_visible()
    resident_a.refresh_from_db()
    assert resident_a.phone == "13900001111"


def test_inpatient_reimbursement_from_missing_documents_to_forwarded(
    portal, page, alice, resident_a
):
    portal.login("alice")
    link(page, "县域外补偿")
    link(page, "受理补偿")
    page.fill("#id_id_number", resident_a.id_number)
    page.fill("#id_hospital", "山西医科大学第一医院")
    page.fill("#id_admission_date", "2026-10-08")
    page.fill("#id_discharge_date", "2026-10-20")
    page.fill("#id_total_cost", "32000.50")
    expect(page.locator("#checklist")).to_contain_text("大额补偿承诺书")  # no reload
    page.get_by_label("费用总发票").check()
    page.get_by_label("费用清单").check()
    click(page, "保存")
    expect(page.get_by_role("heading", level=1)).to_contain_text("材料不全")
    # One print for the visit: the notice of what is missing, and the letter for the amount.
    notice, letter = print_at_once(portal, page, "打印告知单和大额补偿承诺书")
    assert "一次性告知单" in notice and "住院病历（全套）" in notice and "大额补偿承诺书" in notice
    assert "大额补偿承诺书" in letter and "32000.50" in letter and resident_a.id_number in letter
    assert AuditEntry.objects.filter(
        action=Action.PRINT, detail__contains="大额补偿承诺书"
    ).exists()
    expect(page.get_by_role("button", name="报送县医保中心")).to_be_disabled()

    # The resident comes back with everything.
    link(page, "修改 / 登记收到的材料")
    for box in page.locator("#checklist input[type=checkbox]").all():
        box.check()
    click(page, "保存")
    expect(page.get_by_role("heading", level=1)).to_contain_text("材料齐全")
    click(page, "报送县医保中心")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已报送")


def test_a_chronic_disease_case(portal, page, alice, resident_a):
    portal.login("alice")
    portal.go("/reimbursement/new/")
    page.fill("#id_id_number", resident_a.id_number)
    page.get_by_label("县域外慢性病补偿").check()
    expect(page.locator("#id_admission_date")).to_be_hidden()
    expect(page.locator("#checklist")).to_contain_text("处方")
    page.fill("#id_hospital", "运城市中心医院")
    page.fill("#id_chronic_disease", "高血压")
    page.fill("#id_total_cost", "860.50")
    for box in page.locator("#checklist input[type=checkbox]").all():
        box.check()
    click(page, "保存")
    expect(page.get_by_role("heading", level=1)).to_contain_text("材料齐全")


def start_filing(portal, page, resident) -> None:
    link(page, "异地就医备案")
    page.fill("#id_id_number", resident.id_number)
    page.press("#id_id_number", "Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(resident.name)
    # The page's scripts have run: the place picker stands where the select was (before, the
    # select itself answers to the picker's role and name, then hides).
    expect(page.locator("#id_care_region_code_picker")).to_be_visible()


def pick_place(page, typed: str, place: str) -> None:
    """就医地 by keyboard: type what names one place alone (jsnj, 上海), then Enter."""
    box = page.get_by_role("combobox", name="就医地")
    box.fill("")
    box.press_sequentially(typed)
    expect(page.get_by_role("option").first).to_have_text(place)
    box.press("Enter")
    expect(box).to_have_value(place)


def submit_filing(page, place: str) -> None:
    """下一步 → 确认信息, which shows the place in large type → 确认提交."""
    page.get_by_label("参保人（代办人）已阅读备案告知书").check()
    click(page, "下一步：确认信息")
    confirm = page.locator("#filing-confirm")
    expect(confirm).to_be_visible()
    expect(confirm.locator(".confirm-place")).to_have_text(place)
    click(page, "确认提交")


def test_a_long_term_filing_signed_on_screen(portal, page, alice, resident_a):
    portal.login("alice")
    start_filing(portal, page, resident_a)
    pick_place(page, "jsnj", "江苏省南京市")
    page.get_by_label("异地长期居住人员").first.check()
    page.get_by_label("签署个人承诺书").check()
    # The letter is read before it is signed, with what was chosen above.
    letter = page.get_by_role("region", name="个人承诺书")
    expect(letter).to_contain_text("江苏省南京市")
    expect(letter).to_contain_text("本人确因工作或居住需要前往异地")
    page.locator("#signature-pad").scroll_into_view_if_needed()
    pad = page.locator("#signature-pad").bounding_box()
    page.mouse.move(pad["x"] + 40, pad["y"] + 80)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(pad["x"] + 40 + step * 30, pad["y"] + 80 + (-1) ** step * 25)
    page.mouse.up()
    submit_filing(page, "江苏省南京市")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    link(page, "预览个人承诺书")
    portal.shot("filing-commitment-letter-preview")
    href = page.get_by_role("link", name="打印（PDF）").get_attribute("href")
    pdf = portal.pdf(page.url.split("?")[0] + href)
    text = pdf_text(pdf)
    assert "基本医疗保险异地就医备案个人承诺书" in text and "江苏省南京市" in text
    assert PdfReader(io.BytesIO(pdf)).pages[0].images  # the drawn signature is in the letter


def test_a_temporary_filing_by_an_agent(portal, page, alice, resident_a):
    portal.login("alice")
    start_filing(portal, page, resident_a)
    pick_place(page, "上海", "上海市")
    page.get_by_label("其他临时外出就医人员").check()
    page.get_by_label("由代办人办理（为他人备案）").check()
    page.fill("#id_agent_name", "薛小军")
    page.fill("#id_agent_id_number", make_id("14083019850607001"))
    page.fill("#id_agent_phone", "13900001111")
    page.select_option("#id_agent_relationship", "child")
    page.get_by_label("已核验代办人及参保人的身份证或户口簿").check()
    page.get_by_label("无需材料").check()
    submit_filing(page, "上海市")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    expect(page.locator("main")).to_contain_text("薛小军（子女）")
    link(page, "预览备案表")
    text = print_pdf(portal, page)
    assert "跨省异地就医登记备案表" in text and "薛小军" in text and "代办人签字" in text


def test_a_referral_filing(portal, page, alice, resident_a):
    portal.login("alice")
    start_filing(portal, page, resident_a)
    pick_place(page, "sxxa", "陕西省西安市")
    page.get_by_label("异地转诊人员").check()
    page.fill("#id_referring_hospital", "芮城县人民医院")
    page.get_by_label("提供备案材料").check()
    page.get_by_label("参保人（代办人）已阅读备案告知书").check()
    click(page, "下一步：确认信息")
    expect(page.get_by_role("alert").first).to_contain_text("请按提示修改")  # form missing
    expect(page.locator("#id_referring_hospital")).to_have_value("芮城县人民医院")
    page.get_by_label("转诊备案表（转出医院盖章）").check()
    submit_filing(page, "陕西省西安市")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    expect(page.locator("main")).to_contain_text("芮城县人民医院")


def test_cancelling_a_filing(portal, page, alice, resident_a):
    filing = make_filing(resident_a, alice, start_date=datetime.date.today())
    portal.login("alice")
    portal.go(filing.get_absolute_url())
    page.fill("#id_cancel_reason", "备案错误，重新备案")
    asked = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    click(page, "取消备案")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("已关闭")
    page.once("dialog", lambda dialog: answer(dialog, True))
    click(page, "取消备案")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已关闭")
    assert asked == ["确定取消这份备案吗？取消后不能恢复，需要时请重新备案。"] * 2


def test_a_supervisor_rejects_and_approves(portal, page, alice, carol, resident_a, county):
    policy = Policy.for_county(county)
    policy.automatic_review = False
    policy.save()
    first = make_filing(
        resident_a,
        alice,
        status=FilingStatus.PENDING,
        evidence="commitment",
        category="long_term_resident",
        end_date=None,
    )
    second = make_filing(resident_a, alice, status=FilingStatus.PENDING, care_region_code="110000")
    portal.login("carol")
    link(page, "备案审核")
    expect(page.get_by_role("heading", level=1)).to_contain_text("人工审核")
    portal.go(first.get_absolute_url())
    page.select_option("#id_common_reason", "请提供异地居住证")
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    # A decision asks first: declined, nothing is sent.
    page.once("dialog", lambda dialog: answer(dialog, False))
    click(page, "退回")
    expect(page.get_by_role("button", name="退回")).to_be_visible()
    assert Filing.objects.get(pk=first.pk).status == FilingStatus.PENDING
    page.once("dialog", lambda dialog: answer(dialog, True))
    click(page, "退回")
    expect(page.get_by_role("heading", level=1)).to_contain_text("审核不通过")
    expect(page.locator("main")).to_contain_text("请提供异地居住证")
    portal.go(second.get_absolute_url())
    page.once("dialog", lambda dialog: answer(dialog, True))
    click(page, "审核通过")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    assert asked == ["确定退回？退回原因将告知参保人。"] * 2 + ["确定审核通过？通过后备案即生效。"]
    assert Filing.objects.get(pk=second.pk).reviewed_by == carol

    # 审核结果将以短信方式通知 [002]: without a gateway, both texts wait for alice to call.
    assert run_tasks() == 2
    page.context.clear_cookies()
    portal.login("alice")
    calls = page.locator("#todo-calls + ul")
    expect(calls).to_contain_text("备案审核不通过")
    expect(calls).to_contain_text("备案审核通过")
    link(page, "去电话通知")
    expect(page.locator("main")).to_contain_text("138****1234")
    click(page, "查看电话并告知")
    expect(page.locator("main")).to_contain_text("13835901234")  # the reveal, audited
    expect(page.locator("blockquote")).to_contain_text("芮城县医保")
    click(page, "已电话告知")
    expect(page.get_by_role("alert").filter(has_text="已登记")).to_be_visible()
    assert TextMessage.objects.filter(status=TextStatus.CALLED).count() == 1


def test_a_county_gateway_receives_the_review_texts(
    portal, page, alice, carol, resident_a, county, settings
):
    settings.SMS_BACKEND = "tests.fake_gateway.FakeGateway"
    fake_gateway.reset()
    policy = Policy.for_county(county)
    policy.automatic_review = False
    policy.save()
    filing = make_filing(resident_a, alice, status=FilingStatus.PENDING)
    portal.login("carol")
    portal.go(filing.get_absolute_url())
    page.once("dialog", lambda dialog: dialog.accept())
    click(page, "审核通过")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    run_tasks()
    [text] = fake_gateway.sent
    assert text.recipients == ["13835901234"] and "已审核通过" in text.body
    assert TextMessage.objects.get().status == TextStatus.SENT
    fake_gateway.reset()


def test_the_large_amount_letter_is_signed_in_one_press(portal, page, alice, resident_a):
    case = make_case(resident_a, alice, total_cost=Decimal("45000"))
    portal.login("alice")
    portal.go(case.get_absolute_url())
    with page.context.expect_page() as opened:
        click(page, "打印并当场签署承诺书")
    pdf_tab = opened.value
    pdf_tab.wait_for_load_state()  # the PDF came: the request, and its transaction, are over
    case.refresh_from_db()
    assert "large_amount_letter" in case.received
    # The page reads itself again (data-reload-after); read here too, so that a busy machine
    # whose reload came before the PDF's commit does not fail the test.
    page.reload()
    expect(page.get_by_role("button", name="打印并当场签署承诺书")).to_have_count(0)
    letter = "大额补偿承诺书（因总费用达到 30,000.00 元）：已收"
    expect(page.locator("main")).to_contain_text(letter)


def test_a_supervisor_reads_a_records_history(
    portal, page, alice, carol, resident_a, registering_a
):
    portal.login("alice")
    portal.go(f"/registry/residents/{resident_a.pk}/edit/")
    page.fill("#id_address", "山西省运城市芮城县古魏镇东关村2号")
    click(page, "保存")
    page.context.clear_cookies()
    portal.login("carol")
    portal.go(resident_a.get_absolute_url())
    history = page.locator("#history-heading + table")
    expect(history).to_contain_text("李秀梅")
    expect(history).to_contain_text("现住址")
    expect(history).to_contain_text("东关村2号")


def test_an_auditor_verifies_the_audit_chain(portal, page, dave, resident_a):
    portal.login("dave")
    link(page, "审计记录")
    link(page, "完整性校验")
    click(page, "开始校验")
    expect(page.get_by_role("alert")).to_contain_text("已开始校验")
    expect(page.get_by_role("cell", name="排队中")).to_be_visible()
    expect(page.get_by_role("button", name="开始校验")).to_be_disabled()
    run_tasks()  # the worker's turn
    page.reload()
    expect(page.get_by_role("cell", name="完整")).to_contain_text("哈希链无断裂")


def test_a_return_is_refiled_from_its_own_information(portal, page, alice, resident_a):
    """Issue 29, item 3: from the caseworker's home, the returned filing is filed again with
    its information filled in and the reason beside the evidence it asked for."""
    returned = make_filing(
        resident_a,
        alice,
        status=FilingStatus.REJECTED,
        category="long_term_resident",
        evidence="commitment",
        end_date=None,
        care_region_code="320100",
        rejection_reason="请提供异地居住证",
    )
    portal.login("alice")
    expect(page.locator("#todo-returned + ul")).to_contain_text("请提供异地居住证")
    page.locator("#todo-returned + ul").get_by_role("link", name=resident_a.name).click()
    link(page, "按原信息重新备案")
    expect(page.get_by_role("combobox", name="就医地")).to_have_value("江苏省南京市")
    expect(page.locator("#id_evidence_helptext")).to_have_text("退回原因：请提供异地居住证")
    page.get_by_label("参保人（代办人）已阅读备案告知书").check()
    page.get_by_label("提供备案材料").check()
    page.get_by_label("居住证", exact=True).first.check()
    submit_filing(page, "江苏省南京市")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已备案")
    assert Filing.objects.exclude(pk=returned.pk).get().care_region_code == "320100"
