"""报表 (issue 30): each figure computed on a small county built to hit its boundaries (a month's
last half hour in Beijing time, the 大额 threshold exactly, a return refiled, a filing closed in
error, a review past its working days), the same on the page, in the Excel and in the PDF."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import Action, AuditEntry
from filing.models import Filing, FilingStatus
from oversight import reports
from registry.models import Enrollment, InfoChange, Resident
from reimbursement.models import ReimbursementCase
from tests.conftest import make_case, make_filing, make_id, run_tasks
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 12, 3)  # a Thursday
NOVEMBER = reports.month(2026, 11)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def resident(station, n: int) -> Resident:
    return Resident.objects.create(
        station=station, name=f"居民{n}", id_number=make_id(f"1408301980010{n:04d}")
    )


@pytest.fixture
def county_month(county, station_a, station_b, alice, bob, carol, resident_a):
    """November 2026 at two stations (A: alice, B: bob), and one filing a year before."""
    people = [resident(station_a, n) for n in range(1, 4)]
    # 参保登记: the month's last half hour counts in November; ten minutes into December not.
    for who, when, newborn in (
        (people[0], at(30, 23, 30), False),
        (people[1], at(12), True),
        (people[2], at(1, 0, 10, month=12), False),
    ):
        enrollment = Enrollment.objects.create(
            station=station_a, resident=who, created_by=alice, newborn=newborn
        )
        Enrollment.objects.filter(pk=enrollment.pk).update(created_at=when)
    # 信息变更: a phone unsigned; an address and a household signed; an ID number awaiting.
    for items, status in (
        (["phone"], "draft"),
        (["address", "household"], "completed"),
        (["id_number"], "awaiting_approval"),
    ):
        change = InfoChange.objects.create(
            station=station_a,
            resident=resident_a,
            created_by=alice,
            reason="核对",
            status=status,
            items=[{"field": f, "label": f, "old": "", "new": "x"} for f in items],
        )
        InfoChange.objects.filter(pk=change.pk).update(created_at=at(10))
    # 县域外补偿: at the threshold exactly, a cent under it, a chronic one; complete at once,
    # three days later, still waiting; a voided one counts for nothing.
    for cost, kind, completed, status in (
        ("30000.00", "inpatient", at(5), "complete"),
        ("29999.99", "inpatient", at(8), "complete"),
        ("800.00", "chronic", None, "incomplete"),
        ("50000.00", "inpatient", None, "voided"),
    ):
        case = make_case(resident_a, alice, total_cost=Decimal(cost), kind=kind, status=status)
        if kind == "chronic":
            ReimbursementCase.objects.filter(pk=case.pk).update(chronic_disease="高血压")
        ReimbursementCase.objects.filter(pk=case.pk).update(
            created_at=at(5), completed_at=completed
        )
    # 异地就医备案 at station B.
    filed = [
        # automatic, in force
        dict(status=FilingStatus.APPROVED, review="automatic", sent=at(2), decided=at(2)),
        # manual: 2 working days (Mon 9 → Wed 11), in time
        dict(status=FilingStatus.APPROVED, review="manual", sent=at(9), decided=at(11)),
        # manual: returned after 3 working days (Mon 16 → Thu 19), overdue; then refiled
        dict(status=FilingStatus.REJECTED, review="manual", sent=at(16), decided=at(19)),
        dict(status=FilingStatus.APPROVED, review="automatic", sent=at(20), decided=at(20)),
        # still pending since Monday 23: due Wednesday 25, overdue by 3 December
        dict(status=FilingStatus.PENDING, review="manual", sent=at(23), decided=None),
        # closed in error, and cancelled by the resident; an agent's
        dict(status=FilingStatus.CANCELLED, closed_in_error=True, sent=at(3), decided=at(3)),
        dict(status=FilingStatus.CANCELLED, sent=at(4), decided=at(4), agent_name="薛小军"),
        # 23:30 on the month's last day: November's; December's first hour: not
        dict(status=FilingStatus.APPROVED, sent=at(30, 23, 30), decided=at(30, 23, 30)),
        dict(status=FilingStatus.APPROVED, sent=at(1, 0, 30, month=12), decided=None),
        # a year before
        dict(status=FilingStatus.APPROVED, sent=at(15, year=2025), decided=None),
    ]
    regions = ["310000", "320100", "320500", "440300"]
    for n, values in enumerate(filed):
        sent, decided = values.pop("sent"), values.pop("decided")
        values.setdefault("review", "automatic")
        filing = make_filing(
            resident(station_b, 10 + n), bob, care_region_code=regions[n % 4], **values
        )
        Filing.objects.filter(pk=filing.pk).update(submitted_at=sent, reviewed_at=decided)


EXPECTED = {
    "enrollments": 2,
    "newborns": 1,
    "changes": 3,
    "change_phone": 1,
    "change_address": 1,
    "change_household": 1,
    "change_id_number": 1,
    "changes_signed": 2,
    "changes_unsigned": 1,
    "cases": 3,
    "cases_inpatient": 2,
    "cases_chronic": 1,
    "cases_large": 1,
    "cases_complete_at_once": 1,
    "cases_completed_later": 1,
    "cases_waiting": 1,
    "filings": 8,
    "filings_agent": 1,
    "filings_automatic": 5,
    "filings_manual": 3,
    "filings_approved": 4,
    "filings_pending": 1,
    "filings_returned": 1,
    "filings_cancelled": 1,
    "filings_closed_in_error": 1,
    "filings_overdue": 2,
}


def test_each_figure_at_its_boundaries(county_month, carol):
    report = reports.report(carol, NOVEMBER, TODAY)
    assert report.totals == EXPECTED
    a, b = report.stations  # 古魏镇 (A) and 风陵渡镇 (B), by name
    assert (a["name"], a["enrollments"], a["filings"]) == ("古魏镇医保站", 2, 0)
    assert (b["name"], b["enrollments"], b["filings"]) == ("风陵渡镇医保站", 0, 8)
    assert report.earlier["filings"] == 1 and report.earlier["enrollments"] == 0
    # 0 and 3 days to complete: 1.5; reviews of 2 and 3 working days: 2.5.
    assert report.median_completion_days == Decimal("1.5")
    assert report.median_review_days == Decimal("2.5")
    assert dict(report.provinces) == {"上海市": 2, "江苏省": 4, "广东省": 2}


@pytest.mark.parametrize(
    ("period", "filings"),
    [
        (reports.month(2026, 12), 1),  # 00:30 on 1 December
        (reports.quarter(2026, 4), 9),
        (reports.year(2026), 9),
        (reports.between(datetime.date(2026, 11, 30), datetime.date(2026, 11, 30)), 1),
        (reports.between(datetime.date(2026, 12, 1), datetime.date(2026, 12, 1)), 1),
    ],
)
def test_periods_are_days_of_beijing_time(county_month, carol, period, filings):
    assert reports.report(carol, period, TODAY).totals["filings"] == filings


def test_the_page_the_excel_and_the_pdf_say_the_same(county_month, as_carol):
    url = reverse("reports")
    query = {"kind": "month", "year": "2026", "month": "11"}
    page = as_carol.get(url, query).content.decode()
    assert "2026年11月" in page and "期间内提交的异地就医备案" in page
    assert '<td class="text-end fw-bold">8</td>' in page  # filings, the county's total

    workbook = load_workbook(io.BytesIO(as_carol.get(url, {**query, "format": "xlsx"}).content))
    assert workbook.sheetnames == [
        "参保登记",
        "信息变更",
        "县域外补偿",
        "异地就医备案",
        "就医地",
        "时长",
    ]
    sheet = workbook["异地就医备案"]
    assert [c.value for c in sheet[3]] == [
        "指标",
        "口径",
        "古魏镇医保站",
        "风陵渡镇医保站",
        "合计",
        "去年同期",
    ]
    rows = {row[0].value: [c.value for c in row[2:]] for row in sheet.iter_rows(min_row=4)}
    assert rows["备案申请"] == [0, 8, 8, 1]  # numbers, not text
    assert rows["人工审核超时"] == [0, 2, 2, 0]

    pdf = as_carol.get(url, {**query, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "芮城县医保经办业务统计（2026年11月）" in text and "制表时间" in text
    assert "2.5个工作日" in text
    exports = AuditEntry.objects.filter(action=Action.EXPORT).values_list("detail", flat=True)
    assert set(exports) == {"导出业务统计报表（2026年11月）", "打印业务统计报表（2026年11月）"}


def test_the_line_of_months_counts_each_month_in_beijing_time(county_month, carol):
    months = dict(reports.report(carol, reports.year(2026), TODAY).months)
    assert list(months)[:1] == ["1月"] and len(months) == 12
    assert months["11月"] == {"enrollments": 2, "changes": 3, "cases": 3, "filings": 8}
    assert months["12月"] == {"enrollments": 1, "changes": 0, "cases": 0, "filings": 1}


def test_a_caseworker_sees_her_station_only(county_month, as_bob):
    page = as_bob.get(reverse("reports"), {"kind": "year", "year": "2026"}).content.decode()
    assert "风陵渡镇医保站" in page and "古魏镇医保站" not in page
    assert "各月业务量" in page  # a year's line of months


def test_a_bad_period_is_said_and_kept(as_carol):
    url = reverse("reports")
    page = as_carol.get(
        url, {"kind": "range", "year": "2026", "first": "2026-12-01", "last": "2026-11-01"}
    ).content.decode()
    assert "结束日期不能早于开始日期。" in page and 'value="2026-12-01"' in page
    page = as_carol.get(url, {"kind": "month", "year": "abc"}).content.decode()
    assert "输入整数" in page


# A report larger than REPORT_ROWS_IN_REQUEST is counted by the worker (oversight/tasks.py).
YEAR = {"kind": "year", "year": "2026"}


def test_a_large_report_is_counted_by_the_worker_with_a_progress_line(
    county_month, as_carol, carol, settings
):
    from oversight.models import ReportRun, RunStatus

    settings.REPORT_ROWS_IN_REQUEST = 0
    url = reverse("reports")
    waiting = as_carol.get(url, YEAR).content.decode()
    assert "正在统计2026年" in waiting and "已完成 0/" in waiting and "data-reload-in" in waiting
    assert "期间内提交的异地就医备案" not in waiting
    run = ReportRun.objects.get()
    assert (run.status, run.station, run.first, run.last) == (
        RunStatus.QUEUED,
        None,
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
    )
    as_carol.get(url, YEAR)  # reloaded while it waits: no second run
    assert ReportRun.objects.count() == 1

    assert run_tasks() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.step == run.steps == reports.STEPS
    page = as_carol.get(url, YEAR).content.decode()
    assert "本报表由后台统计" in page and "正在统计" not in page
    counted_here = reports.report(carol, reports.year(2026), timezone.localdate())
    kept = reports.Report.from_json(run.result)
    assert kept == counted_here
    assert f'<td class="text-end fw-bold">{counted_here.totals["filings"]}</td>' in page

    workbook = load_workbook(io.BytesIO(as_carol.get(url, {**YEAR, "format": "xlsx"}).content))
    rows = {r[0].value: [c.value for c in r[2:]] for r in workbook["异地就医备案"].iter_rows(4)}
    assert rows["备案申请"][2] == counted_here.totals["filings"]
    assert ReportRun.objects.count() == 1  # the export read the kept report

    # 重新统计: a new run, and the address without it (a reload counts nothing again).
    again = as_carol.get(url, {**YEAR, "again": "1"})
    assert again.status_code == 302 and "again" not in again["Location"]
    assert ReportRun.objects.filter(status=RunStatus.QUEUED).count() == 1


def test_a_kept_report_is_shown_for_ten_minutes_and_to_its_reach_only(
    county_month, as_carol, as_bob, settings
):
    from oversight.models import ReportRun

    settings.REPORT_ROWS_IN_REQUEST = 0
    url = reverse("reports")
    as_carol.get(url, YEAR)
    run_tasks()
    # A caseworker's reach is her station: the county's report is not hers.
    page = as_bob.get(url, YEAR).content.decode()
    assert "正在统计" in page and ReportRun.objects.count() == 2
    run_tasks()
    page = as_bob.get(url, YEAR).content.decode()
    assert "风陵渡镇医保站" in page and "古魏镇医保站" not in page
    # Ten minutes after it was made, the county's report is counted again.
    county_run = ReportRun.objects.get(station=None)
    ReportRun.objects.filter(pk=county_run.pk).update(
        finished_at=county_run.finished_at - datetime.timedelta(minutes=10, seconds=1)
    )
    assert "正在统计" in as_carol.get(url, YEAR).content.decode()
    assert ReportRun.objects.count() == 3
    # A week on, a new report clears the county's older ones.
    ReportRun.objects.exclude(status="queued").update(
        requested_at=timezone.now() - datetime.timedelta(days=7, seconds=1)
    )
    as_carol.get(url, {"kind": "year", "year": "2025"})
    assert sorted(ReportRun.objects.values_list("name", "status")) == [
        ("2025年", "queued"),
        ("2026年", "queued"),
    ]


def test_a_report_the_worker_could_not_make_is_said_with_a_way_to_count_again(
    county_month, as_carol, settings, monkeypatch
):
    from oversight.models import ReportRun, RunStatus

    settings.REPORT_ROWS_IN_REQUEST = 0

    def broken(*args, **kwargs):
        raise RuntimeError("数据库断开")

    monkeypatch.setattr(reports, "report", broken)
    as_carol.get(reverse("reports"), YEAR)
    run_tasks()
    assert ReportRun.objects.get().status == RunStatus.FAILED
    page = as_carol.get(reverse("reports"), YEAR).content.decode()
    assert "2026年的统计未能完成" in page and "again=1" in page


def test_how_many_rows_a_report_reads_decides_where_it_is_counted(county_month, carol, bob):
    """The reach's residents, cases and filings (the tallies), as a share of a year."""
    from filing.models import FilingTally
    from registry.models import ResidentTally
    from reimbursement.models import CaseTally

    county = sum(t.total_for(carol) for t in (ResidentTally, CaseTally, FilingTally))
    assert county > 0
    assert reports.rows_to_count(carol, reports.year(2026)) == county
    assert reports.rows_to_count(carol, reports.month(2026, 11)) == county * 30 // 365
    station = sum(t.total_for(bob) for t in (ResidentTally, CaseTally, FilingTally))
    assert reports.rows_to_count(bob, reports.year(2026)) == station < county
