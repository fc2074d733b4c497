"""Validators of free text and phone numbers typed at the counter or read from a sheet."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from core import id_numbers

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Trim and refuse control characters, which no name or address contains."""
    value = (value or "").strip()
    if CONTROL_CHARS.search(value):
        raise ValidationError("内容包含不可见的控制字符，请重新输入。")
    return value


def clean_phone(value: str) -> str:
    value = id_numbers.normalize(value).replace("-", "") if value else ""
    if value and not PHONE.match(value):
        raise ValidationError("请输入 11 位手机号码或带区号的固定电话。")
    return value
