"""Form widgets shared by every form of the portal."""

from collections.abc import Iterable
from typing import Any

from django import forms

# The browser's date picker; the value in ISO form, which every browser reads.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def set_choices(form: forms.BaseForm, name: str, choices: Iterable[Any]) -> None:
    """Give a form's choice field its choices (read when the form is made, e.g. from a
    county's data)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices
