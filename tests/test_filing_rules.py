"""The rules of cross-region filing (DOMAIN.md §2), each at its boundaries.

The form is given a fixed application day, so every boundary is exact: 2026-11-22."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import EmergencyFiling, Policy
from filing.forms import FilingForm
from filing.models import (
    Category,
    FilingStatus,
    add_months,
    categories_offered,
    default_end_date,
    earliest_end_date,
)
from tests.conftest import make_filing
from tests.test_filing_counter import AGENT

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
D = datetime.date


def form_data(**overrides) -> dict:
    data = {
        "insured_region_code": "140800",  # 山西省运城市
        "care_region_code": "310000",  # 上海市
        "insurance_type": "resident",
        "category": Category.OTHER_TEMPORARY,
        "referring_hospital": "",
        "start_date": TODAY.isoformat(),
        "end_date": "",
        "contact_name": "薛建国",
        "contact_phone": "13835901234",
        "contact_address": "上海市浦东新区张江路1号",
        "evidence": "none",
        "posting_length_checked": "on",  # read for 常驻异地工作人员 only
        "notice_read": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def check(resident, policy, files=None, today=TODAY, **overrides) -> FilingForm:
    form = FilingForm(
        form_data(**overrides), files or {}, resident=resident, policy=policy, today=today
    )
    form.is_valid()
    return form


@pytest.fixture
def policy(county) -> Policy:
    return Policy.for_county(county)


class TestMonths:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (D(2026, 1, 15), 6, D(2026, 7, 15)),
            (D(2026, 8, 31), 6, D(2027, 2, 28)),
            (D(2027, 8, 31), 6, D(2028, 2, 29)),  # a leap year
            (D(2026, 11, 22), 12, D(2027, 11, 22)),
        ],
    )
    def test_add_months_keeps_the_day_or_takes_the_months_last(self, day, months, expected):
        assert add_months(day, months) == expected


class TestValidity:
    def test_temporary_care_and_referrals_are_valid_six_months(self, policy):
        # [000][003][004]: 6 months, the end day inclusive.
        for category in (Category.OTHER_TEMPORARY, Category.EMERGENCY, Category.REFERRAL):
            assert default_end_date(category, TODAY, policy) == D(2027, 5, 21)

    def test_long_term_filings_are_indefinite_by_default_and_at_least_a_year(self, policy):
        assert default_end_date(Category.LONG_TERM_RESIDENT, TODAY, policy) is None
        assert earliest_end_date(Category.LONG_TERM_RESIDENT, TODAY, policy) == D(2027, 11, 21)

    def test_a_blank_end_date_is_filled_with_the_default(self, resident_a, policy):
        form = check(resident_a, policy)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["end_date"] == D(2027, 5, 21)

    @pytest.mark.parametrize(
        ("end", "valid"),
        [("2027-05-20", False), ("2027-05-21", True), ("2027-05-22", True)],
    )
    def test_temporary_care_is_valid_at_least_six_months(self, resident_a, policy, end, valid):
        form = check(resident_a, policy, end_date=end)
        assert form.is_valid() is valid
        if not valid:
            assert form.errors["end_date"] == [
                "临时外出就医备案有效期不少于 6 个月，结束日期不能早于 2027年5月21日。"
            ]

    @pytest.mark.parametrize(
        ("end", "valid"),
        [("2027-11-20", False), ("2027-11-21", True), ("2027-11-22", True), ("", True)],
    )
    def test_long_term_filings_run_at_least_a_year(self, resident_a, policy, end, valid):
        form = check(
            resident_a,
            policy,
            category=Category.LONG_TERM_RESIDENT,
            evidence="materials",
            sighted=["residence_permit"],
            end_date=end,
        )
        assert form.is_valid() is valid, form.errors
        if not valid:
            assert "不少于 12 个月" in form.errors["end_date"][0]

    def test_a_referral_runs_exactly_six_months(self, resident_a, policy):
        referral = {
            "category": Category.REFERRAL,
            "referring_hospital": "芮城县人民医院",
            "evidence": "materials",
            "sighted": ["referral_form"],
        }
        assert check(resident_a, policy, end_date="2027-05-21", **referral).is_valid()
        form = check(resident_a, policy, end_date="2027-08-21", **referral)
        assert form.errors["end_date"] == [
            "异地转诊备案有效期为 6 个月，结束日期应为 2027年5月21日（可留空自动计算）。"
        ]

    def test_an_end_before_the_start_is_refused(self, resident_a, policy):
        form = check(resident_a, policy, end_date="2026-11-21")
        assert form.errors["end_date"] == ["结束日期不能早于开始日期。"]

    def test_the_validity_follows_the_countys_policy(self, resident_a, policy):
        policy.temporary_validity_months = 12
        form = check(resident_a, policy)
        assert form.cleaned_data["end_date"] == D(2027, 11, 21)

    def test_a_county_with_one_year_referrals_says_so(self, resident_a, policy):
        # 泰州 [002]: a phone-registered filing runs one year; a county may set referrals so.
        policy.referral_validity_months = 12
        referral = {
            "category": Category.REFERRAL,
            "referring_hospital": "芮城县人民医院",
            "evidence": "materials",
            "sighted": ["referral_form"],
        }
        assert check(resident_a, policy, end_date="2027-11-21", **referral).is_valid()
        form = check(resident_a, policy, end_date="2027-05-21", **referral)
        assert form.errors["end_date"] == [
            "异地转诊备案有效期为 12 个月，结束日期应为 2027年11月21日（可留空自动计算）。"
        ]

    @pytest.mark.parametrize(
        ("end", "valid"), [("2028-11-20", False), ("2028-11-21", True), ("2028-11-22", True)]
    )
    def test_a_county_asking_two_years_of_long_term_filings(self, resident_a, policy, end, valid):
        policy.long_term_min_validity_months = 24
        form = check(
            resident_a,
            policy,
            category=Category.LONG_TERM_RESIDENT,
            evidence="materials",
            sighted=["residence_permit"],
            end_date=end,
        )
        assert form.is_valid() is valid
        if not valid:
            assert form.errors["end_date"] == [
                "异地长期居住备案有效期不少于 24 个月，结束日期不能早于 2028年11月21日。"
            ]


class TestBackdating:
    @pytest.mark.parametrize(
        ("start", "valid"),
        [("2026-11-16", False), ("2026-11-17", True), ("2026-11-22", True)],
    )
    def test_five_days_on_the_national_platform(self, resident_a, policy, start, valid):
        # [001]: the national app and mini-program may move the start 5 days back.
        assert policy.backdating_days == 5
        form = check(resident_a, policy, start_date=start)
        assert form.is_valid() is valid
        if not valid:
            assert form.errors["start_date"] == [
                "开始日期最多可向前追溯 5 天，不能早于 2026年11月17日。"
            ]

    @pytest.mark.parametrize(
        ("start", "valid"), [("2026-11-21", False), ("2026-11-22", True), ("2026-11-23", True)]
    )
    def test_none_in_shanxi_or_jiangsu(self, resident_a, policy, start, valid):
        # [001] 山西医保: the start cannot be moved; [002] 江苏: not before the application day.
        policy.backdating_days = 0
        form = check(resident_a, policy, start_date=start)
        assert form.is_valid() is valid
        if not valid:
            assert form.errors["start_date"] == ["开始日期不能早于申请当天（2026年11月22日）。"]


class TestPlaces:
    @pytest.mark.parametrize(
        "code", ["110000", "120000", "310000", "500000", "460000", "540000", "660000"]
    )
    def test_the_seven_province_level_places(self, resident_a, policy, code):
        assert check(resident_a, policy, care_region_code=code).is_valid()

    @pytest.mark.parametrize("code", ["110100", "460100", "440000"])
    def test_a_city_of_those_places_or_a_whole_ordinary_province_is_refused(
        self, resident_a, policy, code
    ):
        assert "care_region_code" in check(resident_a, policy, care_region_code=code).errors

    def test_an_ordinary_province_is_filed_to_its_city(self, resident_a, policy):
        assert check(resident_a, policy, care_region_code="440100").is_valid()  # 广州市

    def test_the_care_region_must_differ_from_the_insured_region(self, resident_a, policy):
        form = check(resident_a, policy, care_region_code="140800")
        assert form.errors["care_region_code"] == ["就医地与参保地相同，无需办理异地就医备案。"]


class TestEvidence:
    @pytest.mark.parametrize(
        ("category", "material"),
        [
            (Category.RETIRED_RELOCATED, "household_register"),
            (Category.RETIRED_RELOCATED, "residence_permit"),
            (Category.RETIRED_RELOCATED, "community_proof"),
            (Category.LONG_TERM_RESIDENT, "residence_permit"),
            (Category.LONG_TERM_RESIDENT, "community_proof"),
            (Category.POSTED_WORKER, "posting_certificate"),
            (Category.POSTED_WORKER, "employer_proof"),
            (Category.POSTED_WORKER, "labour_contract"),
        ],
    )
    def test_any_one_material_of_the_category_is_enough(
        self, resident_a, policy, category, material
    ):
        # §2.4 [002][003][004]
        form = check(
            resident_a, policy, category=category, evidence="materials", sighted=[material]
        )
        assert form.is_valid(), form.errors

    def test_a_material_of_another_category_is_refused(self, resident_a, policy):
        form = check(
            resident_a,
            policy,
            category=Category.LONG_TERM_RESIDENT,
            evidence="materials",
            sighted=["labour_contract"],
        )
        assert form.errors["sighted"][0] == "异地工作劳动合同不是异地长期居住人员的备案材料。"

    @pytest.mark.parametrize("category", [Category.RETIRED_RELOCATED, Category.POSTED_WORKER])
    def test_a_signed_commitment_letter_replaces_the_materials(self, resident_a, policy, category):
        from tests.conftest import SIGNATURE

        form = check(
            resident_a, policy, category=category, evidence="commitment", signature=SIGNATURE
        )
        assert form.is_valid(), form.errors

    def test_never_both(self, resident_a, policy):
        from tests.conftest import SIGNATURE

        form = check(
            resident_a,
            policy,
            category=Category.LONG_TERM_RESIDENT,
            evidence="materials",
            sighted=["residence_permit"],
            signature=SIGNATURE,
        )
        assert form.errors["evidence"] == ["备案材料和个人承诺书只能选择其一。"]
        form = check(
            resident_a,
            policy,
            category=Category.LONG_TERM_RESIDENT,
            evidence="commitment",
            sighted=["residence_permit"],
        )
        assert form.errors["evidence"] == ["备案材料和个人承诺书只能选择其一。"]

    def test_never_neither_where_a_material_is_needed(self, resident_a, policy):
        form = check(resident_a, policy, category=Category.LONG_TERM_RESIDENT, evidence="none")
        assert form.errors["evidence"] == ["请提供备案材料或签署个人承诺书。"]
        form = check(resident_a, policy, category=Category.LONG_TERM_RESIDENT, evidence="materials")
        assert (
            "请核验原件或上传扫描件，至少一项：居住证、居住地社区盖章证明。"
            in form.errors["sighted"]
        )

    @pytest.mark.parametrize("category", [Category.EMERGENCY, Category.OTHER_TEMPORARY])
    def test_emergency_and_other_temporary_care_need_no_material(
        self, resident_a, policy, category
    ):
        assert check(resident_a, policy, category=category, evidence="none").is_valid()
        form = check(
            resident_a,
            policy,
            category=category,
            evidence="materials",
            sighted=["residence_permit"],
        )
        assert not form.is_valid()


class TestReferral:
    def test_a_referral_needs_its_form_and_the_referring_hospital(self, resident_a, policy):
        form = check(
            resident_a,
            policy,
            category=Category.REFERRAL,
            evidence="materials",
            sighted=["referral_form"],
            referring_hospital="芮城县人民医院",
        )
        assert form.is_valid(), form.errors

    def test_a_referral_without_its_form_cannot_be_opened(self, resident_a, policy):
        form = check(
            resident_a,
            policy,
            category=Category.REFERRAL,
            evidence="materials",
            referring_hospital="芮城县人民医院",
        )
        assert "转诊备案表（转出医院盖章）" in form.errors["sighted"][0]

    def test_a_commitment_letter_does_not_replace_the_referral_form(self, resident_a, policy):
        from tests.conftest import SIGNATURE

        form = check(
            resident_a,
            policy,
            category=Category.REFERRAL,
            evidence="commitment",
            signature=SIGNATURE,
            referring_hospital="芮城县人民医院",
        )
        assert form.errors["evidence"] == [
            "异地转诊须提供转出医院盖章的转诊备案表，不能以个人承诺书代替。"
        ]

    def test_the_referring_hospital_is_required(self, resident_a, policy):
        form = check(
            resident_a,
            policy,
            category=Category.REFERRAL,
            evidence="materials",
            sighted=["referral_form"],
        )
        assert form.errors["referring_hospital"] == ["异地转诊须填写转出医院。"]


class TestAgent:
    AGENT = AGENT  # tests/test_filing_counter.py's: 薛小军 files for his father

    def test_an_agent_files_with_name_id_phone_and_relationship(self, resident_a, policy):
        form = check(resident_a, policy, **self.AGENT)
        assert form.is_valid(), form.errors

    def test_the_agents_and_residents_documents_are_recorded_as_sighted(self, resident_a, policy):
        # [001]: 代办人户口簿或身份证及参保人的户口簿或身份证 are kept.
        form = check(resident_a, policy, **{**self.AGENT, "agent_documents_sighted": ""})
        assert form.errors["agent_documents_sighted"] == [
            "代办的，请核验并留存代办人和参保人的身份证或户口簿。"
        ]

    def test_each_agent_field_is_required(self, resident_a, policy):
        form = check(resident_a, policy, by_agent="on")
        assert form.errors["agent_name"] == ["请填写代办人姓名。"]
        assert form.errors["agent_id_number"] == ["请填写代办人身份证号码。"]
        assert form.errors["agent_phone"] == ["请填写代办人联系电话。"]
        assert form.errors["agent_relationship"] == ["请选择代办人与参保人的关系。"]

    def test_the_agents_id_number_is_validated(self, resident_a, policy):
        form = check(resident_a, policy, **{**self.AGENT, "agent_id_number": "140830198506070011"})
        assert "校验位错误" in form.errors["agent_id_number"][0]

    def test_the_resident_is_not_their_own_agent(self, resident_a, policy):
        form = check(resident_a, policy, **{**self.AGENT, "agent_id_number": resident_a.id_number})
        assert form.errors["agent_id_number"] == ["代办人不能是参保人本人。"]


class TestCancellation:
    @pytest.fixture
    def long_term(self, resident_a, alice):
        return make_filing(
            resident_a,
            alice,
            category=Category.LONG_TERM_RESIDENT,
            start_date=D(2026, 1, 15),
            end_date=None,
        )

    @pytest.mark.parametrize(
        ("today", "allowed"),
        [(D(2026, 7, 14), False), (D(2026, 7, 15), True), (D(2026, 7, 16), True)],
    )
    def test_long_term_not_within_six_months_of_the_start(self, long_term, today, allowed):
        # [001][003]: 长期居住类备案六个月内无法进行撤销.
        refusal = long_term.cancel_refusal(today)
        assert (refusal == "") is allowed
        if not allowed:
            assert refusal == (
                "异地长期居住备案自开始之日起 6 个月内不能取消，最早可于 2026年7月15日 取消。"
            )

    @pytest.mark.parametrize(
        ("today", "allowed"),
        [(D(2026, 4, 14), False), (D(2026, 4, 15), True), (D(2026, 4, 16), True)],
    )
    def test_the_message_states_the_countys_own_months(self, long_term, county, today, allowed):
        policy = Policy.for_county(county)
        policy.long_term_cancel_after_months = 3
        policy.save()
        refusal = long_term.cancel_refusal(today)
        assert (refusal == "") is allowed
        if not allowed:
            assert refusal == (
                "异地长期居住备案自开始之日起 3 个月内不能取消，最早可于 2026年4月15日 取消。"
            )

    def test_temporary_filings_can_be_cancelled_any_time(self, resident_a, alice):
        filing = make_filing(resident_a, alice, start_date=D(2026, 11, 22))
        assert filing.cancel_refusal(D(2026, 11, 22)) == ""

    def test_a_pending_long_term_filing_can_be_withdrawn(self, long_term):
        long_term.status = FilingStatus.PENDING
        assert long_term.cancel_refusal(D(2026, 1, 16)) == ""

    def test_closed_rejected_and_expired_filings_need_no_cancelling(self, resident_a, alice):
        filing = make_filing(resident_a, alice, status=FilingStatus.CANCELLED)
        assert "无需取消" in filing.cancel_refusal(TODAY)
        expired = make_filing(
            resident_a,
            alice,
            care_region_code="110000",
            start_date=D(2026, 1, 1),
            end_date=D(2026, 6, 30),
        )
        assert expired.status_label_on(D(2026, 6, 30)) == "已备案"
        assert expired.status_label_on(D(2026, 7, 1)) == "已过期"
        assert not expired.is_expired(D(2026, 6, 30)) and expired.is_expired(D(2026, 7, 1))
        assert "已过期" in expired.cancel_refusal(D(2026, 7, 1))


class TestLateFiling:
    def test_after_a_self_paid_discharge_it_points_to_manual_reimbursement(self, resident_a, alice):
        # [004]: 出院自费结算后补办备案的，按参保地规定申请医保手工报销.
        filing = make_filing(resident_a, alice, late_filing=True, discharged_self_paid=True)
        assert "请按参保地规定申请医保手工报销" in filing.late_filing_advice
        before_settlement = make_filing(
            resident_a, alice, care_region_code="110000", late_filing=True
        )
        assert "可直接结算" in before_settlement.late_filing_advice

    def test_a_self_paid_discharge_only_goes_with_a_late_filing(self, resident_a, policy):
        form = check(resident_a, policy, discharged_self_paid="on")
        assert form.errors["discharged_self_paid"] == ["“已出院并自费结算”只适用于补办备案。"]


def test_the_filing_service_itself_holds_the_materials_or_letter_rule(resident_a, alice):
    """DOMAIN.md §2.4: filing.models.evidence_problems is applied by services.submit_filing,
    not only by the counter's form."""

    from django.core.exceptions import ValidationError

    from filing import services

    values = {
        "insured_region_code": "140800",
        "care_region_code": "310000",
        "insurance_type": "resident",
        "category": Category.LONG_TERM_RESIDENT,
        "start_date": timezone.localdate(),  # the service's application day is today
        "end_date": None,
        "contact_name": "薛建国",
        "contact_phone": "13835901234",
        "contact_address": "上海市浦东新区张江路1号",
        "evidence": "none",
        "notice_read": True,
    }
    with pytest.raises(ValidationError) as refusal:
        services.submit_filing(
            resident=resident_a,
            user=alice,
            values=values,
            sighted=[],
            scan=None,
            scan_kind="",
            signature="",
            letter_scan=None,
        )
    assert refusal.value.message_dict == {"evidence": ["请提供备案材料或签署个人承诺书。"]}
    assert not resident_a.filings.exists()


