import pytest

from core import regions


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("110000", "北京市"),
        ("120000", "天津市"),
        ("310000", "上海市"),
        ("500000", "重庆市"),
        ("460000", "海南省"),
        ("540000", "西藏自治区"),
        ("660000", "新疆生产建设兵团"),
    ],
)
def test_the_seven_places_are_filed_to_the_province_level(code, name):
    # DOMAIN.md §2.1 [000][001]
    assert regions.is_valid_care_region(code)
    assert regions.region_name(code) == name


@pytest.mark.parametrize("city", ["460100", "540100"])  # 海口市, 拉萨市
def test_cities_of_province_level_places_are_not_care_regions(city):
    assert not regions.is_valid_care_region(city)


def test_elsewhere_care_is_filed_to_the_prefecture_level_city():
    assert regions.is_valid_care_region("140800")
    assert regions.region_name("140800") == "山西省运城市"
    assert regions.region_name("140900") == "山西省忻州市"
    assert regions.region_name("321200") == "江苏省泰州市"
    assert not regions.is_valid_care_region("140000")  # a whole province is too broad
    assert not regions.is_valid_care_region("140830")  # a county is too narrow


def test_the_bingtuan_cities_belong_to_the_bingtuan_not_to_xinjiang():
    assert not regions.is_valid_care_region("659001")  # 石河子市
    assert regions.is_valid_care_region("650100")  # 乌鲁木齐市


def test_every_province_has_a_care_region_and_codes_are_six_digits():
    codes = regions.care_region_codes()
    assert len(codes) > 300
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    provinces_with_a_region = {regions.province_of(code) for code in codes}
    assert {"140000", "320000", "650000", "660000"} <= provinces_with_a_region


def test_id_number_prefixes_are_the_province_codes():
    prefixes = regions.id_number_prefixes()
    assert {"11", "14", "32", "65", "71", "81", "82"} <= prefixes
    assert "66" not in prefixes and "99" not in prefixes


def test_the_filing_form_states_the_province_level_rule_from_the_one_list():
    assert regions.care_region_rule() == (
        "北京、天津、上海、重庆、海南、西藏、新疆生产建设兵团备案到省级，其他地方备案到地级市。"
    )


def test_the_places_file_is_that_of_the_regions():
    """static/data/places.json is written by `python -m core.region_keys`; a change of the
    regions (or of how keys are made) without writing it again fails here."""
    import json

    from core import region_keys

    assert json.loads(json.dumps(region_keys.places())) == region_keys.written()
    assert ["140800", "山西省运城市"] in dict(region_keys.written()["groups"])["山西省"]
    assert region_keys.keys()["140800"][:2] == ["yc", "yuncheng"]  # 运城
    assert "cz" in region_keys.keys()["140400"]  # 长治: chang, not only zhang
