"""新增参保登记 at the counter, newborns included (DOMAIN.md §1.1, seed [001])."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.models import Enrollment, Resident
from tests.conftest import NEW_RESIDENT, ZHANG_JUAN_ID, make_id
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db


def newborn_id(days_old: int) -> str:
    born = timezone.localdate() - datetime.timedelta(days=days_old)
    return make_id(f"140830{born:%Y%m%d}002")


def test_a_new_resident_is_registered_and_enrolled_in_one_step(as_alice, alice):
    start = as_alice.post(reverse("registry:enrollment_start"), {"id_number": ZHANG_JUAN_ID})
    assert start["Location"] == reverse("registry:enrollment_create")
    assert ZHANG_JUAN_ID in as_alice.get(start["Location"]).content.decode()
    response = as_alice.post(
        reverse("registry:enrollment_create"),
        {**NEW_RESIDENT, "materials": ["id_or_register"]},
    )
    enrollment = Enrollment.objects.get()
    assert response["Location"] == enrollment.get_absolute_url()
    assert enrollment.resident.name == "张娟" and enrollment.station == alice.station
    assert enrollment.status_display == "材料不全"
    assert [m.label for m in enrollment.missing_materials] == [
        "已签字的《城乡居民基本医疗保险参保登记表》"
    ]


def test_it_cannot_be_completed_while_a_material_is_unticked(as_alice, resident_a, alice):
    enrollment = Enrollment.objects.create(
        station=alice.station, resident=resident_a, created_by=alice
    )
    url = reverse("registry:enrollment_update", args=[enrollment.pk])
    response = as_alice.post(
        url, {"materials": ["id_or_register"], "action": "complete"}, follow=True
    )
    assert "还缺少：已签字的《城乡居民基本医疗保险参保登记表》" in response.content.decode()
    enrollment.refresh_from_db()
    assert not enrollment.is_complete
    as_alice.post(url, {"materials": ["id_or_register", "signed_form"], "action": "complete"})
    enrollment.refresh_from_db()
    assert enrollment.is_complete and enrollment.status_display == "已参保"


def test_the_registration_form_is_printed_for_signature(as_alice, resident_a):
    response = as_alice.get(
        reverse("registry:registration_form", args=[resident_a.pk]), {"format": "pdf"}
    )
    text = pdf_text(response.content)
    assert "城乡居民基本医疗保险参保登记表" in text and resident_a.id_number in text


def test_a_resident_already_enrolled_is_shown_not_enrolled_twice(as_alice, resident_a, alice):
    enrollment = Enrollment.objects.create(
        station=alice.station, resident=resident_a, created_by=alice
    )
    response = as_alice.post(
        reverse("registry:enrollment_start"), {"id_number": resident_a.id_number}, follow=True
    )
    assert response.redirect_chain[-1][0] == enrollment.get_absolute_url()
    assert "薛建国已办理参保登记" in response.content.decode()
    as_alice.post(
        reverse("registry:enrollment_create_for", args=[resident_a.pk]),
        {"materials": ["id_or_register"]},
    )
    assert Enrollment.objects.count() == 1


def test_a_registered_resident_without_enrollment_is_enrolled(as_alice, resident_a):
    response = as_alice.post(
        reverse("registry:enrollment_start"), {"id_number": resident_a.id_number}
    )
    assert response["Location"] == reverse("registry:enrollment_create_for", args=[resident_a.pk])
    as_alice.post(response["Location"], {"materials": ["id_or_register", "signed_form"]})
    assert Enrollment.objects.get().resident == resident_a
    assert Resident.objects.count() == 1


# resident_a, 薛建国, as the newborn's father.
FATHER_ID = make_id("14083019580312003")
GUARDIAN = {
    "guardian_name": "薛建国",
    "guardian_id_number": FATHER_ID,
    "guardian_relationship": "father",
    "guardian_phone": "13835901234",
}


class TestNewborn:
    def newborn(self, client, household, days_old=20, relationship="daughter", **extra):
        data = {
            **NEW_RESIDENT,
            "id_number": newborn_id(days_old),
            "name": "薛小萌",
            "household_number": household.household_number if household else "",
            "relationship_to_head": relationship,
            "newborn": "on",
            **GUARDIAN,
            **extra,
        }
        return client.post(reverse("registry:enrollment_create"), data)

    def test_the_parent_or_guardian_is_recorded_and_printed(
        self, as_alice, household_a, resident_a
    ):
        """Issue #18: a newborn's enrollment recorded no parent or guardian."""
        page = self.newborn(
            as_alice, household_a, guardian_name="", guardian_relationship=""
        ).content.decode()
        assert "新生儿参保登记请填写监护人姓名。" in page
        assert "请选择监护人与新生儿的关系。" in page
        assert not Enrollment.objects.exists()
        mistyped = FATHER_ID[:-1] + ("1" if FATHER_ID[-1] == "0" else "0")
        page = self.newborn(as_alice, household_a, guardian_id_number=mistyped).content.decode()
        assert "身份证号码校验位错误" in page and 'value="薛建国"' in page  # said; rest kept
        assert not Enrollment.objects.exists()

        self.newborn(as_alice, household_a)
        enrollment = Enrollment.objects.get()
        assert enrollment.guardian_name == "薛建国"
        assert enrollment.guardian_id_number == resident_a.id_number
        assert enrollment.get_guardian_relationship_display() == "父亲"
        page = as_alice.get(enrollment.get_absolute_url()).content.decode()
        assert "监护人：薛建国" in page and resident_a.id_number not in page
        url = reverse("registry:registration_form", args=[enrollment.resident.pk])
        text = pdf_text(as_alice.get(url, {"format": "pdf"}).content)
        assert "监护人薛建国（父亲）" in text and resident_a.id_number in text

    def test_an_ordinary_enrollment_has_no_guardian(self, as_alice):
        data = {**NEW_RESIDENT, **GUARDIAN, "materials": ["id_or_register"]}
        as_alice.post(reverse("registry:enrollment_create"), data)
        enrollment = Enrollment.objects.get()
        assert enrollment.guardian_name == "" and enrollment.guardian_id_number == ""

    def test_a_newborn_joins_an_existing_household(self, as_alice, household_a, resident_a):
        self.newborn(as_alice, household_a, materials=["parents_id_cards", "newborn_register"])
        enrollment = Enrollment.objects.get()
        assert enrollment.newborn and enrollment.resident.household == household_a
        assert enrollment.resident.age == 0
        assert [m.label for m in enrollment.missing_materials] == [
            "出生医学证明原件及复印件",
            "已签字的《城乡居民基本医疗保险参保登记表》",
        ]

    def test_the_newborn_set_of_materials_completes_it(self, as_alice, household_a, resident_a):
        self.newborn(
            as_alice,
            household_a,
            materials=["parents_id_cards", "newborn_register", "birth_certificate", "signed_form"],
        )
        enrollment = Enrollment.objects.get()
        as_alice.post(
            reverse("registry:enrollment_update", args=[enrollment.pk]),
            {"materials": enrollment.received, "action": "complete"},
        )
        enrollment.refresh_from_db()
        assert enrollment.is_complete

    def test_the_ordinary_id_card_does_not_complete_a_newborns_enrollment(
        self, as_alice, household_a, resident_a
    ):
        self.newborn(as_alice, household_a, materials=["id_or_register", "signed_form"])
        enrollment = Enrollment.objects.get()
        assert enrollment.received == ["signed_form"]
        assert len(enrollment.missing_materials) == 3

    def test_a_newborn_needs_a_household(self, as_alice):
        page = self.newborn(as_alice, None, relationship="").content.decode()
        assert "新生儿须登记到已有的户" in page
        assert not Resident.objects.exists()

    @pytest.mark.parametrize(("days_old", "allowed"), [(364, True), (366, False)])
    def test_a_newborn_is_under_one_year(
        self, as_alice, household_a, resident_a, days_old, allowed
    ):
        page = self.newborn(as_alice, household_a, days_old=days_old).content.decode()
        assert Enrollment.objects.exists() is allowed
        if not allowed:
            assert "新生儿参保登记适用于未满 1 周岁的婴儿" in page