class TestEmergencyAndLateFiling:
    """[004]: 急诊先就医、后补办; 补办 before or after discharge. Either may start on the
    admission date, however far back, whatever the backdating limit of ordinary filings."""

    ADMITTED = "2026-11-12"  # ten days before TODAY, past the 5-day limit

    @pytest.mark.parametrize(
        ("start", "valid"), [("2026-11-11", False), ("2026-11-12", True), ("2026-11-13", True)]
    )
    def test_an_emergency_starts_as_early_as_its_admission(self, resident_a, policy, start, valid):
        form = check(
            resident_a,
            policy,
            category=Category.EMERGENCY,
            admission_date=self.ADMITTED,
            start_date=start,
        )
        assert form.is_valid() is valid
        if not valid:
            assert form.errors["start_date"] == ["开始日期不能早于入院日期（2026年11月12日）。"]

    @pytest.mark.parametrize(
        ("start", "valid"), [("2026-11-11", False), ("2026-11-12", True), ("2026-11-13", True)]
    )
    def test_a_late_filing_starts_as_early_as_its_admission_even_in_shanxi(
        self, resident_a, policy, start, valid
    ):
        policy.backdating_days = 0  # 山西医保 [001]: ordinary filings cannot go back at all
        form = check(
            resident_a,
            policy,
            late_filing="on",
            admission_date=self.ADMITTED,
            start_date=start,
        )
        assert form.is_valid() is valid

    def test_without_an_admission_date_the_ordinary_limit_holds(self, resident_a, policy):
        form = check(resident_a, policy, category=Category.EMERGENCY, start_date="2026-11-12")
        assert form.errors["start_date"] == [
            "开始日期最多可向前追溯 5 天，不能早于 2026年11月17日。"
        ]

    def test_a_late_filing_gives_its_admission_date(self, resident_a, policy):
        form = check(resident_a, policy, late_filing="on")
        assert form.errors["admission_date"] == ["补办备案请填写入院日期。"]

    @pytest.mark.parametrize(
        ("admitted", "valid"), [("2026-11-21", True), ("2026-11-22", True), ("2026-11-23", False)]
    )
    def test_the_admission_is_not_in_the_future(self, resident_a, policy, admitted, valid):
        form = check(resident_a, policy, category=Category.EMERGENCY, admission_date=admitted)
        assert form.is_valid() is valid
        if not valid:
            assert form.errors["admission_date"] == ["入院日期不能晚于今天。"]

    def test_an_admission_date_belongs_to_emergency_or_late_filings_only(self, resident_a, policy):
        form = check(resident_a, policy, admission_date=self.ADMITTED)
        assert form.errors["admission_date"] == ["入院日期只用于急诊或补办备案。"]


