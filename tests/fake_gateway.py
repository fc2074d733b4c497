"""A county SMS gateway as the tests see it (settings.SMS_BACKEND): it keeps what it was given
instead of sending it, and refuses when told to, as a gateway that is down would."""

from __future__ import annotations

from sms.backends.base import BaseSmsBackend
from sms.message import Message

sent: list[Message] = []
# How many sends to refuse from now on (a gateway down for a while).
refusals = {"left": 0}


class FakeGateway(BaseSmsBackend):
    def send_messages(self, messages: list[Message]) -> int:
        if refusals["left"]:
            refusals["left"] -= 1
            raise ConnectionError("网关无响应 13835901234")
        sent.extend(messages)
        return len(messages)


def reset() -> None:
    sent.clear()
    refusals["left"] = 0
