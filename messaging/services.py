"""Queueing a text, sending it with retries, and recording that a caseworker called instead.

A text is written in the transaction of the decision it tells of (both commit, or neither) and
sent by the worker afterwards: a gateway that is slow or down never holds up the supervisor's
review. Every change of a text is in the audit trail (its history), the number masked there.
"""

from __future__ import annotations

import datetime
import logging
import re

import sms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Station, User
from core import logs, tasks
from messaging.models import LOST_AFTER, RETRY_AFTER, TextMessage, TextStatus
from messaging.texts import worded

logger = logging.getLogger(__name__)

# A text reaches a mobile number only; a landline is called instead.
MOBILE = re.compile(r"^1[3-9]\d{9}$")
NO_GATEWAY = "本县未接入短信平台，请电话告知参保人。"
LANDLINE = "联系电话不是手机号码，请电话告知参保人。"


def queue_text(
    *,
    station: Station,
    about: models.Model,
    link: str,
    name: str,
    phone: str,
    purpose: str,
    **values: str,
) -> TextMessage:
    """A text about `about` to `phone`, worded from messaging.texts, queued for the worker."""
    message = TextMessage(
        station=station,
        purpose=purpose,
        name=name,
        phone=phone,
        body=worded(purpose, name=name, **values),
        record_type=about._meta.label_lower,
        record_id=str(about.pk),
        link=link,
        next_attempt_at=timezone.now(),
    )
    if not MOBILE.match(phone):
        message.status, message.last_error = TextStatus.TO_CALL, LANDLINE
    message.save()
    if message.status == TextStatus.QUEUED:
        from messaging.tasks import send_text  # the task module imports this one

        tasks.enqueue(send_text, message.pk)
    return message


@transaction.atomic
def send(message_id: int, now: datetime.datetime | None = None) -> TextMessage | None:
    """One attempt at a queued text that is due; None if there is none (sent already, or its
    next attempt not yet due: a task queued twice sends once). The row stays locked while the
    gateway answers, so that two workers never send the same text."""
    now = now or timezone.now()
    message = (
        TextMessage.objects.select_for_update()
        .filter(pk=message_id, status=TextStatus.QUEUED, next_attempt_at__lte=now)
        .first()
    )
    if message is None:
        return None
    connection = sms.get_connection()
    if getattr(connection, "calls_instead", False):
        message.status, message.last_error = TextStatus.TO_CALL, NO_GATEWAY
        message.save()
        return message
    message.attempts += 1
    try:
        delivered = connection.send_messages([sms.Message(message.body, None, [message.phone])])
        if not delivered:
            raise RuntimeError("短信平台未接收")
    except Exception as error:
        # The gateway's words may quote the number: masked, as every log line is.
        reason = logs.masked(str(error))[:100] or type(error).__name__
        logger.warning("text %s not sent (attempt %s): %s", message.pk, message.attempts, reason)
        if message.attempts > len(RETRY_AFTER):
            message.status = TextStatus.TO_CALL
            message.last_error = (
                f"短信发送{message.attempts}次均未成功（{reason}），请电话告知参保人。"
            )
        else:
            message.next_attempt_at = now + RETRY_AFTER[message.attempts - 1]
            message.last_error = f"第{message.attempts}次发送未成功：{reason}"
    else:
        message.status, message.sent_at, message.last_error = TextStatus.SENT, now, ""
    message.save()
    return message


def queue_due(now: datetime.datetime | None = None) -> int:
    """The worker's sweep: queue again each text whose retry is due, and each first attempt
    whose task was lost (still waiting LOST_AFTER after it was queued)."""
    now = now or timezone.now()
    from messaging.tasks import send_text  # the task module imports this one

    due = TextMessage.objects.filter(status=TextStatus.QUEUED, next_attempt_at__lte=now).filter(
        Q(attempts__gt=0) | Q(next_attempt_at__lte=now - LOST_AFTER)
    )
    ids = list(due.values_list("pk", flat=True)[:500])
    for message_id in ids:
        tasks.enqueue(send_text, message_id)
    return len(ids)


@transaction.atomic
def record_call(message: TextMessage, user: User) -> TextMessage:
    """已电话通知: the caseworker told the resident by phone what the text would have said."""
    message = TextMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != TextStatus.TO_CALL:
        raise ValidationError("这条通知不在待电话通知之列。")
    if not user.is_caseworker or user.station_id != message.station_id:
        raise ValidationError("只有本站经办员可以登记电话通知。")
    message.status, message.called_by, message.called_at = TextStatus.CALLED, user, timezone.now()
    message.save()
    return message