class TestEmergencyPolicy:
    """Each county files emergencies its own way (DOMAIN.md policy parameters)."""

    def test_no_filing_needed_in_guangdong(self, resident_a, policy):
        policy.emergency_filing = EmergencyFiling.NOT_NEEDED
        form = check(resident_a, policy, category=Category.EMERGENCY)
        assert "category" in form.errors  # not offered at all
        offered = [c for _, categories in categories_offered(policy) for c in categories]
        assert Category.EMERGENCY not in offered

    def test_xinzhou_asks_for_its_emergency_referral_form(self, resident_a, policy):
        # [000]: 异地急诊人员 … 自动备案时需提供《急诊转诊登记表》.
        policy.emergency_filing = EmergencyFiling.COUNTY_FORM
        form = check(resident_a, policy, category=Category.EMERGENCY)
        assert form.errors["evidence"] == [
            "本县异地急诊备案须提供《急诊转诊登记表》，不能以个人承诺书代替。"
        ]
        form = check(
            resident_a,
            policy,
            category=Category.EMERGENCY,
            evidence="materials",
            sighted=["emergency_form"],
        )
        assert form.is_valid(), form.errors

    def test_elsewhere_an_emergency_needs_no_material(self, resident_a, policy):
        assert policy.emergency_filing == EmergencyFiling.WITHOUT_MATERIALS
        form = check(resident_a, policy, category=Category.EMERGENCY)
        assert form.is_valid(), form.errors

    @pytest.mark.parametrize(("at_once", "status"), [(True, "approved"), (False, "pending")])
    def test_an_emergency_takes_effect_at_once_where_the_county_says_so(
        self, resident_a, alice, county, at_once, status
    ):
        from filing import services

        policy = Policy.for_county(county)
        policy.automatic_review = False  # every other filing waits for a supervisor
        policy.emergency_effective_at_once = at_once
        policy.save()
        filing = make_filing(
            resident_a, alice, category=Category.EMERGENCY, status="pending", review=""
        )
        services.review_automatically(filing)
        filing.refresh_from_db()
        assert filing.status == status


