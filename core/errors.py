"""The one exception of a refused workflow."""

from __future__ import annotations


class Refused(Exception):
    """A rule refused the request; the message is for the caseworker, in Chinese. Services
    raise it; views show it beside the form or as a message, and nothing is saved.

    `fields` holds the problems by form field (a rule checked on several fields at once), so a
    form shows each beside its field; the message is then all of them together."""

    def __init__(self, message: str = "", *, fields: dict[str, str] | None = None) -> None:
        self.fields = fields or {}
        super().__init__(message or "；".join(self.fields.values()))
