from __future__ import annotations

import datetime
from functools import cache
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.templatetags.static import static
from django.utils.html import format_html

from accounts.models import Policy
from core import id_numbers, region_keys, regions
from core.validators import check_dates, clean_phone, clean_text
from core.widgets import DATE_INPUT, set_choices
from filing import uploads
from filing.models import (
    AGENT_FIELDS,
    CATEGORY_MISSING,
    CATEGORY_NOT_OFFERED,
    EVIDENCE_MISSING,
    GIVEN_FIELDS,
    AgentRelationship,
    Category,
    Evidence,
    Filing,
    MaterialKind,
    categories_offered,
    default_end_date,
    filing_problems,
    form_required,
    materials_for,
    posting_check_label,
    text_limit,
    with_default_end,
)
from registry.models import InsuranceType, Resident


def _places() -> list:
    return [("", "请选择"), *regions.care_region_choices()]


@cache
def _offered() -> dict[str, str]:
    """Each place of the lists by its code, with its name as the list shows it."""
    return {code: text for _, group in regions.care_region_choices() for code, text in group}


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
    signed_on_paper = forms.BooleanField(
        label="已打印，参保人（代办人）手写签字（纸质存档，扫描件稍后上传）", required=False
    )

    class Meta:
        model = Filing
        fields = list(GIVEN_FIELDS)
        widgets = {
            "start_date": DATE_INPUT,
            "admission_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "evidence": forms.RadioSelect,
            "category": forms.RadioSelect,
            "insurance_type": forms.RadioSelect,
        }
        labels = {"late_filing": "补办备案（已在异地住院）"}

    def __init__(
        self,
        *args,
        resident: Resident,
        policy: Policy,
        today: datetime.date,
        returned: str = "",
        **kwargs,
    ):
        """`returned`: the reason a filing refiled from this form was sent back, shown beside
        the field it concerns."""
        self.resident = resident
        self.policy = policy
        self.today = today
        super().__init__(*args, **kwargs)
        check_dates(self)
        if not self.is_bound:
            # The counter starts at the first choice, not nine Tabs away from it.
            self.fields["by_agent"].widget.attrs["autofocus"] = True
        if returned:
            self.fields[field_of_reason(returned)].help_text = format_html(
                '<strong class="text-danger">退回原因：{}</strong>', returned
            )
        # A callable: the ~340 places are read when a sent value is checked, not each time
        # the form is made.
        self.fields["care_region_code"].choices = _places  # type: ignore[attr-defined]
        self.fields["insured_region_code"].choices = _places  # type: ignore[attr-defined]
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
        # The picker (static/js/picker.js) finds a place by its characters or pinyin, among
        # the places of a static file the browser keeps (core/region_keys.py); the page
        # sends the chosen place only, while the field checks against them all.
        for name in ("insured_region_code", "care_region_code"):
            widget = self.fields[name].widget
            widget.attrs["data-picker"] = "regions"
            widget.attrs["data-places"] = static(region_keys.STATIC_NAME)
            chosen = str(self[name].value() or "")
            widget.choices = [("", "请选择")] + (
                [(chosen, _offered()[chosen])] if chosen in _offered() else []
            )
        self.fields["end_date"].required = False
        self.fields["posting_length_checked"].label = posting_check_label(policy)
        # A field's own refusals say what filing.models.filing_problems says on other paths.
        self.fields["category"].error_messages["invalid_choice"] = CATEGORY_NOT_OFFERED
        self.fields["category"].error_messages["required"] = CATEGORY_MISSING
        self.fields["evidence"].error_messages["required"] = EVIDENCE_MISSING
        self.fields["care_region_code"].error_messages["invalid_choice"] = "就医地无效。"
        self.fields["insured_region_code"].error_messages["invalid_choice"] = "参保地无效。"
        for name in ("contact_name", "contact_address", "referring_hospital", "agent_name"):
            column = cast(models.CharField, Filing._meta.get_field(name))
            self.fields[name].error_messages["max_length"] = text_limit(column)
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
        """The rules live in filing.models.filing_problems, which services.submit_filing
        applies again on every path; the form places their messages beside its fields."""
        super().clean()
        data = self.cleaned_data
        if not data.get("by_agent"):
            for name in AGENT_FIELDS:
                data[name] = ""
            data["agent_documents_sighted"] = False
        if data.get("category") != Category.POSTED_WORKER:
            data["posting_length_checked"] = False
        with_default_end(data, self.policy)
        problems = filing_problems(
            {name: data.get(name) for name in GIVEN_FIELDS if name not in self.errors},
            policy=self.policy,
            today=self.today,
            resident_id_number=self.resident.id_number,
            by_agent=bool(data.get("by_agent")),
            sighted=data.get("sighted") or [],
            scan_kind=data.get("scan_kind") or "",
            has_scan=bool(data.get("scan")),
            letter_given=bool(
                data.get("signature") or data.get("letter_scan") or data.get("signed_on_paper")
            ),
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


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


# What a rejection reason is about, by its words: the agent first, then the materials (a 证明
# or 备案表 asked for is about the evidence, even where it names a posting or a referral), then
# the other fields.
_REASON_WORDS = (
    (("代办",), "agent_name"),
    (("证", "备案表", "材料", "承诺书", "签字", "签名"), "evidence"),
    (("就医地",), "care_region_code"),
    (("参保地",), "insured_region_code"),
    (("类别", "派驻", "转诊", "急诊"), "category"),
    (("转出医院",), "referring_hospital"),
    (("入院",), "admission_date"),
    (("开始日期",), "start_date"),
    (("结束日期", "有效期"), "end_date"),
    (("电话", "手机"), "contact_phone"),
    (("地址",), "contact_address"),
    (("联系人",), "contact_name"),
)


def field_of_reason(reason: str) -> str:
    """The field of the filing form a rejection reason concerns (the evidence if none says)."""
    for words, field in _REASON_WORDS:
        if any(word in reason for word in words):
            return field
    return "evidence"


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
