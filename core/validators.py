"""Validators of free text and phone numbers typed at the counter or read from a sheet."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core import id_numbers

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def text_problem(value: str) -> str:
    """Why a typed text cannot be kept, or "": control characters (C0 and C1), and format
    characters (Unicode Cf: bidi overrides such as U+202E, zero-width spaces), which no name
    or address contains and which make one text display as another in lists, exports and
    the trail."""
    if CONTROL_CHARS.search(value):
        return "内容包含不可见的控制字符，请重新输入。"
    if any(unicodedata.category(char) == "Cf" for char in value):
        return "内容包含不可见的格式字符（如文字方向控制符），请重新输入。"
    return ""


def clean_text(value: str) -> str:
    """Trim and refuse invisible characters (text_problem)."""
    value = (value or "").strip()
    if problem := text_problem(value):
        raise ValidationError(problem)
    return value


def clean_phone(value: str) -> str:
    value = id_numbers.normalize(value).replace("-", "") if value else ""
    if value and not PHONE.match(value):
        raise ValidationError("请输入 11 位手机号码或带区号的固定电话。")
    return value


# Dates a form accepts: a date far outside them is a typing slip or a crafted request, and
# its arithmetic (a validity period, a day after) would overflow Python's dates.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)


def plausible_date(value: datetime.date | None) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError("日期应在 1900 年至 2099 年之间，请核对。")


def check_dates(form: Any) -> None:
    """Give every date field of a form the plausible-date check."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.validators.append(plausible_date)
