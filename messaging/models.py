"""Texts to residents (短信通知), kept as rows: what was said to whom, when, and whether it
arrived. A row is written in the transaction of the decision it tells of, and sent afterwards by
the worker (messaging.tasks) through the backend the settings name (SMS_BACKEND)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Station, StationScopedQuerySet
from messaging.texts import Purpose

# 退避重试: a gateway that refuses a text is asked again after each of these waits; after the
# last, the text goes to the station's 待电话通知 list for a caseworker to call instead.
RETRY_AFTER = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
# A text queued this long ago and still not sent lost its task (a worker died, Redis restarted):
# the worker's sweep queues it again.
LOST_AFTER = datetime.timedelta(minutes=10)


class TextStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    TO_CALL = "to_call", "待电话通知"
    CALLED = "called", "已电话通知"


class TextMessage(models.Model):
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="+", verbose_name="医保站"
    )
    purpose = models.CharField("事由", max_length=30, choices=Purpose)
    name = models.CharField("参保人", max_length=30)
    phone = models.CharField("接收电话", max_length=20)
    body = models.TextField("短信内容")
    # The record the text tells of (its audit entries' record_type and record_id) and its page.
    record_type = models.CharField(max_length=60)
    record_id = models.CharField(max_length=40)
    link = models.CharField(max_length=200)
    status = models.CharField("状态", max_length=10, choices=TextStatus, default=TextStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间", null=True, blank=True)
    last_error = models.CharField("未送达原因", max_length=200, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="电话通知人",
    )
    called_at = models.DateTimeField("电话通知时间", null=True, blank=True)
    history = HistoricalRecords()

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "短信通知"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The station's 待电话通知 list reads only what is still to call.
            models.Index(
                fields=["station", "created_at"],
                name="text_to_call",
                condition=Q(status="to_call"),
            ),
            # The sweep reads only what waits to be sent.
            models.Index(
                fields=["next_attempt_at"], name="text_queued", condition=Q(status="queued")
            ),
            models.Index(fields=["record_type", "record_id"], name="text_record"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}：{self.name}"
