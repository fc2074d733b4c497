"""Issue 27's smaller items, each with a test that failed on the code before it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from filing.models import Filing
from registry.models import Resident
from security.idempotency import FIELD, new_token
from tests.test_filing_counter import post_data
from tests.test_info_change import values

pytestmark = pytest.mark.django_db

BIDI = "\u202e驾照\u202d王"  # displays reversed in lists, exports and the trail


def test_a_correction_reason_with_a_control_character_is_refused_not_a_server_error(
    as_carol, resident_a
):
    """Item 6: the reason was cleaned after is_valid(), and answered 500."""
    url = reverse("registry:resident_edit", args=[resident_a.pk])
    data = values(resident_a, name="薛建军", version="1", edit_reason="核对\x07户口簿")
    response = as_carol.post(url, data)
    assert response.status_code == 200
    assert "内容包含不可见的控制字符" in response.content.decode()
    resident_a.refresh_from_db()
    assert resident_a.name == "薛建国"


@pytest.mark.parametrize("status", ["x" * 10_000, "pending&x=1", "approved"])
def test_a_search_reflects_only_a_status_the_list_has(as_alice, status):
    """Item 10: a 10,000-character status went into a 90 KB Location header."""
    response = as_alice.post(reverse("filing:list"), {"q": "薛", "status": status})
    assert response.status_code == 302
    expected = "?status=approved" if status == "approved" else ""
    assert response["Location"] == reverse("filing:list") + expected


@pytest.mark.parametrize("name", ["logout", "registry:reveal"])
def test_a_get_on_a_post_only_address_answers_a_page_in_chinese(as_alice, resident_a, name):
    """Item 13: a blank 405."""
    url = reverse(name, args=[resident_a.pk]) if name == "registry:reveal" else reverse(name)
    response = as_alice.get(url)
    assert response.status_code == 405 and "POST" in response["Allow"]
    page = response.content.decode()
    assert "请从页面上的按钮操作" in page and 'href="/"' in page


def test_another_users_used_token_creates_nothing(as_alice, resident_a, alice):
    """Item 14: user B posting A's used token got a new record."""
    token = new_token()
    as_alice.post(reverse("filing:create", args=[resident_a.pk]), {**post_data(), FIELD: token})
    assert Filing.objects.count() == 1
    from accounts.models import Role
    from tests.conftest import _user

    colleague = _user("alice2", "李秀兰", Role.CASEWORKER, alice.county, station=alice.station)
    other = Client()
    other.force_login(colleague)
    data = {**post_data(care_region_code="110000"), FIELD: token}
    response = other.post(reverse("filing:create", args=[resident_a.pk]), data)
    assert response.status_code == 302
    assert Filing.objects.count() == 1


class TestFormatCharacters:
    """Item 15: names accepted bidi overrides and other format characters."""

    def test_the_resident_form_refuses_them(self, alice):
        from registry.forms import ResidentForm

        form = ResidentForm(
            {"id_number": "321282199504040041", "name": BIDI, "insurance_type": "resident"},
            user=alice,
        )
        assert form.errors["name"] == ["内容包含不可见的格式字符（如文字方向控制符），请重新输入。"]

    def test_the_filing_refuses_them_at_the_service(self, resident_a, alice):
        from core.errors import Refused
        from filing import services
        from tests.test_filing_integrity import service_values

        with pytest.raises(Refused) as refusal:
            services.submit_filing(
                resident=resident_a,
                user=alice,
                values=service_values({"contact_address": "上海\u200b浦东"}),
                sighted=[],
                scan=None,
                scan_kind="",
                signature="",
                letter_scan=None,
            )
        assert "格式字符" in refusal.value.fields["contact_address"]

    def test_the_import_refuses_them(self):
        from registry.imports import check_row

        _, problems = check_row({"name": BIDI, "id_number": "321282199504040041"})
        assert any("格式字符" in problem for problem in problems)

    def test_c1_controls_are_refused_too(self):
        from django.core.exceptions import ValidationError

        from core.validators import clean_text

        with pytest.raises(ValidationError):
            clean_text("王\x85芳")
        assert clean_text(" 王芳 ") == "王芳" and not Resident.objects.exists()
