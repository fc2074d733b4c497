"""What a caseworker may type to find a 就医地: pinyin initials (yc, sxyc) or full pinyin
(yuncheng) of the city and of its province, beside the characters themselves.

The keys are computed once, here, with pypinyin (a development dependency: its dictionaries
take about 60 MB, too much to load in every web worker for one picker) and kept with the places
themselves in `static/data/places.json`, a static file the browser fetches once and keeps (its
name carries its hash in production): the filing form does not send ~700 options and their
keys with every page. `python -m core.region_keys` writes the file again; tests/test_regions.py
fails when it is out of date with the regions of `core.regions`.
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from pathlib import Path

from core import regions

PATH = Path(__file__).resolve().parent.parent / "static" / "data" / "places.json"
# Its address for `static()`.
STATIC_NAME = "data/places.json"

# Suffixes people leave out when they say a place's name: 山西 for 山西省, 运城 for 运城市.
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
    "市",
    "地区",
    "盟",
)
# A name with characters of several readings (长治: zhang/chang) gets every reading's
# initials, up to this many spellings.
_MOST_SPELLINGS = 16


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name


def _spellings(name: str) -> list[tuple[str, str]]:
    """(initials, full pinyin) pairs of a short name, every reading of its characters."""
    from pypinyin import Style, lazy_pinyin, pinyin

    full = "".join(lazy_pinyin(name)).replace("ü", "v")
    letters = pinyin(name, style=Style.FIRST_LETTER, heteronym=True)
    initials = [
        "".join(combo) for combo in itertools.islice(itertools.product(*letters), _MOST_SPELLINGS)
    ]
    return [(initial, full) for initial in dict.fromkeys(initials)]


def build() -> dict[str, list[str]]:
    """Each care region's keys: pinyin (initials and full) of its own name, then of its
    province with it; for a region filed at province level (§2.1), also the names of the
    cities in it and their pinyin, so that 海口 or hk leads to 海南省 and 石河子 to the 兵团."""
    result: dict[str, list[str]] = {}
    for _, options in regions.care_region_choices():
        for code in (code for code, _ in options):
            keys: list[str] = []
            province = _spellings(_short(regions.provinces()[regions.province_of(code)]))
            if code in regions.cities():
                city = _spellings(_short(regions.cities()[code][0]))
                for initials, full in city:
                    keys += [initials, full]
                for (p_initials, p_full), (c_initials, c_full) in itertools.product(province, city):
                    keys += [p_initials + c_initials, p_full + c_full]
            else:
                for initials, full in province:
                    keys += [initials, full]
                for name in regions.cities_within(code):
                    keys += [_short(name), *itertools.chain(*_spellings(_short(name))[:1])]
            result[code] = list(dict.fromkeys(keys))
    return result


def places() -> dict:
    """What the picker needs: the places grouped by province, as the select offers them
    (regions.care_region_choices), and each place's keys."""
    return {"groups": regions.care_region_choices(), "keys": build()}


@cache
def written() -> dict:
    """The places as the static file has them."""
    return json.loads(PATH.read_text(encoding="utf-8"))


def keys() -> dict[str, list[str]]:
    return written()["keys"]


if __name__ == "__main__":
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_text(
        json.dumps(places(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
