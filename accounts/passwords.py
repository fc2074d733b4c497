"""Password rules for staff accounts (等保 2.0 level 2/3: length and complexity)."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError


class MinimumLengthValidator:
    """At least 12 characters. Django's own message has no Chinese translation for this form."""

    def __init__(self, min_length: int = 12) -> None:
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码太短，至少需要 {self.min_length} 个字符。", code="password_too_short"
            )

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class CharacterClassesValidator:
    """At least 3 of the 4 kinds: upper-case, lower-case, digits, symbols."""

    CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits)

    def validate(self, password: str, user=None) -> None:
        kinds = sum(any(c in chars for c in password) for chars in self.CLASSES)
        kinds += any(not c.isascii() or c in string.punctuation for c in password)
        if kinds < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"
