"""The 18-character citizen ID number (居民身份证号码, GB 11643-1999).

Layout: 6-digit region code, 8-digit birth date (YYYYMMDD), 3-digit sequence (odd for men,
even for women), 1 check character computed with ISO 7064 MOD 11-2 (0-9 or X).
"""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError

from core import regions

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

MESSAGES = {
    "length": "身份证号码应为 18 位，当前为 %(length)d 位。",
    "format": "身份证号码前 17 位应为数字，最后一位为数字或 X。",
    "region": "身份证号码前两位 %(prefix)s 不是有效的省级行政区划代码。",
    "birth_date": "身份证号码中的出生日期 %(digits)s 不是有效日期。",
    "future": "身份证号码中的出生日期 %(date)s 晚于今天。",
    "too_old": "身份证号码中的出生日期 %(date)s 早于 1900 年，请核对。",
    "checksum": "身份证号码校验位错误：最后一位应为 %(expected)s，请核对是否录入有误。",
}


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize(value: str) -> str:
    """Full-width digits and letters (from some input methods) become ASCII; spaces and
    control characters go; a lowercase x becomes X."""
    value = unicodedata.normalize("NFKC", value or "")
    return "".join(c for c in value if not c.isspace() and unicodedata.category(c) != "Cc").upper()


def validate(value: str, today: datetime.date | None = None) -> str:
    """Return the normalised ID number, or raise ValidationError with the specific reason."""
    number = normalize(value)
    if len(number) != 18:
        raise ValidationError(MESSAGES["length"], code="length", params={"length": len(number)})
    if not (number[:17].isdigit() and number[:17].isascii() and (number[17] in "0123456789X")):
        raise ValidationError(MESSAGES["format"], code="format")
    if number[:2] not in regions.id_number_prefixes():
        raise ValidationError(MESSAGES["region"], code="region", params={"prefix": number[:2]})
    birth = birth_date(number)
    if birth is None:
        raise ValidationError(
            MESSAGES["birth_date"], code="birth_date", params={"digits": number[6:14]}
        )
    if birth > (today or datetime.date.today()):
        raise ValidationError(MESSAGES["future"], code="future", params={"date": birth})
    if birth.year < 1900:
        raise ValidationError(MESSAGES["too_old"], code="too_old", params={"date": birth})
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(MESSAGES["checksum"], code="checksum", params={"expected": expected})
    return number


def birth_date(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def sex(number: str) -> str:
    """'male' or 'female', from the parity of the 17th digit."""
    return "male" if int(number[16]) % 2 else "female"


def age(number: str, on: datetime.date) -> int:
    born = birth_date(number)
    if born is None:
        raise ValueError(f"not an ID number with a birth date: {mask(number)}")
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def mask(number: str) -> str:
    """140902199001011234 -> 140902********1234: region kept, birth date and sequence hidden."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[14:]


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    if len(phone) < 7:
        return phone[:1] + "*" * (len(phone) - 1) if phone else ""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def make(first17: str) -> str:
    """Complete 17 digits with their check character (demo data and tests)."""
    return first17 + check_character(first17)
