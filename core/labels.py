"""A stored choice in words, for rows read as values (a list's rows)."""

from __future__ import annotations

from django.db import models


def label(choices: type[models.Choices], value: str) -> str:
    """What the model's get_FOO_display() shows: the choice's words, or the stored value itself
    for a choice no longer offered, so that a list never fails on an old row."""
    return dict(choices.choices).get(value, value)
