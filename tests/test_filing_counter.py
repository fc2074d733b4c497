"""Filing at the counter, from finding the resident to the printed letter, review and
cancellation, through the portal's pages."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Policy
from audit.models import Action, AuditEntry
from core import id_numbers
from filing import services
from filing.models import NOTICE_UNREAD, Category, Filing, FilingStatus, add_months
from security.idempotency import FIELD, new_token
from tests.conftest import SIGNATURE, ZHANG_JUAN_ID, client_for, make_filing, make_id
from tests.pdfs import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n% a scanned residence permit\n"


def post_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "insured_region_code": "140800",
        "care_region_code": "310000",
        "insurance_type": "resident",
        "category": Category.OTHER_TEMPORARY,
        "start_date": today.isoformat(),
        "end_date": "",
        "contact_name": "薛建国",
        "contact_phone": "13835901234",
        "contact_address": "上海市浦东新区张江路1号",
        "evidence": "none",
        "notice_read": "on",
        "confirmed": "1",  # 确认提交 on the confirmation step
    }
    data.update(overrides)
    return data


# 薛小军, the resident's son, files for him, his documents and the resident's sighted.
AGENT = {
    "by_agent": "on",
    "agent_name": "薛小军",
    "agent_id_number": make_id("14083019850607001"),
    "agent_phone": "13900001111",
    "agent_relationship": "child",
    "agent_documents_sighted": "on",
}


# A long-term resident's filing on a letter signed at the counter.
SIGNED_LETTER = {
    "category": Category.LONG_TERM_RESIDENT,
    "evidence": "commitment",
    "signature": SIGNATURE,
}


def submit(client, resident, **overrides):
    return client.post(reverse("filing:create", args=[resident.pk]), post_data(**overrides))


def test_the_caseworker_finds_the_resident_by_id_number(as_alice, resident_a):
    response = as_alice.post(reverse("filing:start"), {"id_number": resident_a.id_number.lower()})
    assert response["Location"] == reverse("filing:create", args=[resident_a.pk])
    page = as_alice.get(reverse("filing:create", args=[resident_a.pk])).content.decode()
    assert "异地就医备案：薛建国" in page
    assert 'value="140800" selected' in page  # 参保地 defaults to the county's 运城市


def test_an_unknown_id_number_leads_to_registration(as_alice):
    response = as_alice.post(reverse("filing:start"), {"id_number": ZHANG_JUAN_ID})
    page = response.content.decode()
    assert "该身份证号码尚未登记参保人，请先登记参保人再办理备案。" in page
    assert reverse("registry:resident_create") in page


def test_an_invalid_id_number_says_what_is_wrong(as_alice):
    response = as_alice.post(reverse("filing:start"), {"id_number": "140830195803120099"})
    assert "校验位错误" in response.content.decode()
    assert reverse("registry:resident_create") not in response.content.decode()


def test_another_stations_resident_is_said_to_be_there_and_the_lookup_is_audited(
    as_alice, resident_b, alice
):
    response = as_alice.post(reverse("filing:start"), {"id_number": resident_b.id_number})
    page = response.content.decode()
    assert "该身份证号码已在其他医保站登记（风陵渡镇医保站）" in page
    assert resident_b.id_number not in page and resident_b.get_absolute_url() not in page
    entry = AuditEntry.objects.get(action=Action.LOOKUP)
    assert entry.user == alice and entry.record_id == str(resident_b.pk)
    assert entry.station == resident_b.station and "办理异地就医备案" in entry.detail


def test_temporary_care_with_nothing_needed_takes_effect_at_once(as_alice, resident_a, alice):
    response = submit(as_alice, resident_a)
    filing = Filing.objects.get()
    assert response["Location"] == filing.get_absolute_url()
    assert filing.status == FilingStatus.APPROVED and filing.review == "automatic"
    assert filing.end_date == add_months(filing.start_date, 6) - datetime.timedelta(days=1)
    assert filing.station == alice.station and filing.submitted_by == alice
    page = as_alice.get(filing.get_absolute_url()).content.decode()
    assert "已备案" in page and "上海市" in page and "跨省临时外出就医人员" in page


def test_a_long_term_filing_signed_on_screen_prints_the_letter(as_alice, resident_a):
    submit(
        as_alice,
        resident_a,
        **SIGNED_LETTER,
        care_region_code="320100",
    )
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.APPROVED
    assert filing.end_date is None  # 长期有效
    assert filing.kind_display == "跨省异地长期居住人员"
    response = as_alice.get(
        reverse("filing:commitment_letter", args=[filing.pk]), {"format": "pdf"}
    )
    text = pdf_text(response.content)
    for expected in [
        "基本医疗保险异地就医备案个人承诺书",
        "薛建国",
        resident_a.id_number,
        "男",
        "山西省运城市",
        "江苏省南京市",
        "☑异地长期居住人员",
        "至长期",
        "本人签字",
        "两年内不得销毁",
    ]:
        assert expected in text, expected


def test_an_unsigned_letter_waits_until_its_scan_is_attached(as_alice, resident_a):
    submit(as_alice, resident_a, category=Category.RETIRED_RELOCATED, evidence="commitment")
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.PENDING
    assert "尚未签字" in as_alice.get(filing.get_absolute_url()).content.decode()
    scan = SimpleUploadedFile("承诺书.pdf", PDF_BYTES, content_type="application/pdf")
    as_alice.post(reverse("filing:attach_letter", args=[filing.pk]), {"letter_scan": scan})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED
    assert filing.commitment_letter.scan.name.endswith(".pdf")
    assert "承诺书" not in filing.commitment_letter.scan.name  # stored under a random name


def test_a_letter_signed_on_paper_completes_the_filing_and_its_scan_follows(
    as_alice, as_bob, resident_a
):
    """Signing without a pad (issue 29, item 6): the printed letter signed by hand at the
    counter and kept on paper ("由医保经办机构存档" [000]) is evidence; 待上传扫描件 waits on
    the caseworker's home until its scan is attached."""
    submit(
        as_alice,
        resident_a,
        category=Category.RETIRED_RELOCATED,
        evidence="commitment",
        signed_on_paper="on",
    )
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.APPROVED  # 自动审核 即时生效: evidence complete
    assert filing.commitment_letter.signed_on_paper and not filing.commitment_letter.scan
    home = as_alice.get(reverse("home")).content.decode()
    todo = home.split('id="todo-paper"')[1].split("</section>")[0]
    assert filing.get_absolute_url() in todo and resident_a.name in todo
    assert filing.get_absolute_url() not in as_bob.get(reverse("home")).content.decode()
    detail = as_alice.get(filing.get_absolute_url()).content.decode()
    assert "已手写签字，纸质承诺书存档" in detail and "扫描件待上传" in detail
    scan = SimpleUploadedFile("承诺书.pdf", PDF_BYTES, content_type="application/pdf")
    as_alice.post(reverse("filing:attach_letter", args=[filing.pk]), {"letter_scan": scan})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED and filing.commitment_letter.scan
    todo = as_alice.get(reverse("home")).content.decode().split('id="todo-paper"')[1]
    assert "没有待上传的扫描件" in todo.split("</section>")[0]
    # Attached once: a second scan is refused at the service.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.attach_letter_scan(filing, SimpleUploadedFile("b.pdf", PDF_BYTES))


