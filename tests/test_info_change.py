"""参保信息变更登记 (DOMAIN.md §1.2, seed [001])."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.models import ChangeStatus, InfoChange
from tests.conftest import make_id
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db


def values(resident, **overrides) -> dict:
    data = {
        "id_number": resident.id_number,
        "name": resident.name,
        "ethnicity": resident.ethnicity,
        "phone": resident.phone,
        "address": resident.address,
        "insurance_type": resident.insurance_type,
        "household_number": resident.household.household_number if resident.household else "",
        "relationship_to_head": resident.relationship_to_head,
        "reason": "更换手机号码",
    }
    data.update(overrides)
    return data


def request_change(client, resident, **overrides):
    return client.post(
        reverse("registry:change_create", args=[resident.pk]), values(resident, **overrides)
    )


def complete(client, change):
    return client.post(
        reverse("registry:change_complete", args=[change.pk]),
        {"id_card_sighted": "1", "form_signed": "1"},
        follow=True,
    )


def test_a_phone_change_is_printed_then_applied_with_the_caseworkers_name(
    as_alice, alice, resident_a
):
    request_change(as_alice, resident_a, phone="13900001111")
    change = InfoChange.objects.get()
    assert change.items == [
        {
            "field": "phone",
            "label": "联系电话",
            "old": "13835901234",
            "new": "13900001111",
            "new_value": "13900001111",
        }
    ]
    resident_a.refresh_from_db()
    assert resident_a.phone == "13835901234"  # nothing changes before the form is signed
    pdf = as_alice.get(
        reverse("registry:change_registration_form", args=[change.pk]), {"format": "pdf"}
    )
    text = pdf_text(pdf.content)
    assert "基本医疗保险参保信息变更登记表" in text
    assert "联系电话1383590123413900001111" in text and "更换手机号码" in text
    complete(as_alice, change)
    resident_a.refresh_from_db()
    assert resident_a.phone == "13900001111"
    latest = resident_a.history.latest()
    assert (
        latest.history_user == alice
        and latest.history_change_reason == "参保信息变更：更换手机号码"
    )
    page = as_alice.get(resident_a.get_absolute_url()).content.decode()
    assert "联系电话：138****1234 → 139****1111" in page and "李秀梅" in page


def test_several_items_at_once(as_alice, resident_a):
    request_change(
        as_alice, resident_a, name="薛建华", address="芮城县古魏镇东关村2号", reason="姓名登记有误"
    )
    change = InfoChange.objects.get()
    assert [item["label"] for item in change.items] == ["姓名", "现住址"]


def test_materials_are_required_before_it_is_applied(as_alice, resident_a):
    request_change(as_alice, resident_a, phone="13900001111")
    change = InfoChange.objects.get()
    response = as_alice.post(
        reverse("registry:change_complete", args=[change.pk]), {"id_card_sighted": "1"}, follow=True
    )
    assert "还缺少：已签字的《基本医疗保险参保信息变更登记表》" in response.content.decode()
    resident_a.refresh_from_db()
    assert resident_a.phone == "13835901234"


def test_nothing_changed_is_refused(as_alice, resident_a):
    page = request_change(as_alice, resident_a).content.decode()
    assert "没有需要变更的内容。" in page
    assert not InfoChange.objects.exists()


def test_a_reason_is_required(as_alice, resident_a):
    page = request_change(as_alice, resident_a, phone="13900001111", reason="").content.decode()
    assert "这个字段是必填项" in page
    assert not InfoChange.objects.exists()


class TestIdNumberCorrection:
    CORRECT = make_id("14083019580312005")

    def test_it_needs_a_supervisors_approval(self, as_alice, as_carol, carol, resident_a):
        request_change(as_alice, resident_a, id_number=self.CORRECT, reason="身份证号码录入错误")
        change = InfoChange.objects.get()
        assert change.corrects_id_number
        complete(as_alice, change)
        change.refresh_from_db()
        resident_a.refresh_from_db()
        assert change.status == ChangeStatus.AWAITING_APPROVAL
        assert resident_a.id_number != self.CORRECT
        as_carol.post(reverse("registry:change_decide", args=[change.pk]), {"decision": "approve"})
        change.refresh_from_db()
        resident_a.refresh_from_db()
        assert change.status == ChangeStatus.COMPLETED and change.reviewed_by == carol
        assert resident_a.id_number == self.CORRECT
        assert resident_a.history.latest().history_user == carol

    def test_a_caseworker_cannot_approve_it(self, as_alice, resident_a):
        request_change(as_alice, resident_a, id_number=self.CORRECT)
        change = InfoChange.objects.get()
        complete(as_alice, change)
        response = as_alice.post(
            reverse("registry:change_decide", args=[change.pk]), {"decision": "approve"}
        )
        assert response.status_code == 404

    def test_the_supervisor_rejects_with_a_reason(self, as_alice, as_carol, resident_a):
        request_change(as_alice, resident_a, id_number=self.CORRECT)
        change = InfoChange.objects.get()
        complete(as_alice, change)
        as_carol.post(
            reverse("registry:change_decide", args=[change.pk]),
            {"decision": "reject", "reason": "请提供户籍证明"},
        )
        change.refresh_from_db()
        resident_a.refresh_from_db()
        assert change.status == ChangeStatus.REJECTED
        assert resident_a.id_number != self.CORRECT

    def test_an_invalid_or_taken_id_number_is_refused(self, as_alice, resident_a, resident_b):
        page = request_change(as_alice, resident_a, id_number="140830195803120099").content
        assert "校验位错误" in page.decode()
        page = request_change(as_alice, resident_a, id_number=resident_b.id_number).content
        assert "该身份证号码已在其他医保站登记（风陵渡镇医保站）" in page.decode()
        assert resident_b.id_number not in page.decode()
        assert not InfoChange.objects.exists()


class TestOnlyThroughChangeRegistration:
    """Issue #18, 6: a signed name correction was reverted through 修改信息, with no reason,
    no form and no signature. Registered information changes through 信息变更登记 only."""

    def test_a_caseworker_is_sent_to_the_change_registration(self, as_alice, resident_a):
        url = reverse("registry:resident_edit", args=[resident_a.pk])
        response = as_alice.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("registry:change_create", args=[resident_a.pk])
        response = as_alice.post(url, values(resident_a, name="薛建军", version="1"))
        assert response.status_code == 302
        resident_a.refresh_from_db()
        assert resident_a.name == "薛建国"
        page = as_alice.get(resident_a.get_absolute_url()).content.decode()
        assert "修改信息" not in page and "信息变更登记" in page

    def test_while_the_registration_is_open_what_was_typed_is_corrected(
        self, as_alice, resident_a, registering_a
    ):
        url = reverse("registry:resident_edit", args=[resident_a.pk])
        response = as_alice.post(url, values(resident_a, name="薛建军", version="1"))
        assert response.status_code == 302
        resident_a.refresh_from_db()
        assert resident_a.name == "薛建军"
        assert resident_a.history.latest().history_change_reason == "参保登记完成前更正"

    def test_a_supervisor_corrects_directly_with_a_reason(self, as_carol, resident_a):
        url = reverse("registry:resident_edit", args=[resident_a.pk])
        page = as_carol.post(url, values(resident_a, name="薛建军", version="1")).content.decode()
        assert "修改原因" in page and "这个字段是必填项。" in page
        resident_a.refresh_from_db()
        assert resident_a.name == "薛建国"
        data = values(resident_a, name="薛建军", version="1", edit_reason="户口簿姓名为薛建军")
        assert as_carol.post(url, data).status_code == 302
        resident_a.refresh_from_db()
        assert resident_a.name == "薛建军"
        latest = resident_a.history.latest()
        assert latest.history_change_reason == "审核员直接修改：户口簿姓名为薛建军"
        log = as_carol.get(reverse("oversight:audit_log")).content.decode()
        assert "审核员直接修改：户口簿姓名为薛建军" in log
