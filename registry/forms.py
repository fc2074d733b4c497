from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import User
from core import id_numbers
from core.validators import clean_phone, clean_text
from core.versioning import VersionCheckedForm
from core.widgets import set_choices
from registry.lookup import forget_typed, household_within_reach, resident_within_reach
from registry.models import (
    CHANGEABLE_FIELDS,
    GUARDIAN_FIELDS,
    HOUSEHOLD_OF_ANOTHER_STATION,
    RESIDENT_TEXT,
    EnrollmentMaterial,
    Guardian,
    Household,
    Relationship,
    Resident,
    clean_resident_text,
    guardian_problems,
    too_long,
)


class ResidentForm(VersionCheckedForm):
    household_number = forms.CharField(
        label="户号",
        required=False,
        max_length=20,
        help_text="该参保人所在户的户号；新户请先登记户。",
    )

    class Meta:
        model = Resident
        fields = [
            "id_number",
            "name",
            "ethnicity",
            "phone",
            "address",
            "insurance_type",
            "household_number",
            "relationship_to_head",
        ]
        widgets = {
            "id_number": forms.TextInput(
                attrs={
                    "autofocus": True,
                    "autocomplete": "off",
                    "inputmode": "text",
                    "maxlength": 18,
                }
            ),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        set_choices(
            self, "relationship_to_head", [("", "请选择（不填户号时不选）"), *Relationship.choices]
        )
        for name in RESIDENT_TEXT:  # the import's message for the same refusal
            self.fields[name].error_messages["max_length"] = too_long(name)
        if self.instance.pk and user.is_supervisor:
            # A supervisor's direct correction says why; the history keeps it.
            self.fields["edit_reason"] = forms.CharField(
                label="修改原因", max_length=80, help_text="记入修改记录，审计时可查。"
            )
        if self.instance.pk:
            # Changing an ID number is a correction that needs a supervisor.
            self.fields["id_number"].disabled = True
            # The numbers on file are shown masked: a new phone is typed over the old one, and
            # a masked value posted back means "unchanged" (keeping a newer save's number).
            self.initial["id_number"] = id_numbers.mask(self.instance.id_number)
            self.initial["phone"] = id_numbers.mask_phone(self.instance.phone)
            if self.instance.household_id:
                self.initial["household_number"] = self.instance.household.household_number

    def clean_edit_reason(self) -> str:
        return clean_text(self.cleaned_data["edit_reason"])

    def edit_reason(self) -> str:
        """What the history says of a direct edit (history_change_reason, 100 characters)."""
        if "edit_reason" in self.cleaned_data:
            return f"审核员直接修改：{self.cleaned_data['edit_reason']}"
        return "参保登记完成前更正"

    def current_value(self, current, name: str):
        return (
            current.household
            if name == "household_number"
            else super().current_value(current, name)
        )

    def clean_id_number(self) -> str:
        if self.instance.pk:
            return self.instance.id_number
        number = id_numbers.validate(self.cleaned_data["id_number"])
        existing = resident_within_reach(self.user, number, purpose="登记参保人")
        if existing:
            raise ValidationError(
                format_html(
                    '该身份证号码已登记为 <a href="{}">{}</a>，请勿重复登记。',
                    reverse("registry:resident_detail", args=[existing.pk]),
                    existing.name,
                ),
                code="unique",
            )
        return number

    def clean_name(self) -> str:
        name = clean_resident_text("name", self.cleaned_data["name"])
        if not name:
            raise ValidationError("姓名至少 2 个字。")
        return name

    def clean_address(self) -> str:
        return clean_resident_text("address", self.cleaned_data["address"])

    def clean_ethnicity(self) -> str:
        return clean_resident_text("ethnicity", self.cleaned_data["ethnicity"])

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if self.instance.pk and "*" in phone:
            return self.instance.phone  # the masked number on file, posted back untouched
        return clean_phone(phone)

    def clean_household_number(self) -> Household | None:
        number = clean_text(self.cleaned_data["household_number"])
        if not number:
            return None
        household = household_within_reach(self.user, number, purpose="登记参保人")
        if household is None:
            raise ValidationError(f"未找到户号 {number}，请核对或先登记该户。")
        # A supervisor reaches every station's households; the resident's is her station's.
        station_id = self.instance.station_id if self.instance.pk else self.user.station_id
        if station_id and household.station_id != station_id:
            raise ValidationError(HOUSEHOLD_OF_ANOTHER_STATION)
        return household

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.has_error("id_number", code="elsewhere"):
            forget_typed(self, "id_number")
        household = data.get("household_number")
        relationship = data.get("relationship_to_head")
        if household and not relationship:
            self.add_error("relationship_to_head", "请选择与户主关系。")
        if relationship and not household and "household_number" not in self.errors:
            self.add_error("household_number", "填写了与户主关系，请同时填写户号。")
        if household and relationship == Relationship.HEAD:
            other_head = household.members.filter(relationship_to_head=Relationship.HEAD)
            if self.instance.pk:
                other_head = other_head.exclude(pk=self.instance.pk)
            if other_head.exists():
                self.add_error(
                    "relationship_to_head",
                    f"户号 {household.household_number} 已有户主 {other_head.first().name}。",
                )
        return data

    def save(self, commit: bool = True) -> Resident:
        resident = super().save(commit=False)
        resident.household = self.cleaned_data.get("household_number")
        if not resident.pk:
            resident.station = self.user.station
        if commit:
            resident.save()
        return resident


class HouseholdForm(VersionCheckedForm):
    class Meta:
        model = Household
        fields = ["household_number", "address"]
        widgets = {"household_number": forms.TextInput(attrs={"autofocus": True})}

    def __init__(self, *args, user: User, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_household_number(self) -> str:
        number = id_numbers.normalize(clean_text(self.cleaned_data["household_number"]))
        if not (number.isascii() and number.isdigit()):
            raise ValidationError("户号应为数字。")
        if number == self.instance.household_number:
            return number
        duplicate = household_within_reach(self.user, number, purpose="登记户")
        if duplicate:
            raise ValidationError(
                format_html(
                    '户号 {} 已登记为 <a href="{}">{}</a>，请勿重复登记。',
                    number,
                    duplicate.get_absolute_url(),
                    duplicate,
                ),
                code="unique",
            )
        return number

    def clean_address(self) -> str:
        return clean_text(self.cleaned_data["address"])

    def save(self, commit: bool = True) -> Household:
        household = super().save(commit=False)
        if not household.pk:
            household.station = self.user.station
        if commit:
            household.save()
        return household


class EnrollmentForm(forms.Form):
    newborn = forms.BooleanField(
        label="新生儿参保登记",
        required=False,
        help_text="新生儿须登记到已有的户，并提供父母身份证、新生儿户口簿和出生医学证明。",
    )
    guardian_member = forms.ChoiceField(label="监护人（户内成员）", required=False)
    guardian_name = forms.CharField(label="监护人姓名", max_length=30, required=False)
    guardian_id_number = forms.CharField(
        label="监护人身份证号码",
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    guardian_relationship = forms.ChoiceField(
        label="监护人与新生儿关系", choices=[("", "请选择"), *Guardian.choices], required=False
    )
    guardian_phone = forms.CharField(label="监护人联系电话", max_length=20, required=False)
    materials = forms.MultipleChoiceField(
        label="已收材料（原件已核验、复印件已留存）",
        choices=EnrollmentMaterial.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members: Iterable[Resident] = (), **kwargs) -> None:
        """`members`: the household's members (within the station) a guardian is picked from."""
        super().__init__(*args, **kwargs)
        self.members = {str(member.pk): member for member in members}
        self.fields["guardian_member"].choices = [  # type: ignore[attr-defined]
            ("", "户外人员（在下面填写）" if self.members else "—"),
            *((pk, member_label(member)) for pk, member in self.members.items()),
        ]

    def clean_guardian_name(self) -> str:
        return clean_text(self.cleaned_data["guardian_name"])

    def clean_guardian_id_number(self) -> str:
        value = self.cleaned_data["guardian_id_number"]
        return id_numbers.validate(value) if value else ""

    def clean_guardian_phone(self) -> str:
        return clean_phone(self.cleaned_data["guardian_phone"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("newborn"):
            for name in GUARDIAN_FIELDS:
                data[name] = ""
            return data
        member = self.members.get(data.get("guardian_member") or "")
        if member is not None:
            # Picked from the household: the name and number on file, not typed again.
            data["guardian_name"], data["guardian_id_number"] = member.name, member.id_number
            data["guardian_phone"] = data.get("guardian_phone") or member.phone
        for name, message in guardian_problems(self.guardian()).items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def guardian(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in GUARDIAN_FIELDS}


def member_label(member: Resident) -> str:
    """A household member as the guardian list names them: no full number on the page."""
    relationship = member.get_relationship_to_head_display() or "户内成员"
    return f"{member.name}（{relationship}，{member.sex_display}，{member.masked_id_number}）"


class InfoChangeForm(ResidentForm):
    """The new values of a change; the ID number may be corrected here (it then needs a
    supervisor's approval)."""

    reason = forms.CharField(label="变更原因", max_length=200)

    class Meta(ResidentForm.Meta):
        fields = [*ResidentForm.Meta.fields, "reason"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].disabled = False
        self.fields[
            "id_number"
        ].help_text = "如需更正身份证号码，请输入完整的正确号码；变更须经审核员审核。"

    def clean_id_number(self) -> str:
        typed = self.cleaned_data["id_number"]
        if "*" in typed:
            return self.instance.id_number  # the masked number on file, posted back untouched
        number = id_numbers.validate(typed)
        if number == self.instance.id_number:
            return number
        clash = resident_within_reach(self.user, number, purpose="更正身份证号码")
        if clash:
            raise ValidationError("该身份证号码已登记为其他参保人。")
        return number

    def clean_reason(self) -> str:
        return clean_text(self.cleaned_data["reason"])

    def new_values(self) -> dict:
        values = {
            name: self.cleaned_data.get(name) for name in CHANGEABLE_FIELDS if name != "household"
        }
        values["household"] = self.cleaned_data.get("household_number")
        return values
