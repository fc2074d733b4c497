"""The backend a county without an SMS gateway uses (the default, settings.SMS_BACKEND).

Backends are django-sms's: any of its backends, or a county gateway's written on its
`BaseSmsBackend`, is chosen by SMS_BACKEND alone; this code never names one.
"""

from __future__ import annotations

from sms.backends.base import BaseSmsBackend
from sms.message import Message


class OutboxBackend(BaseSmsBackend):
    """No gateway: nothing leaves the portal. Each text stays in its station's 待电话通知 list
    (messaging/outbox.html) with the number to call and the words to say."""

    # messaging.services reads this: the text is for a caseworker to telephone, not sent.
    calls_instead = True

    def send_messages(self, messages: list[Message]) -> int:
        return 0
