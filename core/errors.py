"""A refusal of a workflow is Django's own ValidationError: a message, or messages by field
(a dict), raised by the service that owns the rule. A view places it with `place_on`, or
says it with `in_words`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def place_on(form: Any, refusal: ValidationError) -> None:
    """Each message beside its field; a message of no field of this form above the form."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal)
        return
    for field, messages in refusal.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def in_words(refusal: ValidationError) -> str:
    """The refusal as one message (a page's message bar)."""
    return "；".join(refusal.messages)
