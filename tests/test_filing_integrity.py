"""A filing is right before it is written, on every path (issue 26): the counter's form and
the service refuse the same filings with the same messages; 确认信息 before 提交; a filing
made in error is closed by a supervisor and filed again; 补办 starts on the admission date;
常驻异地工作 is checked against the county's posting length."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Policy
from audit.models import AuditEntry
from filing import services
from filing.forms import FilingForm
from filing.models import Category, Filing, FilingStatus
from filing.notice import notice
from tests.conftest import SIGNATURE, make_filing, make_id
from tests.pdfs import pdf_text
from tests.test_filing_counter import post_data, submit

pytestmark = pytest.mark.django_db

T = timezone.localdate()
DAY = datetime.timedelta(days=1)
AGENT_ID = make_id("14083019850607001")

# Each filing the counter's form refuses, as the values a service is given, and the field
# whose message the refusal carries. Every rule of filing.models.filing_problems is here.
REFUSED = [
    ("backdated past the limit", {"start_date": T - 6 * DAY}, "start_date"),
    (
        "the issue's case: years back, one day long",
        {"start_date": datetime.date(2020, 1, 1), "end_date": datetime.date(2020, 1, 2)},
        "start_date",
    ),
    ("temporary care shorter than 6 months", {"end_date": T + 30 * DAY}, "end_date"),
    ("an end before the start", {"end_date": T - DAY}, "end_date"),
    (
        "long-term residence shorter than a year",
        {
            "category": Category.LONG_TERM_RESIDENT,
            "evidence": "materials",
            "end_date": T + 100 * DAY,
        },
        "end_date",
    ),
    (
        "a referral whose end is not its 6 months",
        {
            "category": Category.REFERRAL,
            "evidence": "materials",
            "referring_hospital": "运城市中心医院",
            "end_date": T + 400 * DAY,
        },
        "end_date",
    ),
    (
        "a referral without its hospital",
        {"category": Category.REFERRAL, "evidence": "materials"},
        "referring_hospital",
    ),
    ("care in the insured region itself", {"care_region_code": "140800"}, "care_region_code"),
    ("a province where a city is filed", {"care_region_code": "440000"}, "care_region_code"),
    ("a city where the province is filed", {"care_region_code": "460100"}, "care_region_code"),
    ("no such place", {"care_region_code": "999999"}, "care_region_code"),
    (
        "an admission in the future",
        {"category": Category.EMERGENCY, "admission_date": T + DAY},
        "admission_date",
    ),
    ("a late filing without its admission", {"late_filing": True}, "admission_date"),
    ("an admission for ordinary care", {"admission_date": T - DAY}, "admission_date"),
    (
        "a self-paid discharge not filed late",
        {"discharged_self_paid": True},
        "discharged_self_paid",
    ),
    (
        "an agent without an ID number",
        {"agent_name": "薛小军", "agent_phone": "13900001111", "agent_relationship": "child"},
        "agent_id_number",
    ),
    (
        "an agent whose documents were not sighted",
        {
            "agent_name": "薛小军",
            "agent_id_number": AGENT_ID,
            "agent_phone": "13900001111",
            "agent_relationship": "child",
        },
        "agent_documents_sighted",
    ),
    (
        "an agent ID number with a wrong check digit",
        {
            "agent_name": "薛小军",
            "agent_id_number": AGENT_ID[:-1] + ("1" if AGENT_ID[-1] != "1" else "2"),
            "agent_phone": "13900001111",
            "agent_relationship": "child",
            "agent_documents_sighted": True,
        },
        "agent_id_number",
    ),
    (
        "a posted worker whose posting length was not checked",
        {"category": Category.POSTED_WORKER, "evidence": "commitment", "signature": SIGNATURE},
        "posting_length_checked",
    ),
    ("maternity where the county does not file it", {"category": Category.MATERNITY}, "category"),
    ("no category at all", {"category": ""}, "category"),
    ("no evidence chosen", {"evidence": ""}, "evidence"),
    (
        "long-term residence with no material and no letter",
        {"category": Category.LONG_TERM_RESIDENT},
        "evidence",
    ),
    (
        "a material of another category",
        {
            "category": Category.LONG_TERM_RESIDENT,
            "evidence": "materials",
            "sighted": ["labour_contract"],
        },
        "sighted",
    ),
    ("a phone number that is none", {"contact_phone": "12345"}, "contact_phone"),
    ("a contact name with a control character", {"contact_name": "薛\x07建国"}, "contact_name"),
    ("a contact name longer than it is kept", {"contact_name": "薛" * 31}, "contact_name"),
    ("an address longer than it is kept", {"contact_address": "芮" * 101}, "contact_address"),
]
NOT_VALUES = ("sighted", "signature")


def service_values(overrides: dict) -> dict:
    values = {
        "insured_region_code": "140800",
        "care_region_code": "310000",
        "insurance_type": "resident",
        "category": Category.OTHER_TEMPORARY,
        "start_date": T,
        "contact_name": "薛建国",
        "contact_phone": "13835901234",
        "contact_address": "上海市浦东新区张江路1号",
        "evidence": "none",
        "notice_read": True,
    }
    values.update({k: v for k, v in overrides.items() if k not in NOT_VALUES})
    return values


def as_posted(overrides: dict) -> dict:
    data = {}
    for name, value in overrides.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = value
    if any(name.startswith("agent_") for name in overrides):
        data["by_agent"] = "on"
    return data


@pytest.mark.parametrize(("case", "overrides", "field"), REFUSED, ids=[c[0] for c in REFUSED])
def test_what_the_form_refuses_the_service_refuses_with_the_same_message(
    resident_a, alice, county, case, overrides, field
):
    policy = Policy.for_county(county)
    form = FilingForm(
        post_data(**as_posted(overrides)), {}, resident=resident_a, policy=policy, today=T
    )
    assert not form.is_valid()
    assert field in form.errors, form.errors
    with pytest.raises(ValidationError) as refusal:
        services.submit_filing(
            resident=resident_a,
            user=alice,
            values=service_values(overrides),
            sighted=overrides.get("sighted", []),
            scan=None,
            scan_kind="",
            signature=overrides.get("signature", ""),
            letter_scan=None,
        )
    assert refusal.value.message_dict[field][0] == form.errors[field][0]
    assert not Filing.objects.exists()


def test_the_service_accepts_what_the_form_accepts(resident_a, alice):
    filing = services.submit_filing(
        resident=resident_a,
        user=alice,
        values=service_values({}),
        sighted=[],
        scan=None,
        scan_kind="",
        signature="",
        letter_scan=None,
    )
    # The end left out is the category's: 6 months, inclusive.
    assert filing.status == FilingStatus.APPROVED
    assert filing.end_date is not None and filing.end_date > T + 180 * DAY


class TestConfirmation:
    """江苏医保云 [002]: 申报基本信息 → 上传材料 → 确认信息 → 提交."""

    def test_nothing_is_written_before_the_confirmation(self, as_alice, resident_a):
        data = post_data(care_region_code="440100")
        del data["confirmed"]
        response = as_alice.post(reverse("filing:create", args=[resident_a.pk]), data)
        page = response.content.decode()
        assert response.status_code == 200 and not Filing.objects.exists()
        assert 'id="filing-confirm"' in page and "确认提交" in page
        assert 'confirm-place">广东省广州市</dd>' in page
        assert "其他临时外出就医人员" in page and "138****1234" in page
        assert "13835901234" not in page.split('id="filing-form"')[0]

    def test_confirmed_it_is_filed_once(self, as_alice, resident_a):
        response = submit(as_alice, resident_a, care_region_code="440100")
        filing = Filing.objects.get()
        assert response["Location"] == filing.get_absolute_url()
        assert filing.care_region_code == "440100"

    def test_an_overlap_is_said_before_the_confirmation(self, as_alice, resident_a, alice):
        make_filing(resident_a, alice, start_date=T, end_date=T + 200 * DAY)
        data = post_data()
        del data["confirmed"]
        page = as_alice.post(reverse("filing:create", args=[resident_a.pk]), data)
        assert "有效期不能重叠" in page.content.decode()
        assert 'id="filing-confirm"' not in page.content.decode()


class TestClosedInError:
    """[000][001]: 如备案错误…取消备案, shown 已关闭; the six-month lock [001][003] is the
    resident's, not the office's."""

    @pytest.fixture
    def wrong(self, resident_a, alice):
        # A long-term filing to the wrong city, approved, on its first day.
        return make_filing(
            resident_a,
            alice,
            category=Category.LONG_TERM_RESIDENT,
            care_region_code="360700",  # 赣州, where 广州 was meant
            start_date=T,
            end_date=None,
        )

    def test_the_lock_still_governs_a_residents_cancellation(self, wrong):
        assert "6 个月内不能取消" in wrong.cancel_refusal(T)

    def test_a_supervisor_closes_it_on_its_first_day_and_it_is_filed_again(
        self, wrong, as_carol, as_alice, resident_a
    ):
        response = as_carol.post(
            reverse("filing:close_in_error", args=[wrong.pk]), {"reason": "就医地录入错误"}
        )
        assert response.status_code == 302
        wrong.refresh_from_db()
        assert wrong.status == FilingStatus.CANCELLED and wrong.closed_in_error
        assert wrong.cancel_reason == "就医地录入错误"
        detail = as_carol.get(wrong.get_absolute_url()).content.decode()
        assert "该备案因备案错误已关闭" in detail and "已关闭" in detail
        entry = AuditEntry.objects.filter(record_id=str(wrong.pk)).latest("id")
        assert entry.user.username == "carol" and "就医地录入错误" in str(entry.changes)
        assert "备案错误关闭" in str(entry.changes)

        # The caseworker files the right one, pre-filled from the closed one.
        form_page = as_alice.get(
            reverse("filing:create", args=[resident_a.pk]), {"from": wrong.pk}
        ).content.decode()
        assert "错误原因" in form_page and "就医地录入错误" in form_page
        assert 'value="360700" selected' in form_page  # the place to put right
        submit(
            as_alice,
            resident_a,
            care_region_code="440100",
            category=Category.LONG_TERM_RESIDENT,
            evidence="commitment",
            signature=SIGNATURE,
        )
        right = Filing.objects.exclude(pk=wrong.pk).get()
        assert right.care_region_code == "440100" and right.status == FilingStatus.APPROVED

        printed = pdf_text(
            as_alice.get(reverse("filing:filing_form", args=[wrong.pk]), {"format": "pdf"}).content
        )
        assert "本备案已因备案错误关闭（就医地录入错误）" in printed

    def test_a_caseworker_cannot_close_it(self, wrong, as_alice, alice):
        response = as_alice.post(
            reverse("filing:close_in_error", args=[wrong.pk]), {"reason": "就医地录入错误"}
        )
        assert response.status_code in (403, 404)
        with pytest.raises(ValidationError, match="只有审核员"):
            services.close_in_error(wrong, alice, "就医地录入错误", T)
        wrong.refresh_from_db()
        assert wrong.status == FilingStatus.APPROVED

    def test_a_reason_is_required(self, wrong, carol):
        with pytest.raises(ValidationError, match="请填写备案错误的原因"):
            services.close_in_error(wrong, carol, "", T)

    def test_nothing_to_close_once_expired_or_closed(self, resident_a, alice, carol):
        ended = make_filing(resident_a, alice, start_date=T - 200 * DAY, end_date=T - DAY)
        with pytest.raises(ValidationError, match="已过期"):
            services.close_in_error(ended, carol, "录入错误", T)
        # The day it ends it is still in force, and can be closed.
        assert ended.close_in_error_refusal(T - DAY) == ""
        closed = make_filing(
            resident_a, alice, care_region_code="110000", status=FilingStatus.CANCELLED
        )
        with pytest.raises(ValidationError, match="已关闭"):
            services.close_in_error(closed, carol, "录入错误", T)


class TestLateFilingStart:
    """[004]: a late filing must be able to start on the admission date; one that starts
    later is honest about the stay it does not cover."""

    def test_a_start_after_the_admission_says_the_stay_is_not_settled_directly(
        self, resident_a, alice
    ):
        filing = make_filing(
            resident_a,
            alice,
            late_filing=True,
            admission_date=T - 12 * DAY,
            start_date=T,
        )
        assert "本次住院不在备案有效期内" in filing.late_filing_advice
        assert "可直接结算" not in filing.late_filing_advice

    def test_a_start_on_the_admission_is_settled_directly(self, resident_a, alice):
        filing = make_filing(
            resident_a,
            alice,
            late_filing=True,
            admission_date=T - 12 * DAY,
            start_date=T - 12 * DAY,
        )
        assert "可直接结算本次住院费用" in filing.late_filing_advice


class TestPostingLength:
    """DOMAIN.md policy parameters: 常驻异地工作 half a year [004], one year in 忻州 [000]."""

    @pytest.mark.parametrize(("months", "words"), [(6, "半年"), (12, "一年")])
    def test_the_notice_and_the_form_state_the_countys_length(
        self, resident_a, county, months, words
    ):
        policy = Policy.for_county(county)
        policy.posting_months = months
        text = "".join(line for _, lines in notice(policy) for line in lines)
        assert f"派驻（异地工作）时间须达到{words}以上" in text
        form = FilingForm(resident=resident_a, policy=policy, today=T)
        assert words in str(form.fields["posting_length_checked"].label)

    def test_checked_it_is_filed(self, as_alice, resident_a):
        submit(
            as_alice,
            resident_a,
            category=Category.POSTED_WORKER,
            evidence="materials",
            sighted=["posting_certificate"],
            posting_length_checked="on",
        )
        assert Filing.objects.get().posting_length_checked


# The same for enrollment, changes and cases: whatever the counter's form refuses, the
# service refuses with the same message, and writes nothing.
class TestCasesAtTheService:
    CASES = [
        ({"discharge_date": T - 5 * DAY, "admission_date": T - 2 * DAY}, "discharge_date"),
        ({"admission_date": T + DAY, "discharge_date": T + DAY}, "admission_date"),
        ({"admission_date": None}, "admission_date"),
        ({"kind": "chronic", "admission_date": None, "discharge_date": None}, "chronic_disease"),
        ({"total_cost": 0}, "total_cost"),
    ]

    @pytest.mark.parametrize(("overrides", "field"), CASES)
    def test_the_same_refusal(self, alice, resident_a, overrides, field):
        from decimal import Decimal

        from reimbursement import services as cases
        from reimbursement.forms import CaseForm
        from reimbursement.models import ReimbursementCase

        values = {
            "kind": "inpatient",
            "hospital": "山西医科大学第一医院",
            "admission_date": T - 20 * DAY,
            "discharge_date": T - 10 * DAY,
            "chronic_disease": "",
            "total_cost": Decimal("12345.60"),
            **overrides,
        }
        posted = {k: ("" if v is None else str(v)) for k, v in values.items()}
        form = CaseForm(posted, user=alice, today=T, resident=resident_a)
        assert not form.is_valid() and field in form.errors
        case = ReimbursementCase(resident=resident_a, **values)
        with pytest.raises(ValidationError) as refusal:
            cases.save_case(case, user=alice)
        assert refusal.value.message_dict[field][0] == form.errors[field][0]
        assert not ReimbursementCase.objects.exists()


class TestEnrollmentAndChangesAtTheService:
    def test_an_enrollment_of_a_resident_the_form_refuses(self, alice, station_a):
        from registry import services as registry
        from registry.forms import ResidentForm
        from registry.models import Enrollment, Resident

        typed = {
            "id_number": "140830195803120099",  # its check digit is wrong
            "name": "张" * 31,
            "phone": "12345",
            "insurance_type": "resident",
        }
        form = ResidentForm(typed, user=alice)
        assert not form.is_valid()
        resident = Resident(station=station_a, **typed)
        with pytest.raises(ValidationError) as refusal:
            registry.enroll(resident=resident, user=alice, newborn=False, materials=[])
        for field in ("id_number", "name", "phone"):
            assert refusal.value.message_dict[field][0] == form.errors[field][0]
        assert not Resident.objects.exists() and not Enrollment.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("phone", "12345", "请输入 11 位手机号码或带区号的固定电话。"),
            ("name", "薛" * 31, "姓名超过 30 字"),
            ("address", "芮城\x07县", "内容包含不可见的控制字符，请重新输入。"),
        ],
    )
    def test_a_change_to_a_value_the_form_refuses(self, alice, resident_a, field, value, message):
        from registry import services as registry
        from registry.models import CHANGEABLE_FIELDS, InfoChange

        values = {name: getattr(resident_a, name) for name in CHANGEABLE_FIELDS}
        with pytest.raises(ValidationError) as refusal:
            registry.request_change(
                resident=resident_a,
                user=alice,
                new_values={**values, field: value},
                reason="本人申请",
            )
        assert refusal.value.message_dict[field][0].startswith(message)
        assert not InfoChange.objects.exists()
