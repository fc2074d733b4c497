"""Reports made by the worker: a county's year at a million residents takes longer than a
page may (issue 30), so such a report is counted by the worker (oversight/tasks.py) while the
page shows how far it has come, and then shown from what it kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "正在统计"
    DONE = "done", "已完成"
    FAILED = "failed", "统计未能完成"


class ReportRun(models.Model):
    """One report of a period for a reach: the county's stations (a supervisor's or an
    auditor's) or one station (a caseworker's). Whoever of that reach asks for the same
    period while it runs, or soon after, is shown this one (oversight/report_views.py)."""

    county = models.ForeignKey(
        "accounts.County", on_delete=models.PROTECT, related_name="+", verbose_name="县（区）"
    )
    station = models.ForeignKey(
        "accounts.Station",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="医保站",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )
    first = models.DateField("开始日期")
    last = models.DateField("结束日期")
    name = models.CharField("统计期间", max_length=40)
    requested_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=RunStatus, default=RunStatus.QUEUED)
    step = models.PositiveSmallIntegerField("已完成步骤", default=0)
    steps = models.PositiveSmallIntegerField("步骤数", default=0)
    # The report (oversight.reports.Report.as_json) once made.
    result = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = "统计报表"
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["county", "first", "last", "-requested_at"], name="report_run"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)
