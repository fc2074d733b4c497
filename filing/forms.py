from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Policy
from core import id_numbers, regions
from core.validators import check_dates, clean_phone, clean_text
from core.widgets import DATE_INPUT, set_choices
from filing import uploads
from filing.models import (
    AgentRelationship,
    Category,
    Evidence,
    Filing,
    MaterialKind,
    categories_offered,
    default_end_date,
    earliest_end_date,
    earliest_start_date,
    evidence_problems,
    form_required,
    kind_of,
    materials_for,
)
from registry.models import InsuranceType, Resident


def _day(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


class FilingForm(forms.ModelForm):
    """The counter's filing form for one resident. Every rule of §2 is checked here or in
    the model functions it calls; the overlap check, which needs a lock, is in services."""

    insured_region_code = forms.ChoiceField(label="参保地", choices=())
    care_region_code = forms.ChoiceField(
        label="就医地",
        choices=(),
        help_text=regions.care_region_rule(),
    )
    by_agent = forms.BooleanField(label="由代办人办理（为他人备案）", required=False)
    sighted = forms.MultipleChoiceField(
        label="已核验原件的备案材料",
        choices=MaterialKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scan_kind = forms.ChoiceField(
        label="扫描件是哪份材料", choices=[("", "—"), *MaterialKind.choices], required=False
    )
    scan = forms.FileField(label="材料扫描件（PDF/JPG/PNG，10 MB 以内）", required=False)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    letter_scan = forms.FileField(label="已签字的个人承诺书扫描件", required=False)

    class Meta:
        model = Filing
        fields = [
            "insured_region_code",
            "care_region_code",
            "insurance_type",
            "category",
            "referring_hospital",
            "start_date",
            "end_date",
            "contact_name",
            "contact_phone",
            "contact_address",
            "agent_name",
            "agent_id_number",
            "agent_phone",
            "agent_relationship",
            "evidence",
            "agent_documents_sighted",
            "late_filing",
            "admission_date",
            "discharged_self_paid",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "admission_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "evidence": forms.RadioSelect,
            "category": forms.RadioSelect,
            "insurance_type": forms.RadioSelect,
        }
        labels = {"late_filing": "补办备案（已在异地住院）"}

    def __init__(self, *args, resident: Resident, policy: Policy, today: datetime.date, **kwargs):
        self.resident = resident
        self.policy = policy
        self.today = today
        super().__init__(*args, **kwargs)
        check_dates(self)
        choices = [("", "请选择"), *regions.care_region_choices()]
        set_choices(self, "care_region_code", choices)
        set_choices(self, "insured_region_code", choices)
        set_choices(self, "agent_relationship", [("", "—"), *AgentRelationship.choices])
        set_choices(self, "evidence", Evidence.choices)
        set_choices(self, "insurance_type", InsuranceType.choices)
        set_choices(
            self,
            "category",
            [
                (kind.label, [(c.value, c.label) for c in categories])
                for kind, categories in categories_offered(policy)
            ],
        )
        # The picker (static/js/picker.js) finds a place by its characters or pinyin.
        for name in ("insured_region_code", "care_region_code"):
            self.fields[name].widget.attrs["data-picker"] = "regions"
        self.fields["end_date"].required = False
        for name in ("agent_name", "agent_id_number", "agent_phone", "agent_relationship"):
            self.fields[name].required = False

    def needs(self) -> dict[str, dict[str, Any]]:
        """What each category offered asks for, for the page to show only that
        (static/js/filing.js): its materials (any one proves it) and the evidence it accepts.
        The same rules then check what is posted (_check_evidence)."""
        result = {}
        for _, categories in categories_offered(self.policy):
            for category in categories:
                materials = list(materials_for(category, self.policy))
                if form_required(category, self.policy):
                    evidence = [Evidence.MATERIALS]
                elif not materials:
                    evidence = [Evidence.NONE]
                else:
                    evidence = [Evidence.MATERIALS, Evidence.COMMITMENT]
                result[str(category)] = {
                    "materials": [str(kind) for kind in materials],
                    "evidence": [str(choice) for choice in evidence],
                    # Left blank, its end is none: 长期 on the letter (default_end_date).
                    "indefinite": default_end_date(category, self.today, self.policy) is None,
                }
        return result

    # Single fields -------------------------------------------------------------------------
    def clean_contact_name(self) -> str:
        return clean_text(self.cleaned_data["contact_name"])

    def clean_contact_address(self) -> str:
        return clean_text(self.cleaned_data["contact_address"])

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"]
        # The resident's own number is offered masked (filing_create); posted back, it stands
        # for the number on file.
        if "*" in phone:
            return self.resident.phone
        phone = clean_phone(phone)
        if not phone:
            raise ValidationError("请填写联系电话。")
        return phone

    def clean_referring_hospital(self) -> str:
        return clean_text(self.cleaned_data["referring_hospital"])

    def clean_agent_name(self) -> str:
        return clean_text(self.cleaned_data["agent_name"])

    def clean_agent_phone(self) -> str:
        return clean_phone(self.cleaned_data["agent_phone"])

    def clean_agent_id_number(self) -> str:
        value = self.cleaned_data["agent_id_number"]
        return id_numbers.validate(value) if value else ""

    def clean_signature(self) -> str:
        return uploads.clean_signature(self.cleaned_data["signature"])

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan:
            scan.detected_type = uploads.content_type_of(scan)
        return scan

    def clean_letter_scan(self):
        scan = self.cleaned_data.get("letter_scan")
        if scan:
            scan.detected_type = uploads.content_type_of(scan)
        return scan

    # The rules of §2 --------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        category = data.get("category")
        self._check_places(data)
        if category:
            self._check_dates(data, category)
            self._check_evidence(data, category)
            if category == Category.REFERRAL and not data.get("referring_hospital"):
                self.add_error("referring_hospital", "异地转诊须填写转出医院。")
        self._check_agent(data)
        if data.get("discharged_self_paid") and not data.get("late_filing"):
            self.add_error("discharged_self_paid", "“已出院并自费结算”只适用于补办备案。")
        return data

    def clean_admission_date(self) -> datetime.date | None:
        admitted = self.cleaned_data.get("admission_date")
        if admitted and admitted > self.today:
            raise ValidationError("入院日期不能晚于今天。")
        return admitted

    def _admission(self, data: dict, category: str) -> datetime.date | None:
        """§2.6 [004]: an emergency or late filing of a stay already begun may start on the
        admission date; a late filing is of a stay already begun, so it gives one."""
        admitted = data.get("admission_date")
        stay_begun = data.get("late_filing") or category == Category.EMERGENCY
        if data.get("late_filing") and not admitted and "admission_date" not in self.errors:
            self.add_error("admission_date", "补办备案请填写入院日期。")
        if admitted and not stay_begun:
            self.add_error("admission_date", "入院日期只用于急诊或补办备案。")
            return None
        return admitted

    def _check_places(self, data: dict) -> None:
        insured, care = data.get("insured_region_code"), data.get("care_region_code")
        if care and not regions.is_valid_care_region(care):
            self.add_error("care_region_code", "就医地无效。")
        if insured and care and insured == care:
            self.add_error("care_region_code", "就医地与参保地相同，无需办理异地就医备案。")

    def _check_dates(self, data: dict, category: str) -> None:
        start, end = data.get("start_date"), data.get("end_date")
        if not start:
            return
        admitted = self._admission(data, category)
        earliest = earliest_start_date(self.today, self.policy, admission_date=admitted)
        if start < earliest:
            if admitted:
                message = f"开始日期不能早于入院日期（{_day(admitted)}）。"
            elif self.policy.backdating_days:
                message = (
                    f"开始日期最多可向前追溯 {self.policy.backdating_days} 天，"
                    f"不能早于 {_day(earliest)}。"
                )
            else:
                message = f"开始日期不能早于申请当天（{_day(self.today)}）。"
            self.add_error("start_date", message)
            return
        default = default_end_date(category, start, self.policy)
        if end is None:
            data["end_date"] = default
            return
        if end < start:
            self.add_error("end_date", "结束日期不能早于开始日期。")
        elif category == Category.REFERRAL and default is not None and end != default:
            self.add_error(
                "end_date",
                f"异地转诊备案有效期为 {self.policy.referral_validity_months} 个月，"
                f"结束日期应为 {_day(default)}（可留空自动计算）。",
            )
        elif end < earliest_end_date(category, start, self.policy):
            minimum = earliest_end_date(category, start, self.policy)
            if kind_of(category) == "long_term":
                months = self.policy.long_term_min_validity_months
                what = f"异地长期居住备案有效期不少于 {months} 个月"
            else:
                what = f"临时外出就医备案有效期不少于 {self.policy.temporary_validity_months} 个月"
            self.add_error("end_date", f"{what}，结束日期不能早于 {_day(minimum)}。")

    def _check_evidence(self, data: dict, category: str) -> None:
        problems = evidence_problems(
            policy=self.policy,
            category=category,
            evidence=data.get("evidence") or "",
            sighted=data.get("sighted") or [],
            scan_kind=data.get("scan_kind") or "",
            has_scan=bool(data.get("scan")),
            letter_given=bool(data.get("signature") or data.get("letter_scan")),
        )
        for field, message in problems.items():
            self.add_error(field, message)

    def _check_agent(self, data: dict) -> None:
        if not data.get("by_agent"):
            for name in ("agent_name", "agent_id_number", "agent_phone", "agent_relationship"):
                data[name] = ""
            data["agent_documents_sighted"] = False
            return
        for name, message in (
            ("agent_name", "请填写代办人姓名。"),
            ("agent_id_number", "请填写代办人身份证号码。"),
            ("agent_phone", "请填写代办人联系电话。"),
            ("agent_relationship", "请选择代办人与参保人的关系。"),
        ):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        if not data.get("agent_documents_sighted"):
            # [001]: the agent's 户口簿 or 身份证 and the resident's are kept with the filing.
            self.add_error(
                "agent_documents_sighted", "代办的，请核验并留存代办人和参保人的身份证或户口簿。"
            )
        if data.get("agent_id_number") == self.resident.id_number:
            self.add_error("agent_id_number", "代办人不能是参保人本人。")


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)

    def clean_reason(self) -> str:
        return clean_text(self.cleaned_data["reason"])


COMMON_REJECTION_REASONS = [
    "请提供异地居住证",
    "请提供居住地社区盖章的居住证明",
    "请提供单位派驻异地工作证明",
    "请提供转出医院盖章的转诊备案表",
    "承诺书未签字或签名不清",
    "就医地选择有误，请重新备案",
]


class RejectForm(forms.Form):
    common_reason = forms.ChoiceField(
        label="常见原因",
        choices=[("", "—")] + [(reason, reason) for reason in COMMON_REJECTION_REASONS],
        required=False,
    )
    reason = forms.CharField(label="其他原因（填写后以此为准）", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        reason = clean_text(data.get("reason") or "") or data.get("common_reason")
        if not reason:
            raise ValidationError("请选择或填写退回原因，参保人会看到这条原因。")
        data["final_reason"] = reason
        return data


class LetterScanForm(forms.Form):
    letter_scan = forms.FileField(label="已签字的个人承诺书扫描件")

    def clean_letter_scan(self):
        scan = self.cleaned_data["letter_scan"]
        scan.detected_type = uploads.content_type_of(scan)
        return scan
