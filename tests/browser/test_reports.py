"""报表 in the browser (issue 30): a supervisor reads the county's year and prints it; a
caseworker sees her station only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import make_filing
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supervisor_reads_and_prints_the_year_a_caseworker_her_station(
    portal, page, alice, bob, carol, resident_a, resident_b
):
    make_filing(resident_a, alice)
    make_filing(resident_b, bob, care_region_code="440300")
    portal.login("carol")
    page.get_by_role("link", name="统计报表").click()
    page.get_by_label("统计期间").select_option("year")
    expect(page.get_by_label("月份")).to_be_hidden()
    page.get_by_role("button", name="统计").click()
    table = page.locator("table").filter(has_text="备案申请").first
    expect(table).to_contain_text("古魏镇医保站")
    expect(table).to_contain_text("风陵渡镇医保站")
    expect(page.get_by_role("img", name="各医保站的备案数和参保登记数")).to_be_visible()
    expect(page.locator("main")).to_contain_text("广东省")
    href = page.get_by_role("link", name="打印（PDF）").get_attribute("href")
    text = pdf_text(portal.pdf(page.url.split("?")[0] + href))
    assert "芮城县医保经办业务统计" in text and "备案申请" in text
    portal.shot("report-county-year")

    page.context.clear_cookies()
    portal.login("bob")
    page.get_by_role("link", name="统计报表").click()
    expect(page.locator("main")).to_contain_text("风陵渡镇医保站")
    expect(page.locator("main")).not_to_contain_text("古魏镇医保站")


def test_a_report_the_worker_counts_shows_its_progress_then_itself(
    portal, page, settings, alice, carol, resident_a
):
    """A report larger than REPORT_ROWS_IN_REQUEST: the progress line reloads the page by
    itself until the worker has counted it."""
    from tests.conftest import run_tasks

    settings.REPORT_ROWS_IN_REQUEST = 0
    make_filing(resident_a, alice)
    portal.login("carol")
    page.get_by_role("link", name="统计报表").click()
    page.get_by_label("统计期间").select_option("year")
    page.get_by_role("button", name="统计").click()
    expect(page.get_by_role("status")).to_contain_text("正在统计")
    run_tasks()  # the worker, while the page waits
    expect(page.locator("main")).to_contain_text("本报表由后台统计", timeout=20_000)
    table = page.locator("table").filter(has_text="备案申请").first
    expect(table).to_contain_text("古魏镇医保站")