def test_a_paper_signature_is_a_letter_given_so_not_beside_materials(resident_a, alice):
    from django.core.exceptions import ValidationError

    from tests.test_filing_integrity import service_values

    with pytest.raises(ValidationError) as refusal:
        services.submit_filing(
            resident=resident_a,
            user=alice,
            values=service_values(
                {"category": Category.RETIRED_RELOCATED, "evidence": "materials"}
            ),
            sighted=["residence_permit"],
            scan=None,
            scan_kind="",
            signature="",
            letter_scan=None,
            signed_on_paper=True,
        )
    assert "evidence" in refusal.value.message_dict
    filing = services.submit_filing(
        resident=resident_a,
        user=alice,
        values=service_values({"category": Category.RETIRED_RELOCATED, "evidence": "commitment"}),
        sighted=[],
        scan=None,
        scan_kind="",
        signature="",
        letter_scan=None,
        signed_on_paper=True,
    )
    assert filing.status == FilingStatus.APPROVED


def test_an_agent_files_and_signs_with_the_agents_name(as_alice, resident_a):
    submit(
        as_alice,
        resident_a,
        category=Category.POSTED_WORKER,
        posting_length_checked="on",
        evidence="commitment",
        signature=SIGNATURE,
        **AGENT,
    )
    filing = Filing.objects.get()
    assert filing.agent_documents_sighted
    assert filing.filer_name == "薛小军"
    letter = pdf_text(
        as_alice.get(
            reverse("filing:commitment_letter", args=[filing.pk]), {"format": "pdf"}
        ).content
    )
    assert "薛小军（代办人，与参保人关系：子女）" in letter and "代办人签字" in letter
    form = pdf_text(
        as_alice.get(reverse("filing:filing_form", args=[filing.pk]), {"format": "pdf"}).content
    )
    assert "跨省异地就医登记备案表" in form
    assert "薛小军（子女）" in form and "代办人签字" in form


