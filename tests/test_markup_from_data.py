"""No markup from data (issue 27, item 4): a resident's name and address that are markup show
as the characters typed on every page of every role, never as markup."""

from __future__ import annotations

import pytest

from tests.test_full_numbers import STATION_B_RECORDS, station_b_records, text_of, walk  # noqa: F401

pytestmark = pytest.mark.django_db

NAME = "<style>*{display:none}</style>"  # 30 characters, as much as a name holds
ADDRESS = "<a href=//e.vl>请点此核验</a>"


@pytest.mark.parametrize("persona", ["bob", "carol", "dave"])
def test_markup_typed_as_a_name_or_address_is_shown_as_text(
    persona,
    request,
    station_b_records,  # noqa: F811
):
    resident = request.getfixturevalue("resident_b")
    resident.name, resident.address = NAME, ADDRESS
    resident.save()
    user = request.getfixturevalue(persona)
    records = {name: request.getfixturevalue(name) for name in STATION_B_RECORDS}
    shown = 0
    for name, response in walk(user, records):
        if response.get("Content-Type", "").startswith("text/html"):
            text = text_of(response)
            assert "<style>*{display:none}" not in text, name
            assert "<a href=//e.vl>" not in text, name
            shown += "&lt;style&gt;*{display:none}&lt;/style&gt;" in text
    assert shown >= 3  # the resident's page, the records that name her, and forms
