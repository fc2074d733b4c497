"""Days of the official calendar entered by an administrator."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """A day of the official calendar entered by an administrator: a holiday on a weekday,
    or a 调休 working day on a weekend. Overrides the installed calendar package."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=30, blank=True, help_text="如：春节、国庆节调休上班")
    # The tables keep the names they had when the model lived in filing/.
    history = HistoricalRecords(table_name="filing_historicalcalendarday")

    class Meta:
        db_table = "filing_calendarday"
        verbose_name = "节假日安排"
        verbose_name_plural = verbose_name
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_working_day else '放假'} {self.note}"


class PublishedYear(models.Model):
    """A year whose holidays and 调休 days an administrator has entered in full, once the State
    Council published them. Until then the year counts plain weekdays and every deadline in it
    says so: one entered day does not make a year known."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "已公布的年度节假日安排"
        verbose_name_plural = verbose_name
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年节假日安排"
