"""A stored choice in words, for rows read as values (a list's rows)."""

from __future__ import annotations

import functools

from django.db import models


def label(choices: type[models.Choices], value: str) -> str:
    """What the model's get_FOO_display() shows: the choice's words, or the stored value itself
    for a choice no longer offered, so that a list never fails on an old row."""
    return _words(choices).get(value, value)


@functools.cache
def _words(choices: type[models.Choices]) -> dict:
    # Choices.choices builds its list anew on each read, a few µs per listed row.
    return {value: str(words) for value, words in choices.choices}
