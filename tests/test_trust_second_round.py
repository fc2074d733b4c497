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
        from django.core.exceptions import ValidationError

        from filing import services
        from tests.test_filing_integrity import service_values

        with pytest.raises(ValidationError) as refusal:
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
        assert "格式字符" in refusal.value.message_dict["contact_address"][0]

    def test_the_import_refuses_them(self):
        from registry.sheets import check_row

        _, problems = check_row({"name": BIDI, "id_number": "321282199504040041"})
        assert any("格式字符" in problem for problem in problems)

    def test_c1_controls_are_refused_too(self):
        from django.core.exceptions import ValidationError

        from core.validators import clean_text

        with pytest.raises(ValidationError):
            clean_text("王\x85芳")
        assert clean_text(" 王芳 ") == "王芳" and not Resident.objects.exists()


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims width × height (all-zero rows compress to nothing)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * ((width + 7) // 8 + 1) * height, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


class TestHugeImages:
    """Item 5: a 9 KB PNG of 9000 × 9000 pixels was accepted as a signature, and printing its
    letter grew the web process by ~627 MB."""

    def test_the_signature_is_checked_by_its_header(self):
        import base64

        from django.core.exceptions import ValidationError

        from filing.uploads import SIGNATURE_PREFIX, clean_signature

        huge = png_claiming(9000, 9000)
        assert len(huge) < 20_000
        with pytest.raises(ValidationError, match="尺寸过大"):
            clean_signature(SIGNATURE_PREFIX + base64.b64encode(huge).decode())
        drawn = png_claiming(600, 160)
        assert clean_signature(SIGNATURE_PREFIX + base64.b64encode(drawn).decode())

    def test_the_pdf_engine_never_decodes_an_unchecked_image(self, resident_a, alice):
        import base64

        from filing.models import CommitmentLetter, Evidence
        from printing.pdf import render_pdf
        from tests.conftest import make_filing
        from tests.pdfs import pdf_text

        filing = make_filing(resident_a, alice, evidence=Evidence.COMMITMENT)
        huge = "data:image/png;base64," + base64.b64encode(png_claiming(9000, 9000)).decode()
        # Written past the form's check, as a shell or an old row could.
        CommitmentLetter.objects.create(filing=filing, signature=huge)
        from filing import prints

        template_name, context, _ = prints.commitment_letter(filing)
        pdf = render_pdf(template_name, context)
        assert "个人承诺书" in pdf_text(pdf)
        import io

        from pypdf import PdfReader

        assert not PdfReader(io.BytesIO(pdf)).pages[0].images  # left out, not decoded

    @pytest.mark.parametrize(
        ("size", "inside"), [((2000, 1000), True), ((2001, 1000), False), ((2000, 1001), False)]
    )
    def test_the_limit_at_its_boundary(self, size, inside):
        from printing.images import dimensions, within_limits

        data = png_claiming(*size)
        assert dimensions(data) == size and within_limits(data) is inside


class TestHouseholdOfTheResidentsStation:
    """Item 8: a supervisor put station 1's resident into station 2's household; station 1's
    登记表 then printed station 2's household number and head."""

    def test_a_supervisor_cannot_move_a_resident_into_another_stations_household(
        self, as_carol, resident_a, household_b
    ):
        url = reverse("registry:resident_edit", args=[resident_a.pk])
        data = values(
            resident_a,
            household_number=household_b.household_number,
            relationship_to_head="son",
            version=str(resident_a.version),
            edit_reason="户口迁入",
        )
        page = as_carol.post(url, data).content.decode()
        assert "参保人和所在的户须属于同一医保站" in page
        resident_a.refresh_from_db()
        assert resident_a.household.station_id == resident_a.station_id

    def test_the_model_refuses_it_on_every_path(self, resident_a, household_b):
        from django.core.exceptions import ValidationError

        resident_a.household = household_b
        with pytest.raises(ValidationError, match="同一医保站"):
            resident_a.save()


def test_full_numbers_typed_into_free_text_are_masked_in_the_trail(
    as_bob, as_carol, resident_b, filing_b
):
    """Item 9: a number typed into a reveal reason or a rejection reason appeared in full in
    the audit log and its export."""
    from filing.models import FilingStatus
    from tests.test_full_numbers import text_of

    quoted_id, quoted_phone = resident_b.id_number, "13712345678"
    as_bob.post(reverse("registry:reveal", args=[resident_b.pk]), {"reason": f"核对{quoted_id}"})
    filing_b.status = FilingStatus.PENDING
    filing_b.save()
    as_carol.post(
        reverse("filing:review", args=[filing_b.pk]),
        {"decision": "reject", "reason": f"请致电{quoted_phone}补交居住证"},
    )
    as_carol.get(filing_b.get_absolute_url())  # the 已退回 message is read there
    log = as_carol.get(reverse("oversight:audit_log")).content.decode()
    export = text_of(as_carol.get(reverse("oversight:audit_export")))
    for text in (log, export):
        assert quoted_id not in text and quoted_phone not in text
    assert "137****5678" in log and resident_b.masked_id_number in log


class TestSignInNoise:
    """Item 12: unauthenticated requests with a new login name each time added one permanent
    audit entry each; behind a proxy with no TRUSTED_PROXIES the deploy check said nothing."""

    def test_unknown_names_from_one_address_fold_into_one_counted_entry_an_hour(self):
        import datetime

        from django.utils import timezone

        from audit.models import Action, AuditEntry
        from operations.sweep import sweep
        from security.models import UnknownNameFailures

        client = Client(REMOTE_ADDR="10.0.0.66")
        for number in range(25):  # under the address's limit (30), which then refuses
            client.post(reverse("login"), {"username": f"guess{number}", "password": "x"})
        failed = AuditEntry.objects.filter(action=Action.LOGIN_FAILED)
        assert failed.count() == 1 and "guess0" in failed.get().username
        # The hour ends; the sweep writes one entry counting them all.
        UnknownNameFailures.objects.update(
            hour=timezone.now().replace(minute=0, second=0) - datetime.timedelta(hours=1)
        )
        sweep()
        sweep()  # once only
        assert failed.count() == 2
        summary = failed.latest("id")
        assert (
            "10.0.0.66" in summary.detail and "共 25 次以不存在的登录名登录失败" in summary.detail
        )

    def test_the_deploy_check_warns_behind_a_proxy_without_trusted_proxies(self, settings):
        from security.checks import trusted_proxies

        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        settings.TRUSTED_PROXIES = []
        assert [warning.id for warning in trusted_proxies()] == ["security.W001"]
        settings.TRUSTED_PROXIES = ["127.0.0.1"]
        assert trusted_proxies() == []