def test_a_referral_with_its_form_prints_the_referring_hospital(as_alice, resident_a):
    submit(
        as_alice,
        resident_a,
        category=Category.REFERRAL,
        evidence="materials",
        sighted=["referral_form"],
        referring_hospital="芮城县人民医院",
        care_region_code="610100",
    )
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.APPROVED
    text = pdf_text(
        as_alice.get(reverse("filing:filing_form", args=[filing.pk]), {"format": "pdf"}).content
    )
    assert "芮城县人民医院" in text and "陕西省西安市" in text and "异地转诊人员" in text
    page = as_alice.get(filing.get_absolute_url()).content.decode()
    assert "须到具备转诊资格的医疗机构重新办理转诊" in page


def test_bad_input_reshows_the_form_and_saves_nothing(as_alice, resident_a):
    response = submit(
        as_alice,
        resident_a,
        contact_phone="123",
        contact_address="张江路9号",
        care_region_code="110100",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "请输入 11 位手机号码或带区号的固定电话。" in page
    assert "就医地无效。" in page  # 北京 is filed at the province level
    assert 'value="张江路9号"' in page
    assert not Filing.objects.exists()


def test_a_double_clicked_submit_creates_one_filing(as_alice, resident_a):
    data = {**post_data(), FIELD: new_token()}  # one form page, submitted twice
    url = reverse("filing:create", args=[resident_a.pk])
    first = as_alice.post(url, data)
    second = as_alice.post(url, data)
    assert Filing.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_two_effective_filings_for_the_same_place_may_not_overlap(as_alice, resident_a, alice):
    today = timezone.localdate()
    make_filing(resident_a, alice, start_date=today, end_date=today + datetime.timedelta(days=30))
    page = submit(as_alice, resident_a).content.decode()
    assert "已有同一就医地（上海市）的有效备案" in page
    assert Filing.objects.count() == 1
    submit(as_alice, resident_a, care_region_code="110000")  # another place is fine
    assert Filing.objects.count() == 2
    later = (today + datetime.timedelta(days=31)).isoformat()
    submit(as_alice, resident_a, start_date=later)  # after the first ends: fine
    assert Filing.objects.count() == 3


def test_a_closed_or_rejected_filing_does_not_block_a_new_one(as_alice, resident_a, alice):
    make_filing(resident_a, alice, start_date=timezone.localdate(), status=FilingStatus.CANCELLED)
    make_filing(resident_a, alice, start_date=timezone.localdate(), status=FilingStatus.REJECTED)
    submit(as_alice, resident_a)
    assert Filing.objects.filter(status=FilingStatus.APPROVED).count() == 1


def test_an_indefinite_long_term_filing_blocks_every_later_start(as_alice, resident_a, alice):
    make_filing(
        resident_a,
        alice,
        category=Category.LONG_TERM_RESIDENT,
        start_date=datetime.date(2020, 1, 1),
        end_date=None,
    )
    assert "有效期不能重叠" in submit(as_alice, resident_a).content.decode()


class TestUploads:
    def test_a_scan_is_checked_by_its_content_not_its_name(self, as_alice, resident_a):
        program = SimpleUploadedFile(
            "居住证.pdf", b"MZ\x90\x00 a windows program", content_type="application/pdf"
        )
        page = submit(
            as_alice,
            resident_a,
            category=Category.LONG_TERM_RESIDENT,
            evidence="materials",
            scan=program,
            scan_kind="residence_permit",
        ).content
        assert "只能上传 PDF、JPG 或 PNG 格式的扫描件" in page.decode()
        assert not Filing.objects.exists()

    def test_a_png_scan_is_stored_and_downloaded_as_an_attachment(self, as_alice, resident_a):
        png = SimpleUploadedFile("scan.exe", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
        submit(
            as_alice,
            resident_a,
            category=Category.LONG_TERM_RESIDENT,
            evidence="materials",
            scan=png,
            scan_kind="residence_permit",
        )
        filing = Filing.objects.get()
        material = filing.materials.get()
        assert material.content_type == "image/png" and material.file.name.endswith(".png")
        response = as_alice.get(
            reverse("filing:evidence_file", args=[filing.pk, "material", material.pk])
        )
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "image/png"

    def test_another_station_cannot_download_a_scan(self, as_alice, filing_b):
        url = reverse("filing:evidence_file", args=[filing_b.pk, "material", filing_b.material.pk])
        assert as_alice.get(url).status_code == 404

    def test_a_scan_over_10_mb_is_refused(self, as_alice, resident_a):
        big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
        page = submit(
            as_alice,
            resident_a,
            category=Category.LONG_TERM_RESIDENT,
            evidence="materials",
            scan=big,
            scan_kind="residence_permit",
        ).content
        assert "文件超过 10 MB" in page.decode()


class TestManualReview:
    @pytest.fixture
    def manual_county(self, county):
        policy = Policy.for_county(county)
        policy.automatic_review = False
        policy.save()

    def test_a_manual_county_sends_every_filing_to_the_supervisor(
        self, manual_county, as_alice, as_carol, resident_a
    ):
        submit(
            as_alice,
            resident_a,
            category=Category.LONG_TERM_RESIDENT,
            evidence="materials",
            sighted=["residence_permit"],
        )
        filing = Filing.objects.get()
        assert filing.status == FilingStatus.PENDING and filing.review == "manual"
        queue = as_carol.get(reverse("filing:review_queue")).content.decode()
        assert "薛建国" in queue and filing.review_deadline().isoformat() in queue

    def test_the_supervisor_approves(self, manual_county, as_alice, as_carol, carol, resident_a):
        submit(as_alice, resident_a)
        filing = Filing.objects.get()
        as_carol.post(reverse("filing:review", args=[filing.pk]), {"decision": "approve"})
        filing.refresh_from_db()
        assert filing.status == FilingStatus.APPROVED and filing.reviewed_by == carol
        assert filing.history.latest().history_user == carol

    def test_the_supervisor_rejects_with_a_common_reason(
        self, manual_county, as_alice, as_carol, resident_a
    ):
        submit(
            as_alice,
            resident_a,
            **SIGNED_LETTER,
        )
        filing = Filing.objects.get()
        as_carol.post(
            reverse("filing:review", args=[filing.pk]),
            {"decision": "reject", "common_reason": "请提供异地居住证"},
        )
        filing.refresh_from_db()
        assert filing.status == FilingStatus.REJECTED
        records = as_alice.post(
            reverse("filing:list"), {"q": resident_a.id_number}, follow=True
        ).content.decode()
        assert "审核不通过" in records and "请提供异地居住证" in records

    def test_a_written_reason_wins_and_a_reason_is_required(
        self, manual_county, as_alice, as_carol, resident_a
    ):
        submit(as_alice, resident_a)
        filing = Filing.objects.get()
        url = reverse("filing:review", args=[filing.pk])
        as_carol.post(url, {"decision": "reject"})
        filing.refresh_from_db()
        assert filing.status == FilingStatus.PENDING
        as_carol.post(
            url,
            {
                "decision": "reject",
                "common_reason": "请提供异地居住证",
                "reason": "联系电话无法接通，请核实",
            },
        )
        filing.refresh_from_db()
        assert filing.rejection_reason == "联系电话无法接通，请核实"

    def test_an_unsigned_letter_cannot_be_approved(
        self, manual_county, as_alice, as_carol, resident_a
    ):
        submit(as_alice, resident_a, category=Category.LONG_TERM_RESIDENT, evidence="commitment")
        filing = Filing.objects.get()
        response = as_carol.post(
            reverse("filing:review", args=[filing.pk]), {"decision": "approve"}, follow=True
        )
        assert (
            "承诺书尚未签字，经办员上传签字的承诺书扫描件后才能审核通过"
            in response.content.decode()
        )
        filing.refresh_from_db()
        assert filing.status == FilingStatus.PENDING

    def test_overdue_filings_come_first(self, manual_county, as_carol, resident_a, alice):
        old = make_filing(
            resident_a,
            alice,
            status=FilingStatus.PENDING,
            care_region_code="110000",
            submitted_at=timezone.now() - datetime.timedelta(days=30),
        )
        new = make_filing(resident_a, alice, status=FilingStatus.PENDING)
        page = as_carol.get(reverse("filing:review_queue")).content.decode()
        assert page.index(old.get_absolute_url()) < page.index(new.get_absolute_url())
        assert "已超时" in page

    def test_a_queue_row_is_overdue_the_day_after_its_deadline(
        self, manual_county, as_carol, resident_a, alice, monkeypatch
    ):
        # Submitted on Friday 2026-11-20 at 10:00 (Beijing): 2 working days, due Tuesday 24th [002].
        make_filing(
            resident_a,
            alice,
            status=FilingStatus.PENDING,
            evidence="none",
            submitted_at=timezone.make_aware(datetime.datetime(2026, 11, 20, 10)),
        )

        def row_on(day: datetime.date) -> list[str]:
            monkeypatch.setattr(timezone, "localdate", lambda: day)
            page = as_carol.get(reverse("filing:review_queue")).content.decode()
            row = re.search(r"<tbody>\s*<tr(.*?)</tr>", page, re.S).group(1)
            return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)

        cells = row_on(datetime.date(2026, 11, 24))
        assert cells[0] == "2026-11-24" and re.sub(r"<[^>]+>", "", cells[1]) == "薛建国"
        assert cells[2:] == [
            "上海市",
            "其他临时外出就医人员",
            "无需材料",
            alice.station.name,
            "2026-11-20 10:00",
        ]
        assert row_on(datetime.date(2026, 11, 25))[0] == "2026-11-24 <strong>已超时</strong>"


class TestRecords:
    def test_each_row_shows_what_the_resident_reads(self, as_alice, resident_a, alice, monkeypatch):
        # An approved filing ending on 2026-06-30 is 已备案 that day and 已过期 the next [000].
        make_filing(
            resident_a,
            alice,
            care_region_code="110000",
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 6, 30),
            # 16:30 UTC is half past midnight in Beijing: the list shows the station's time.
            submitted_at=datetime.datetime(2025, 12, 31, 16, 30, tzinfo=datetime.UTC),
        )
        make_filing(
            resident_a,
            alice,
            category=Category.LONG_TERM_RESIDENT,
            end_date=None,
            status=FilingStatus.REJECTED,
            rejection_reason="请提供异地居住证明",
        )

        def records_on(day: datetime.date) -> str:
            monkeypatch.setattr(timezone, "localdate", lambda: day)
            return as_alice.get(reverse("filing:list")).content.decode()

        on_the_day = records_on(datetime.date(2026, 6, 30))
        assert "已过期" not in on_the_day and "已备案</span>" in on_the_day
        after = records_on(datetime.date(2026, 7, 1))
        assert "已过期</span>" in after and "已备案</span>" not in after
        assert "北京市" in after and "2026-01-01 至 2026-06-30" in after
        assert "2026-01-01 00:30" in after
        assert "2026-11-22 至 长期" in after and "异地长期居住人员" in after
        assert "审核不通过</span>" in after and "请提供异地居住证明" in after
        assert id_numbers.mask(resident_a.id_number) in after
        assert resident_a.id_number not in after

    def test_a_row_of_a_choice_no_longer_offered_shows_what_is_stored(
        self, as_alice, resident_a, alice
    ):
        make_filing(resident_a, alice, category="retired_category")
        page = as_alice.get(reverse("filing:list"))
        assert page.status_code == 200 and "retired_category" in page.content.decode()


