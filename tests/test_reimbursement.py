"""Out-of-county reimbursement: the seed's document lists [001], the conditional documents at
their boundaries, the notice, and forwarding."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Policy
from audit.models import Action, AuditEntry
from reimbursement.models import CaseKind, CaseStatus, Document, ReimbursementCase, checklist
from tests.conftest import ZHANG_JUAN_ID, make_case
from tests.pdfs import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

INPATIENT_REQUIRED = [
    "费用总发票",
    "费用清单",
    "诊断建议书、入院证、出院证",
    "住院病历（全套）",
    "病人本人的身份证、社保卡复印件（身份证正反面+社保卡正面复印在一张上）",
]
CHRONIC_REQUIRED = [
    "费用发票",
    "处方",
    "对应发票、处方的检查单",
    "病人本人的身份证、社保卡复印件",
]
THRESHOLD = Decimal("30000.00")


def labels(kind="inpatient", cost="1000.00", birth="", accident=False, received=()):
    items = checklist(
        kind=kind,
        total_cost=Decimal(cost),
        birth=birth,
        accidental_injury=accident,
        threshold=THRESHOLD,
        received=list(received),
    )
    return [item.label for item in items]


class TestChecklist:
    def test_inpatient_needs_the_five_documents_of_the_seed(self):
        assert labels() == INPATIENT_REQUIRED

    def test_chronic_needs_the_four_documents_of_the_seed(self):
        assert labels(kind="chronic") == CHRONIC_REQUIRED

    @pytest.mark.parametrize("birth", ["natural", "caesarean"])  # 顺产, 剖腹产
    def test_a_birth_needs_the_birth_certificate(self, birth):
        assert labels(birth=birth) == [*INPATIENT_REQUIRED, "出生医学证明"]

    def test_an_accidental_injury_needs_the_survey_from_china_life(self):
        assert labels(accident=True) == [
            *INPATIENT_REQUIRED,
            "意外伤害调查表（在中国人寿保险公司领取）",
        ]

    @pytest.mark.parametrize(
        ("cost", "needed"),
        [("29999.99", False), ("30000.00", True), ("30000.01", True)],
    )
    def test_the_large_amount_letter_from_30000_yuan(self, cost, needed):
        assert ("大额补偿承诺书" in labels(cost=cost)) is needed

    def test_chronic_cases_have_no_conditional_documents(self):
        assert labels(kind="chronic", cost="50000", birth="natural", accident=True) == (
            CHRONIC_REQUIRED
        )

    def test_every_condition_at_once(self):
        assert labels(cost="80000", birth="caesarean", accident=True)[5:] == [
            "出生医学证明",
            "意外伤害调查表（在中国人寿保险公司领取）",
            "大额补偿承诺书",
        ]


def case_data(**overrides) -> dict:
    data = {
        "id_number": "",
        "kind": "inpatient",
        "hospital": "山西医科大学第一医院",
        "admission_date": "2026-10-08",
        "discharge_date": "2026-10-20",
        "chronic_disease": "",
        "total_cost": "12345.60",
        "birth": "",
    }
    data.update(overrides)
    return data


class TestAtTheCounter:
    def post(self, client, resident, **overrides):
        return client.post(
            reverse("reimbursement:create"), case_data(id_number=resident.id_number, **overrides)
        )

    def test_a_case_opens_incomplete_and_lists_what_is_missing(self, as_alice, resident_a, alice):
        response = self.post(as_alice, resident_a, received=["invoice_total", "fee_list"])
        case = ReimbursementCase.objects.get()
        assert response["Location"] == case.get_absolute_url()
        assert case.status == CaseStatus.INCOMPLETE and case.station == alice.station
        assert case.total_cost == Decimal("12345.60")
        assert [i.label for i in case.missing()] == INPATIENT_REQUIRED[2:]

    def test_the_missing_materials_notice_lists_exactly_what_is_missing(self, as_alice, resident_a):
        self.post(
            as_alice,
            resident_a,
            total_cost="30000.00",
            birth="natural",
            received=["invoice_total", "fee_list", "certificates"],
        )
        case = ReimbursementCase.objects.get()
        response = as_alice.get(
            reverse("reimbursement:missing_notice", args=[case.pk]), {"format": "pdf"}
        )
        text = pdf_text(response.content)
        received, missing = text.split("还需补交的材料")[1].split("以上")[0], text
        assert "一次性告知单" in text and "薛建国" in text and resident_a.id_number in text
        for label in [
            "住院病历（全套）",
            "出生医学证明（因顺产）",
            "大额补偿承诺书（因总费用达到30,000.00元）",
        ]:
            assert label in missing, label
        for label in ["费用总发票", "费用清单", "诊断建议书、入院证、出院证"]:
            assert label in received, label
        assert "古魏镇医保站，芮城县古魏镇便民服务中心120办公室" in text
        assert "0359-3021120" in text
        assert timezone.localdate().strftime("%Y年") in text

    def test_it_cannot_be_forwarded_while_anything_is_missing(self, as_alice, resident_a):
        self.post(as_alice, resident_a, received=INPATIENT_DOCS[:4])
        case = ReimbursementCase.objects.get()
        response = as_alice.post(reverse("reimbursement:forward", args=[case.pk]), follow=True)
        assert "材料不全，不能报送。还缺少：病人本人的身份证" in response.content.decode()
        case.refresh_from_db()
        assert case.status == CaseStatus.INCOMPLETE and case.forwarded_at is None

    def test_the_resident_returns_the_case_completes_and_is_forwarded(
        self, as_alice, resident_a, alice
    ):
        self.post(as_alice, resident_a, received=INPATIENT_DOCS[:3])
        case = ReimbursementCase.objects.get()
        as_alice.post(
            reverse("reimbursement:edit", args=[case.pk]),
            case_data(id_number=resident_a.id_number, received=INPATIENT_DOCS),
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.COMPLETE and case.completed_at
        as_alice.post(reverse("reimbursement:forward", args=[case.pk]))
        case.refresh_from_db()
        assert case.status == CaseStatus.FORWARDED and case.forwarded_by == alice
        assert case.history.latest().history_user == alice
        response = as_alice.post(
            reverse("reimbursement:edit", args=[case.pk]),
            case_data(id_number=resident_a.id_number, total_cost="1"),
        )
        assert "已报送县医保中心，不能再修改" in response.content.decode()

    def test_raising_the_cost_over_the_threshold_reopens_the_case(self, as_alice, resident_a):
        self.post(as_alice, resident_a, received=INPATIENT_DOCS)
        case = ReimbursementCase.objects.get()
        assert case.status == CaseStatus.COMPLETE
        as_alice.post(
            reverse("reimbursement:edit", args=[case.pk]),
            case_data(
                id_number=resident_a.id_number, total_cost="30000.01", received=INPATIENT_DOCS
            ),
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.INCOMPLETE
        assert [i.label for i in case.missing()] == ["大额补偿承诺书"]

    def test_a_chronic_case(self, as_alice, resident_a):
        self.post(
            as_alice,
            resident_a,
            kind="chronic",
            chronic_disease="高血压",
            admission_date="",
            discharge_date="",
            total_cost="860.50",
            received=["invoice", "prescription", "examinations", "chronic_id_copies"],
        )
        case = ReimbursementCase.objects.get()
        assert case.status == CaseStatus.COMPLETE and case.chronic_disease == "高血压"
        assert case.admission_date is None

    def test_the_large_amount_letter_is_printed_with_the_residents_data(
        self, as_alice, resident_a, alice
    ):
        case = make_case(resident_a, alice, total_cost=Decimal("45678.90"))
        response = as_alice.get(
            reverse("reimbursement:large_amount_letter", args=[case.pk]), {"format": "pdf"}
        )
        text = pdf_text(response.content)
        for expected in [
            "大额补偿承诺书",
            "薛建国",
            resident_a.id_number,
            "45678.90",
            "山西医科大学第一医院",
            "2026年10月8日至2026年10月20日",
        ]:
            assert expected in text, expected
        # Issue 18: 经办人 was left blank, and the date broke across lines.
        assert f"经办人：{alice.full_name}" in text.replace(" ", "")
        today = timezone.localdate()
        assert f"日期：{today.year}年{today.month}月{today.day}日" in text.replace(" ", "")

    def test_the_checklist_follows_the_cost_and_flags_without_a_reload(self, as_alice):
        url = reverse("reimbursement:checklist")
        below = as_alice.get(url, {"kind": "inpatient", "total_cost": "29999.99"}).content.decode()
        at = as_alice.get(
            url,
            {
                "kind": "inpatient",
                "total_cost": "30000",
                "accidental_injury": "on",
                "received": "fee_list",
            },
        ).content.decode()
        assert "大额补偿承诺书" not in below
        assert "大额补偿承诺书" in at and "意外伤害调查表" in at
        assert re.search(r'value="fee_list"\s+id="doc-fee_list"\s+checked', at)

    def test_the_county_sets_the_threshold(self, as_alice, resident_a, county):
        policy = Policy.for_county(county)
        policy.large_amount_threshold = Decimal("50000.00")
        policy.save()
        self.post(as_alice, resident_a, total_cost="30000.00", received=INPATIENT_DOCS)
        assert ReimbursementCase.objects.get().status == CaseStatus.COMPLETE


INPATIENT_DOCS = [
    Document.INVOICE_TOTAL.value,
    Document.FEE_LIST.value,
    Document.CERTIFICATES.value,
    Document.INPATIENT_RECORD.value,
    Document.ID_CARD_COPIES.value,
]


class TestBadInput:
    def post(self, client, **overrides):
        return client.post(reverse("reimbursement:create"), case_data(**overrides))

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"discharge_date": "2026-10-07"}, "出院日期不能早于入院日期。"),
            ({"total_cost": "-1.00"}, "总费用不能为负数。"),
            ({"total_cost": "0"}, "总费用应大于 0 元。"),
            ({"total_cost": "12.345"}, "确认小数不超过 2 位"),
            ({"kind": "chronic", "chronic_disease": ""}, "慢性病补偿须填写病种。"),
        ],
    )
    def test_it_is_refused_with_a_message_and_nothing_is_saved(
        self, as_alice, resident_a, overrides, message
    ):
        response = self.post(as_alice, id_number=resident_a.id_number, **overrides)
        page = response.content.decode()
        assert response.status_code == 200 and message in page
        assert 'value="山西医科大学第一医院"' in page
        assert not ReimbursementCase.objects.exists()

    def test_a_future_admission_date_is_refused(self, as_alice, resident_a):
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        page = self.post(
            as_alice,
            id_number=resident_a.id_number,
            admission_date=tomorrow,
            discharge_date=tomorrow,
        ).content.decode()
        assert "入院日期不能晚于今天。" in page
        assert not ReimbursementCase.objects.exists()

    def test_another_stations_resident_is_refused(self, as_alice, resident_b):
        page = self.post(as_alice, id_number=resident_b.id_number).content.decode()
        assert "该身份证号码已在其他医保站登记（风陵渡镇医保站）" in page
        assert resident_b.name not in page
        assert not ReimbursementCase.objects.exists()

    def test_an_unregistered_or_invalid_number_says_which(self, as_alice):
        page = self.post(as_alice, id_number=ZHANG_JUAN_ID).content.decode()
        assert "该身份证号码尚未登记参保人，请先登记参保人再受理补偿。" in page
        # Registering her is one press away, her number carried.
        assert f'name="id_number" value="{ZHANG_JUAN_ID}"' in page and "办理参保登记" in page
        page = self.post(as_alice, id_number="140830195803120099").content.decode()
        assert "校验位错误" in page and "办理参保登记" not in page
        assert not ReimbursementCase.objects.exists()


def test_the_station_day_lists_open_cases_oldest_first(
    as_alice, resident_a, alice, bob, resident_b
):
    old = make_case(resident_a, alice, created_at=timezone.now() - datetime.timedelta(days=9))
    new = make_case(resident_a, alice, hospital="运城市中心医院")
    make_case(resident_b, bob, hospital="别站医院")
    page = as_alice.get(reverse("home")).content.decode()
    assert page.index(old.get_absolute_url()) < page.index(new.get_absolute_url())
    assert "9 天" in page and "0 天" in page
    assert "别站医院" not in page and "住院病历（全套）" in page


def test_a_case_is_voided_with_a_reason_and_stays(as_alice, resident_a, alice):
    case = make_case(resident_a, alice)
    url = reverse("reimbursement:void", args=[case.pk])
    as_alice.post(url, {"reason": " "})
    case.refresh_from_db()
    assert case.status == CaseStatus.INCOMPLETE
    as_alice.post(url, {"reason": "重复受理"})
    case.refresh_from_db()
    assert case.status == CaseStatus.VOIDED and case.void_reason == "重复受理"
    assert ReimbursementCase.objects.filter(pk=case.pk).exists()
    assert case.history.latest().history_user == alice
    assert "重复受理" in as_alice.get(case.get_absolute_url()).content.decode()
    assert case.get_absolute_url() not in as_alice.get(reverse("home")).content.decode()


def test_the_home_page_shows_the_fifteen_longest_waiting_and_links_to_the_rest(
    as_alice, resident_a, alice
):
    for days in range(16):
        make_case(resident_a, alice, created_at=timezone.now() - datetime.timedelta(days=days))
    page = as_alice.get(reverse("home")).content.decode()
    assert "15 天" in page and "1 天" in page and "<strong>0 天</strong>" not in page
    assert "?status=incomplete" in page and "查看全部材料不全的案件" in page
    listed = as_alice.get(reverse("reimbursement:list"), {"status": "incomplete"})
    assert listed.context["page"].count == 16


def test_no_link_to_the_rest_when_all_waiting_cases_are_shown(as_alice, resident_a, alice):
    for days in range(15):
        make_case(resident_a, alice, created_at=timezone.now() - datetime.timedelta(days=days))
    assert "查看全部材料不全的案件" not in as_alice.get(reverse("home")).content.decode()


def test_the_station_day_is_rebuilt_after_each_change_and_only_then(
    as_alice, alice, resident_a, as_erin, erin, django_assert_max_num_queries
):
    policy = Policy.for_county(erin.county)  # made on first read; exists in a real county
    case = make_case(resident_a, alice, total_cost=Decimal("25000.00"))
    page = as_alice.get(reverse("home")).content.decode()
    assert case.get_absolute_url() in page and "大额补偿承诺书" not in page
    with django_assert_max_num_queries(6):  # session, user, station: the day is kept
        as_alice.get(reverse("home"))

    # A county-wide change (the threshold, by the administrator) shows at once.
    data = {
        "version": policy.version,
        "backdating_days": 5,
        "temporary_validity_months": 6,
        "referral_validity_months": 6,
        "long_term_min_validity_months": 12,
        "long_term_cancel_after_months": 6,
        "large_amount_threshold": "20000.00",
        "manual_review_working_days": 3,
        "automatic_review": "on",
        "emergency_filing": "without_materials",
        "emergency_effective_at_once": "on",
        "posting_months": 6,
    }
    assert as_erin.post(reverse("administration:policy"), data).status_code == 302
    assert "大额补偿承诺书" in as_alice.get(reverse("home")).content.decode()

    # So does the station's own work: the case is completed and leaves the waiting list.
    case.received = [item.document for item in case.checklist()]
    case.refresh_status()
    case.save()
    assert case.get_absolute_url() not in as_alice.get(reverse("home")).content.decode()


def test_a_lost_change_mark_is_replaced_by_a_new_one(alice):
    from django.core.cache import cache

    from audit.page_cache import change_marks

    before = change_marks("all", "station:1")
    assert change_marks("all", "station:1") == before
    cache.delete("changed:station:1")
    assert change_marks("all", "station:1") != before


def test_another_stations_work_leaves_the_station_day_as_it_is(
    as_alice, alice, bob, resident_b, as_carol, django_assert_max_num_queries
):
    Policy.for_county(alice.county)
    as_alice.get(reverse("home"))
    as_carol.get(reverse("home"))
    case = make_case(resident_b, bob)
    with django_assert_max_num_queries(6):  # alice's station: nothing changed
        page = as_alice.get(reverse("home")).content.decode()
    assert case.get_absolute_url() not in page
    # The county's supervisor sees it at once.
    assert case.get_absolute_url() in as_carol.get(reverse("home")).content.decode()


class TestTheCaseList:
    """The station's list is kept in the cache between changes (issue 9); a user must never
    see it stale."""

    def test_each_change_at_the_station_shows_at_once(
        self, as_alice, alice, resident_a, django_assert_max_num_queries
    ):
        url = reverse("reimbursement:list")
        first = make_case(resident_a, alice, hospital="运城市中心医院")
        assert "运城市中心医院" in as_alice.get(url).content.decode()
        with django_assert_max_num_queries(4):  # session, user: the rows are kept
            assert "运城市中心医院" in as_alice.get(url).content.decode()

        second = make_case(resident_a, alice, hospital="山西白求恩医院")
        page = as_alice.get(url).content.decode()
        assert second.get_absolute_url() in page and first.get_absolute_url() in page

        # A change of the resident's name (another record than the case) shows too.
        resident_a.name = "李秀英"
        resident_a.save()
        assert "李秀英" in as_alice.get(url).content.decode()

        # The status filter's own page follows the case out of it.
        waiting = as_alice.get(url, {"status": "incomplete"}).content.decode()
        assert first.get_absolute_url() in waiting
        first.received = [item.document for item in first.checklist()]
        first.refresh_status()
        first.save()
        waiting = as_alice.get(url, {"status": "incomplete"}).content.decode()
        assert first.get_absolute_url() not in waiting
        assert second.get_absolute_url() in waiting
        done = as_alice.get(url, {"status": "complete"}).content.decode()
        assert first.get_absolute_url() in done and second.get_absolute_url() not in done

    def test_another_stations_work_leaves_it_as_it_is(
        self, as_alice, alice, bob, resident_a, resident_b, as_carol, django_assert_max_num_queries
    ):
        url = reverse("reimbursement:list")
        mine = make_case(resident_a, alice)
        as_alice.get(url)
        as_carol.get(url)
        theirs = make_case(resident_b, bob)
        with django_assert_max_num_queries(4):
            page = as_alice.get(url).content.decode()
        assert mine.get_absolute_url() in page and theirs.get_absolute_url() not in page
        # The county's supervisor sees the other station's case at once.
        page = as_carol.get(url).content.decode()
        assert mine.get_absolute_url() in page and theirs.get_absolute_url() in page

    def test_a_row_shows_the_case_in_words_and_the_station_s_date(
        self, as_alice, alice, resident_a
    ):
        case = make_case(
            resident_a,
            alice,
            kind=CaseKind.CHRONIC,
            total_cost=Decimal("880.50"),
            # 16:30 UTC on 31 October is 00:30 on 1 November in Beijing.
            created_at=datetime.datetime(2026, 10, 31, 16, 30, tzinfo=datetime.UTC),
        )
        row = re.search(
            rf'<tr><td class="text-nowrap"><a href="{case.get_absolute_url()}">(.*?)</tr>',
            as_alice.get(reverse("reimbursement:list")).content.decode(),
            re.S,
        ).group(1)
        cells = [resident_a.name, *re.findall(r"<td>(.*?)</td>", row)]
        assert cells == [
            resident_a.name,
            "县域外慢性病补偿",
            "山西医科大学第一医院",
            "880.50",
            "材料不全",
            "2026-11-01",
        ]

    def test_a_row_of_a_choice_no_longer_offered_shows_what_is_stored(
        self, as_alice, alice, resident_a
    ):
        make_case(resident_a, alice, kind="retired")  # max_length 10
        page = as_alice.get(reverse("reimbursement:list"))
        assert page.status_code == 200 and "<td>retired</td>" in page.content.decode()

    def test_a_search_finds_a_case_opened_since_the_last_search(self, as_alice, alice, resident_a):
        url = reverse("reimbursement:list")
        as_alice.post(url, {"q": resident_a.id_number})
        assert "没有补偿案件" in as_alice.get(url).content.decode()
        case = make_case(resident_a, alice)
        assert case.get_absolute_url() in as_alice.get(url).content.decode()

    def test_garbled_page_links_show_the_first_page_of_cases(
        self, settings, as_alice, alice, resident_a
    ):
        settings.PAGE_SIZE = 2
        cases = [
            make_case(resident_a, alice, created_at=timezone.now() - datetime.timedelta(days=d))
            for d in range(5)
        ]
        url = reverse("reimbursement:list")
        for garbled in ({"after": "abc"}, {"before": "２"}, {"page": "3"}, {"last": "yes"}):
            page = as_alice.get(url, garbled)
            assert page.status_code == 200
            assert cases[0].get_absolute_url() in page.content.decode(), garbled
        last = as_alice.get(url, {"last": "1"}).content.decode()
        assert cases[4].get_absolute_url() in last and cases[0].get_absolute_url() not in last
        # An unknown status is no filter.
        assert "共 5 条" in as_alice.get(url, {"status": "lost"}).content.decode()


def test_the_case_form_puts_the_cursor_where_the_caseworker_starts(as_alice, resident_a):
    """Issue 18: the case form had no initial focus."""
    import re

    page = as_alice.get(reverse("reimbursement:create")).content.decode()
    assert re.search(r'<input[^>]*name="id_number"[^>]*autofocus', page)
    url = reverse("reimbursement:create") + f"?resident={resident_a.pk}"
    page = as_alice.get(url).content.decode()
    assert re.search(r'<input[^>]*name="hospital"[^>]*autofocus', page)
    assert "参保人：薛建国" in page


@pytest.mark.parametrize(("cost", "sheets"), [("29999.99", 1), ("30000.00", 2)])
def test_one_print_gives_the_letter_from_the_threshold_on(
    as_alice, resident_a, alice, cost, sheets
):
    """打印全部 of a case: the 一次性告知单, and the 大额补偿承诺书 from 30,000 yuan [001]."""
    case = make_case(resident_a, alice, total_cost=Decimal(cost))
    response = as_alice.get(reverse("reimbursement:print_all", args=[case.pk]))
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    assert len(pages) == sheets
    assert "一次性告知单" in pages[0].extract_text()
    if sheets == 2:
        assert "大额补偿承诺书" in pages[1].extract_text() and cost in pages[1].extract_text()


@pytest.mark.parametrize(("cost", "offered"), [("29999.99", False), ("30000.00", True)])
def test_the_large_amount_letter_is_signed_at_the_counter_in_one_press(
    as_alice, resident_a, alice, cost, offered
):
    """打印并当场签署 (issue 29, item 7): one press records the 大额补偿承诺书 as received and
    prints it with the 一次性告知单, which says 本次当场签署 instead of listing it as missing."""
    case = make_case(resident_a, alice, total_cost=Decimal(cost))
    url = reverse("reimbursement:sign_letter", args=[case.pk])
    page = as_alice.get(case.get_absolute_url()).content.decode()
    assert (url in page) is offered
    response = as_alice.post(url)
    case.refresh_from_db()
    if not offered:
        assert response.status_code == 302
        assert "large_amount_letter" not in case.received
        return
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    assert len(pages) == 2
    notice = pdf_text(response.content).split("大额补偿承诺书", 1)
    assert "已收到的材料" in notice[0]
    assert "（本次当场签署）" in pdf_text(response.content)
    assert "还需补交的材料" in notice[0]
    assert "large_amount_letter" in case.received
    assert url not in as_alice.get(case.get_absolute_url()).content.decode()
    assert AuditEntry.objects.filter(action=Action.PRINT, record_id=str(case.pk)).exists()


def test_signing_the_letter_is_refused_at_the_service_once_forwarded(resident_a, alice):
    from django.core.exceptions import ValidationError

    from reimbursement import services

    case = make_case(resident_a, alice, total_cost=Decimal("45000"), status="forwarded")
    with pytest.raises(ValidationError, match="已报送"):
        services.sign_large_amount_letter(case, user=alice)
    small = make_case(resident_a, alice, total_cost=Decimal("100"))
    with pytest.raises(ValidationError, match="不需要大额补偿承诺书"):
        services.sign_large_amount_letter(small, user=alice)