def test_a_refused_completion_keeps_the_materials_just_ticked(as_alice, resident_a, alice):
    enrollment = Enrollment.objects.create(
        station=alice.station, resident=resident_a, created_by=alice
    )
    url = reverse("registry:enrollment_update", args=[enrollment.pk])
    response = as_alice.post(url, {"materials": ["id_or_register"], "action": "complete"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert not enrollment.is_complete and enrollment.received == ["id_or_register"]


def test_the_enrollment_service_itself_holds_the_newborn_rule(resident_a, alice):
    """DOMAIN.md §1.1: the rule lives in registry.models.newborn_problems and services.enroll
    applies it, whoever calls (the counter form, an import, demo data)."""
    from django.core.exceptions import ValidationError

    from registry import services

    baby = Resident(station=alice.station, name="张小宝", id_number=newborn_id(10))
    with pytest.raises(ValidationError) as refusal:
        services.enroll(resident=baby, user=alice, newborn=True, materials=[], guardian=GUARDIAN)
    assert refusal.value.message_dict == {
        "household_number": ["新生儿须登记到已有的户，请填写户号。"]
    }
    # The guardian too, with a phone to call (the 登记表's 联系电话), whoever calls.
    with pytest.raises(ValidationError) as refusal:
        services.enroll(
            resident=baby,
            user=alice,
            newborn=True,
            materials=[],
            guardian={**GUARDIAN, "guardian_phone": "", "guardian_id_number": baby.id_number},
        )
    assert refusal.value.message_dict["guardian_phone"] == ["新生儿参保登记请填写监护人联系电话。"]
    assert refusal.value.message_dict["guardian_id_number"] == ["监护人不能是新生儿本人。"]
    assert not Resident.objects.filter(name="张小宝").exists()


class TestGuardianFromTheHousehold:
    """Issue 29, item 8: the guardian is picked from the household's members (or typed), the
    guardian's phone asked and printed; an adult's form shows an adult's materials only."""

    def test_a_new_babys_guardian_is_picked_by_household_number(
        self, as_alice, as_bob, household_a, resident_a
    ):
        url = reverse("registry:household_members")
        answer = as_alice.get(url, {"number": household_a.household_number}).json()
        shown = f"薛建国（户主，男，{resident_a.masked_id_number}）"
        assert answer["members"] == [[resident_a.pk, shown]]
        assert resident_a.id_number not in str(answer)
        # Another station's household offers nobody.
        assert as_bob.get(url, {"number": household_a.household_number}).json() == {"members": []}
        data = {
            **NEW_RESIDENT,
            "id_number": newborn_id(13),
            "name": "薛小萌",
            "household_number": household_a.household_number,
            "relationship_to_head": "daughter",
            "newborn": "on",
            "guardian_member": str(resident_a.pk),
            "guardian_relationship": "father",
            "guardian_phone": "",
        }
        response = as_alice.post(reverse("registry:enrollment_create"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        enrollment = Enrollment.objects.get()
        assert enrollment.guardian_name == "薛建国"
        assert enrollment.guardian_id_number == resident_a.id_number
        assert enrollment.guardian_phone == resident_a.phone  # left blank: the one on file
        url = reverse("registry:registration_form", args=[enrollment.resident.pk])
        text = pdf_text(as_alice.get(url, {"format": "pdf"}).content)
        assert f"监护人联系电话{resident_a.phone}" in text

    def test_a_member_of_another_household_cannot_be_posted_as_guardian(
        self, as_alice, household_a, resident_a, resident_b
    ):
        data = {
            **NEW_RESIDENT,
            "id_number": newborn_id(13),
            "name": "薛小萌",
            "household_number": household_a.household_number,
            "relationship_to_head": "daughter",
            "newborn": "on",
            "guardian_member": str(resident_b.pk),
            "guardian_relationship": "father",
            "guardian_phone": "13835901234",
        }
        page = as_alice.post(reverse("registry:enrollment_create"), data).content.decode()
        assert not Enrollment.objects.exists()
        assert resident_b.name not in page and "新生儿参保登记请填写监护人姓名。" in page

    def test_a_typed_guardians_phone_is_printed_as_the_babys(self, as_alice, household_a):
        data = {
            **NEW_RESIDENT,
            "id_number": newborn_id(30),
            "name": "薛小萌",
            "phone": "",
            "household_number": household_a.household_number,
            "relationship_to_head": "daughter",
            "newborn": "on",
            **GUARDIAN,
            "guardian_phone": "13911112222",
        }
        as_alice.post(reverse("registry:enrollment_create"), data)
        enrollment = Enrollment.objects.get()
        url = reverse("registry:registration_form", args=[enrollment.resident.pk])
        text = pdf_text(as_alice.get(url, {"format": "pdf"}).content)
        assert "联系电话13911112222（监护人）" in text

    def test_each_kind_shows_its_own_materials(self, as_alice):
        page = as_alice.get(reverse("registry:enrollment_create")).content.decode()
        for value, shown in (
            ("parents_id_cards", "newborn"),
            ("newborn_register", "newborn"),
            ("birth_certificate", "newborn"),
            ("id_or_register", "!newborn"),
        ):
            assert re.search(
                rf'<div class="form-check" data-show-when="{shown}">\s*<input[^>]*value="{value}"',
                page,
            ), value
        assert re.search(r'<div class="form-check">\s*<input[^>]*value="signed_form"', page)


@pytest.mark.parametrize(
    ("days_before_first_birthday", "allowed"), [(1, True), (0, False), (-1, False)]
)
def test_a_newborn_is_enrolled_as_such_until_the_day_before_the_first_birthday(
    household_a, resident_a, alice, days_before_first_birthday, allowed
):
    from registry.models import newborn_problems

    today = datetime.date(2026, 11, 27)
    born = datetime.date(2025, 11, 27) + datetime.timedelta(days=days_before_first_birthday)
    baby = Resident(
        station=alice.station,
        household=household_a,
        relationship_to_head="daughter",
        name="薛小宝",
        id_number=make_id(f"140830{born:%Y%m%d}002"),
    )
    assert ("id_number" not in newborn_problems(baby, today)) is allowed


def test_a_newborns_registration_form_gives_the_households_address(
    as_alice, household_a, station_a
):
    """Issue 18: the newborn's 登记表 left 现住址 blank though the household has one."""
    from registry.models import Relationship, Resident
    from tests.conftest import make_id

    baby = Resident.objects.create(
        station=station_a,
        household=household_a,
        relationship_to_head=Relationship.SON,
        name="薛小宝",
        id_number=make_id("14083020260801001"),
        address="",
    )
    response = as_alice.get(
        reverse("registry:registration_form", args=[baby.pk]), {"format": "pdf"}
    )
    assert household_a.address in pdf_text(response.content).replace(" ", "")


def test_the_registration_form_of_a_resident_without_household_prints(as_alice, station_a):
    from registry.models import Resident
    from tests.conftest import make_id

    alone = Resident.objects.create(
        station=station_a, name="李独居", id_number=make_id("14083019500101001"), address=""
    )
    response = as_alice.get(
        reverse("registry:registration_form", args=[alone.pk]), {"format": "pdf"}
    )
    assert response.status_code == 200 and "李独居" in pdf_text(response.content)