class TestCancel:
    def test_a_cancelled_filing_shows_closed_and_stays_in_the_records(
        self, as_alice, resident_a, alice
    ):
        filing = make_filing(resident_a, alice, start_date=timezone.localdate())
        as_alice.post(reverse("filing:cancel", args=[filing.pk]), {"reason": "备案错误，重新备案"})
        filing.refresh_from_db()
        assert filing.status == FilingStatus.CANCELLED and filing.cancelled_by == alice
        records = as_alice.post(
            reverse("filing:list"), {"q": "薛建国"}, follow=True
        ).content.decode()
        assert "已关闭" in records

    def test_a_long_term_filing_is_not_cancelled_in_its_first_six_months(
        self, as_alice, resident_a, alice
    ):
        filing = make_filing(
            resident_a,
            alice,
            category=Category.LONG_TERM_RESIDENT,
            start_date=timezone.localdate(),
            end_date=None,
        )
        response = as_alice.post(
            reverse("filing:cancel", args=[filing.pk]), {"reason": "不去了"}, follow=True
        )
        assert "6 个月内不能取消" in response.content.decode()
        filing.refresh_from_db()
        assert filing.status == FilingStatus.APPROVED

    def test_a_reason_is_required(self, as_alice, resident_a, alice):
        filing = make_filing(resident_a, alice)
        as_alice.post(reverse("filing:cancel", args=[filing.pk]), {"reason": " "})
        filing.refresh_from_db()
        assert filing.status == FilingStatus.APPROVED


