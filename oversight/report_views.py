"""报表: the report page, its Excel and its PDF (oversight/reports.py computes the figures)."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts.access import STAFF, StaffRequest, role_required
from accounts.models import User
from audit.exports import exported_workbook, spreadsheet_cell
from audit.log import append
from audit.models import Action
from core import tasks
from core.widgets import DATE_INPUT
from oversight import reports
from oversight.models import ReportRun, RunStatus
from oversight.tasks import make_report
from printing.pdf import pdf_response, render_pdf

KINDS = [("month", "按月"), ("quarter", "按季度"), ("year", "按年"), ("range", "起止日期")]
# The longest period two dates may span: a year's report and a little more.
LONGEST_DAYS = 400


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label="统计期间", choices=KINDS)
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2099)
    month = forms.TypedChoiceField(
        label="月份", coerce=int, choices=[(n, f"{n}月") for n in range(1, 13)], required=False
    )
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, choices=[(n, f"第{n}季度") for n in range(1, 5)], required=False
    )
    first = forms.DateField(label="开始日期", widget=DATE_INPUT, required=False)
    last = forms.DateField(label="结束日期", widget=DATE_INPUT, required=False)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == "range":
            first, last = data.get("first"), data.get("last")
            if not first or not last:
                raise forms.ValidationError("请填写开始日期和结束日期。")
            if last < first:
                raise forms.ValidationError("结束日期不能早于开始日期。")
            if (last - first).days > LONGEST_DAYS:
                raise forms.ValidationError(f"起止日期最长 {LONGEST_DAYS} 天；更长的请按年统计。")
        elif kind == "month" and not data.get("month"):
            self.add_error("month", "请选择月份。")
        elif kind == "quarter" and not data.get("quarter"):
            self.add_error("quarter", "请选择季度。")
        return data

    def period(self) -> reports.Period:
        data = self.cleaned_data
        if data["kind"] == "month":
            return reports.month(data["year"], data["month"])
        if data["kind"] == "quarter":
            return reports.quarter(data["year"], data["quarter"])
        if data["kind"] == "year":
            return reports.year(data["year"])
        return reports.between(data["first"], data["last"])


def _initial(today: datetime.date) -> dict:
    """This month, by default."""
    return {"kind": "month", "year": today.year, "month": today.month, "quarter": 1}


@role_required(*STAFF)
def report_page(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ReportForm(request.GET if "kind" in request.GET else _initial(today))
    if not form.is_valid():
        return render(request, "oversight/reports.html", {"form": form, "report": None})
    period = form.period()
    made_at = timezone.localtime()
    run = None
    if reports.rows_to_count(request.user, period) <= settings.REPORT_ROWS_IN_REQUEST:
        report = reports.report(request.user, period, today)
    else:
        run = _run(request, period)
        if "again" in request.GET:  # counted again: the address without it, to reload safely
            return redirect(f"{reverse('reports')}?{_again(request)}")
        if run.status != RunStatus.DONE:
            return render(
                request,
                "oversight/reports.html",
                {"form": form, "report": None, "run": run, "again": _again(request)},
            )
        report = reports.Report.from_json(run.result or {})
        made_at = timezone.localtime(run.finished_at)
    context = {
        "form": form,
        "report": report,
        "run": run,
        "again": _again(request),
        "rows": report.rows(),
        "sections": reports.SECTIONS,
        "county": request.user.own_county,
        "made_at": made_at,
        "query": _again(request) or "&".join(f"{k}={v}" for k, v in _initial(today).items()),
    }
    what = request.GET.get("format")
    if what == "xlsx":
        return _excel(request, report, context)
    if what == "pdf":
        return _pdf(request, report, context)
    return render(request, "oversight/reports.html", context)


# A report counted by the worker is shown to its reach for this long; 重新统计 counts again.
KEPT = datetime.timedelta(minutes=10)
# A run still queued or running this long after it was asked for lost its worker.
ABANDONED = datetime.timedelta(minutes=30)
FORGOTTEN = datetime.timedelta(days=7)


def _run(request: StaffRequest, period: reports.Period) -> ReportRun:
    """The worker's report of this period for the user's reach: the one under way or made
    within KEPT (unless 重新统计 asked for a new one), or a new one queued."""
    user = request.user
    now = timezone.now()
    runs = ReportRun.objects.filter(
        county=user.own_county,
        station=user.station_id if user.is_caseworker else None,
        first=period.first,
        last=period.last,
    ).order_by("-requested_at")
    under_way = runs.filter(
        status__in=(RunStatus.QUEUED, RunStatus.RUNNING), requested_at__gte=now - ABANDONED
    ).first()
    if under_way is not None:
        return under_way
    if "again" not in request.GET:
        made = runs.filter(
            status__in=(RunStatus.DONE, RunStatus.FAILED), finished_at__gte=now - KEPT
        ).first()
        if made is not None:
            return made
    # Kept reports are a week's at most: each new one clears the county's older ones.
    ReportRun.objects.filter(county=user.own_county, requested_at__lt=now - FORGOTTEN).delete()
    run = ReportRun.objects.create(
        county=user.own_county,
        station=user.station if user.is_caseworker else None,
        requested_by=user,
        first=period.first,
        last=period.last,
        name=period.name,
    )
    tasks.enqueue(make_report, run.pk)
    return run


def _again(request: StaffRequest) -> str:
    """The page's address without 重新统计 or an export: where the progress line reloads."""
    query = request.GET.copy()
    for name in ("again", "format"):
        query.pop(name, None)
    return query.urlencode()


def _title(user: User, report: reports.Report) -> str:
    scope = user.own_county.name
    if user.is_caseworker and user.station is not None:
        scope += user.station.name
    return f"{scope}医保经办业务统计（{report.period.name}）"


def _excel(request: StaffRequest, report: reports.Report, context: dict) -> HttpResponse:
    """One sheet per section, the counts as numbers, every text formula-safe."""
    title = _title(request.user, report)
    workbook = Workbook()
    workbook.remove(workbook.active)
    names = [spreadsheet_cell(station["name"]) for station in report.stations]
    for section in reports.SECTIONS:
        sheet = workbook.create_sheet(section)
        sheet.append([spreadsheet_cell(title)])
        sheet.append([f"制表时间：{context['made_at']:%Y-%m-%d %H:%M}"])
        sheet.append(["指标", "口径", *names, "合计", "去年同期"])
        for row in report.rows():
            if row["figure"].section != section:
                continue
            figure = row["figure"]
            sheet.append(
                [figure.label, figure.definition, *row["counts"], row["total"], row["earlier"]]
            )
    sheet = workbook.create_sheet("就医地")
    sheet.append(["就医地（省）", "备案数"])
    for province, count in report.provinces:
        sheet.append([spreadsheet_cell(province), count])
    sheet = workbook.create_sheet("时长")
    sheet.append(["指标", "中位数"])
    sheet.append(["补偿材料补齐（天）", _number(report.median_completion_days)])
    sheet.append(["备案人工审核（工作日）", _number(report.median_review_days)])
    return exported_workbook(
        request, workbook, "业务统计", f"导出业务统计报表（{report.period.name}）"
    )


def _number(value):
    return float(value) if value is not None else "—"


def _pdf(request: StaffRequest, report: reports.Report, context: dict) -> HttpResponse:
    title = _title(request.user, report)
    pdf = render_pdf("oversight/print/report.html", {**context, "title": title})
    append(
        action=Action.EXPORT,
        user=request.user,
        request=request,
        detail=f"打印业务统计报表（{report.period.name}）",
    )
    return pdf_response(pdf, f"{title}.pdf")