class TestMaternity:
    """[004]: some provinces file 异地生育就医 apart, on its own form."""

    def test_not_offered_unless_the_county_switches_it_on(self, resident_a, policy):
        assert not policy.maternity_filing
        form = check(resident_a, policy, category=Category.MATERNITY)
        assert "category" in form.errors

    def test_it_needs_its_registration_form(self, resident_a, policy):
        policy.maternity_filing = True
        form = check(resident_a, policy, category=Category.MATERNITY)
        assert form.errors["evidence"] == [
            "异地生育就医备案须提供《异地就医生育保险登记备案表》，不能以个人承诺书代替。"
        ]
        form = check(
            resident_a,
            policy,
            category=Category.MATERNITY,
            evidence="materials",
            sighted=["maternity_form"],
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data["end_date"] == D(2027, 5, 21)  # the temporary validity

    def test_it_prints_its_own_form(self, as_alice, resident_a, alice, county):
        from tests.pdfs import pdf_text

        policy = Policy.for_county(county)
        policy.maternity_filing = True
        policy.save()
        filing = make_filing(resident_a, alice, category=Category.MATERNITY)
        url = reverse("filing:filing_form", args=[filing.pk])
        text = pdf_text(as_alice.get(url, {"format": "pdf"}).content)
        assert "异地就医生育保险登记备案表" in text and "异地生育就医人员" in text