def test_a_late_filing_after_a_self_paid_discharge_tells_the_caseworker(as_alice, resident_a):
    submit(
        as_alice,
        resident_a,
        category=Category.EMERGENCY,
        late_filing="on",
        discharged_self_paid="on",
        admission_date=(timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        start_date=(timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
    )
    filing = Filing.objects.get()
    assert (
        "请按参保地规定申请医保手工报销" in as_alice.get(filing.get_absolute_url()).content.decode()
    )


def test_the_auditor_reads_but_cannot_file_or_cancel(dave, resident_a, alice):
    filing = make_filing(resident_a, alice)
    as_dave = client_for(dave)
    assert as_dave.get(filing.get_absolute_url()).status_code == 200
    assert (
        as_dave.post(reverse("filing:cancel", args=[filing.pk]), {"reason": "x"}).status_code == 404
    )


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_a_date_far_out_of_range_is_refused_with_a_message(as_alice, resident_a, start):
    """Issue 16: start_date=9999-12-31 answered 500 (its validity period overflowed)."""
    response = submit(as_alice, resident_a, start_date=start)
    assert response.status_code == 200
    assert "日期应在 1900 年至 2099 年之间，请核对。" in response.content.decode()
    assert not Filing.objects.exists()


class TestReadThenSign:
    """The 备案告知书 and the letter's words are shown before anything is signed."""

    def test_the_form_shows_the_countys_notice_and_both_letters(self, as_alice, resident_a, county):
        policy = Policy.for_county(county)
        policy.backdating_days = 0
        policy.save()
        page = as_alice.get(reverse("filing:create", args=[resident_a.pk])).content.decode()
        assert "基本医疗保险异地就医备案告知书" in page
        assert "开始日期不能早于申请当天。" in page  # the county's own rule, not the default
        assert "异地转诊人员：须提供转诊备案表（转出医院盖章），不能以个人承诺书代替。" in page
        assert "本人确因工作或居住需要前往异地" in page
        assert f"本人受参保人{resident_a.name}委托，代为申请办理异地就医备案" in page

    def test_the_notice_prints(self, as_alice, county):
        response = as_alice.get(reverse("filing:notice"), {"format": "pdf"})
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content).replace("\n", "").replace(" ", "")
        assert "基本医疗保险异地就医备案告知书" in text
        assert "开始日期最多可从申请之日向前追溯5天。" in text

    def test_an_agents_letter_is_in_the_agents_words(self, as_alice, resident_a):
        response = submit(
            as_alice,
            resident_a,
            **SIGNED_LETTER,
            **AGENT,
        )
        filing = Filing.objects.get(resident=resident_a)
        assert response.status_code == 302
        url = reverse("filing:commitment_letter", args=[filing.pk])
        letter = as_alice.get(url, {"format": "pdf"})
        text = pdf_text(letter.content).replace("\n", "")
        assert f"本人受参保人{resident_a.name}委托，代为申请办理异地就医备案" in text
        assert "本人确因工作" not in text and "代办人签字" in text


def test_one_print_gives_the_form_and_the_letter(as_alice, resident_a):
    """打印全部: one PDF, opened at once, with the filing form and then the letter; the print is
    recorded once, naming both."""
    submit(
        as_alice,
        resident_a,
        **SIGNED_LETTER,
    )
    filing = Filing.objects.get(resident=resident_a)
    page = as_alice.get(filing.get_absolute_url()).content.decode()
    assert "打印备案表和个人承诺书" in page
    response = as_alice.get(reverse("filing:print_all", args=[filing.pk]))
    assert response["Content-Type"] == "application/pdf"
    form, letter = [
        re.sub(r"\s+", "", sheet.extract_text()) for sheet in pdf_pages(response.content)
    ]
    assert "跨省异地就医登记备案表" in form and resident_a.id_number in form
    assert "基本医疗保险异地就医备案个人承诺书" in letter and resident_a.id_number in letter
    [entry] = AuditEntry.objects.filter(action=Action.PRINT)
    assert "《跨省异地就医登记备案表-薛建国》《个人承诺书-薛建国》" in entry.detail


def test_a_name_no_font_can_print_is_told_on_the_records_page(as_alice, resident_a, alice):
    filing = make_filing(resident_a, alice, contact_name="薛\U000f0000")  # a private-use character
    page = as_alice.get(filing.get_absolute_url()).content.decode()
    assert "以下字符没有可用的打印字体" in page and "U+F0000" in page


def test_the_form_sends_the_chosen_places_only_and_the_browser_keeps_the_rest(
    as_alice, resident_a, client
):
    """~700 options per page were most of the filing form's time and weight: the picker
    reads them from a static file; the page holds the chosen place, the field checks all."""
    url = reverse("filing:create", args=[resident_a.pk])
    page = as_alice.get(url).content.decode()
    care = page[page.index('name="care_region_code"') :]
    care = care[: care.index("</select>")]
    assert care.count("<option") == 1 and "请选择" in care
    assert len(page.encode()) < 40_000
    assert 'data-places="/static/data/places.json"' in page
    places = client.get("/static/data/places.json")
    assert places.status_code == 200
    # Refused for another reason, the form shows the place the caseworker chose.
    again = as_alice.post(url, post_data(contact_phone="123")).content.decode()
    care = again[again.index('name="care_region_code"') :]
    assert '<option value="310000" selected>上海市</option>' in care[: care.index("</select>")]
    # A place the list does not have is refused, as before.
    refused = as_alice.post(url, post_data(care_region_code="999999")).content.decode()
    assert "就医地无效。" in refused


def test_the_notice_must_be_read_before_a_filing_is_written(as_alice, resident_a, alice):
    """本人已仔细阅读备案告知书 [000][001]: folded behind 展示, with its print beside it, and a
    tick the form and the service both require."""
    page = as_alice.get(reverse("filing:create", args=[resident_a.pk])).content.decode()
    assert '<details class="notice-fold' in page and "展示备案告知书" in page
    assert reverse("filing:notice") + "?format=pdf" in page
    assert re.search(r'<input[^>]*name="by_agent"[^>]*autofocus', page)  # the first field
    response = submit(as_alice, resident_a, notice_read="")
    assert response.status_code == 200
    assert "请参保人（代办人）阅读备案告知书后勾选“已阅读”。" in response.content.decode()
    assert not resident_a.filings.exists()
    assert submit(as_alice, resident_a).status_code == 302
    assert resident_a.filings.get().notice_read


def test_the_service_refuses_a_filing_whose_notice_was_not_read(resident_a, alice):
    from django.core.exceptions import ValidationError

    from tests.test_filing_integrity import service_values

    with pytest.raises(ValidationError) as refusal:
        services.submit_filing(
            resident=resident_a,
            user=alice,
            values=service_values({"notice_read": False}),
            sighted=[],
            scan=None,
            scan_kind="",
            signature="",
            letter_scan=None,
        )
    assert refusal.value.message_dict == {"notice_read": [NOTICE_UNREAD]}


@pytest.mark.parametrize(
    ("reason", "field"),
    [
        ("请提供异地居住证", "evidence"),
        ("请提供转出医院盖章的转诊备案表", "evidence"),
        ("就医地选择有误，请重新备案", "care_region_code"),
        ("开始日期与入院日期不符", "admission_date"),
        ("联系电话是空号", "contact_phone"),
        ("代办人与参保人关系不清", "agent_name"),
        ("其他", "evidence"),
    ],
)
def test_a_returned_filing_refiled_shows_its_reason_beside_the_field(
    as_alice, resident_a, alice, reason, field
):
    """按原信息重新备案 (issue 29, item 3): the form comes filled from the returned filing, the
    reason beside the field it concerns."""
    returned = make_filing(resident_a, alice, status=FilingStatus.REJECTED, rejection_reason=reason)
    url = reverse("filing:create", args=[resident_a.pk]) + f"?from={returned.pk}"
    page = as_alice.get(url).content.decode()
    beside = re.search(
        rf'<div id="id_{field}_helptext" class="form-text"><strong class="text-danger">退回原因：'
        rf"{re.escape(reason)}</strong></div>",
        page,
    )
    assert beside, page[page.find("退回原因") - 300 : page.find("退回原因") + 300]
    assert 'value="310000" selected' in page  # the returned filing's place, filled in
    assert not re.search(r'name="notice_read"[^>]*checked', page)  # read again, ticked again
