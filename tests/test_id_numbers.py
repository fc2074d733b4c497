import datetime

import pytest
from django.core.exceptions import ValidationError

from core import id_numbers
from tests.conftest import ZHANG_JUAN_ID, make_id

TODAY = datetime.date(2026, 11, 22)


def message_of(value: str, today: datetime.date = TODAY) -> str:
    with pytest.raises(ValidationError) as raised:
        id_numbers.validate(value, today=today)
    return raised.value.messages[0]


def test_it_accepts_the_seeds_own_example():
    # 张娟, 321282199504040041, 女 — the commitment letter in seed 002.
    assert id_numbers.validate(ZHANG_JUAN_ID, today=TODAY) == ZHANG_JUAN_ID
    assert id_numbers.sex(ZHANG_JUAN_ID) == "female"
    assert id_numbers.birth_date(ZHANG_JUAN_ID) == datetime.date(1995, 4, 4)
    assert id_numbers.age(ZHANG_JUAN_ID, TODAY) == 31


def test_it_accepts_x_as_check_character_in_either_case():
    number = "11010519491231002X"  # the GB 11643 standard's own example
    assert id_numbers.validate(number, today=TODAY) == number
    assert id_numbers.validate(number.lower(), today=TODAY) == number


def test_it_normalises_full_width_digits_and_spaces():
    full_width = "３２１２８２ １９９５０４０４００４１"
    assert id_numbers.validate(full_width, today=TODAY) == ZHANG_JUAN_ID


def test_it_rejects_a_wrong_length_and_says_how_long_it_was():
    assert message_of("32128219950404004") == "身份证号码应为 18 位，当前为 17 位。"
    assert "19 位" in message_of(ZHANG_JUAN_ID + "1")


def test_it_rejects_letters_among_the_first_17():
    assert message_of("3212821995O4040041") == id_numbers.MESSAGES["format"]
    assert message_of("32128219950404004Y") == id_numbers.MESSAGES["format"]


def test_it_rejects_an_unknown_province_prefix():
    number = make_id("99128219950404004")
    assert message_of(number) == "身份证号码前两位 99 不是有效的省级行政区划代码。"


def test_it_rejects_an_impossible_birth_date():
    assert message_of(make_id("32128219950230004")) == (
        "身份证号码中的出生日期 19950230 不是有效日期。"
    )
    # 2023 was not a leap year; 2024 was.
    assert "20230229" in message_of(make_id("14083020230229002"))
    assert id_numbers.validate(make_id("14083020240229002"), today=TODAY)


def test_it_rejects_a_birth_date_after_today_and_accepts_today():
    born_today = make_id("14083020261122002")
    assert id_numbers.validate(born_today, today=TODAY) == born_today  # a newborn, born today
    born_yesterday = make_id("14083020261121002")
    assert id_numbers.validate(born_yesterday, today=TODAY) == born_yesterday
    born_tomorrow = make_id("14083020261123002")
    assert message_of(born_tomorrow) == "身份证号码中的出生日期 2026-11-23 晚于今天。"


def test_it_rejects_a_wrong_check_character_and_names_the_right_one():
    assert message_of("321282199504040042") == (
        "身份证号码校验位错误：最后一位应为 1，请核对是否录入有误。"
    )


def test_sex_follows_the_parity_of_the_17th_digit():
    assert id_numbers.sex(make_id("14083019580312003")) == "male"
    assert id_numbers.sex(make_id("14083019580312002")) == "female"


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        ("19580312", datetime.date(2026, 3, 11), 67),  # the day before the birthday
        ("19580312", datetime.date(2026, 3, 12), 68),  # the birthday
        ("19580312", datetime.date(2026, 3, 13), 68),  # the day after
    ],
)
def test_age_turns_on_the_birthday(born, on, age):
    assert id_numbers.age(make_id(f"140830{born}003"), on) == age


def test_masking_keeps_the_region_and_the_last_four():
    assert id_numbers.mask("14090219900101123X") == "140902********123X"
    assert id_numbers.mask_phone("13812345678") == "138****5678"
    assert id_numbers.mask_phone("") == ""
