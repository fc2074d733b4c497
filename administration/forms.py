from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import SERVER_MANAGED_ROLES, Policy, Role, Station, User
from core.validators import clean_phone, clean_text, plausible_date
from core.versioning import VersionCheckedForm
from core.widgets import DATE_INPUT, set_choices


class StaffForm(VersionCheckedForm):
    """An administrator creates or edits a member of staff of their own county."""

    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(render_value=True),
        required=False,
        help_text="至少 12 位；新建账户必填，修改时留空则不变。",
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "station", "is_active"]
        labels = {"username": "登录名", "is_active": "账户可用"}

    def __init__(self, *args, administrator: User, **kwargs) -> None:
        self.administrator = administrator
        super().__init__(*args, **kwargs)
        # Before validation: the model's own check needs the county of a supervisor or
        # administrator (without it the form failed for those roles).
        self.instance.county = administrator.county
        station = self.fields["station"]
        assert isinstance(station, forms.ModelChoiceField)
        station.queryset = Station.objects.filter(county=administrator.county)
        self.fields["station"].required = False
        station.empty_label = "（不属于医保站：督导员、管理员）"
        station.help_text = "经办员必须选择其所在的医保站。"
        self.fields["username"].help_text = "用于登录，不超过 150 个字符：字母、数字或 @ . + - _。"
        self.fields["full_name"].required = True
        # Separation of duties (等保 2.0): the administrator grants no supervisor or auditor
        # role (accounts.models.SERVER_MANAGED_ROLES), and changes no role of their own.
        set_choices(
            self, "role", [(r.value, r.label) for r in Role if r not in SERVER_MANAGED_ROLES]
        )
        if self.instance.pk == administrator.pk:
            for name in ("role", "is_active"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "不能修改自己的角色或停用自己的账户。"
        if not self.instance.pk:
            self.fields["password"].required = True

    def clean_full_name(self) -> str:
        return clean_text(self.cleaned_data["full_name"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("role") == Role.CASEWORKER and not data.get("station"):
            self.add_error("station", "经办员必须属于一个医保站。")
        password = data.get("password")
        if password:
            candidate = (
                self.instance if self.instance.pk else User(username=data.get("username") or "")
            )
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return data

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.county = self.administrator.county
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
            user.must_change_password = True
            if user.pk:  # a reset, said in words in the trail
                user._change_reason = (  # django-simple-history
                    f"{self.administrator.full_name}重置了{user.full_name}（{user.username}）的密码"
                )
        if commit:
            user.save()
        return user


class StationForm(VersionCheckedForm):
    class Meta:
        model = Station
        fields = ["name", "township", "address", "phone"]

    def __init__(self, *args, administrator: User, **kwargs) -> None:
        self.administrator = administrator
        super().__init__(*args, **kwargs)
        self.instance.county = administrator.county

    def clean_name(self) -> str:
        return clean_text(self.cleaned_data["name"])

    def clean_township(self) -> str:
        return clean_text(self.cleaned_data["township"])

    def clean_address(self) -> str:
        return clean_text(self.cleaned_data["address"])

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])


class PolicyForm(VersionCheckedForm):
    class Meta:
        model = Policy
        fields = [
            "backdating_days",
            "temporary_validity_months",
            "referral_validity_months",
            "long_term_min_validity_months",
            "long_term_cancel_after_months",
            "large_amount_threshold",
            "manual_review_working_days",
            "automatic_review",
            "emergency_filing",
            "emergency_effective_at_once",
            "posting_months",
            "maternity_filing",
        ]


class CalendarDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE_INPUT, validators=[plausible_date])
    is_working_day = forms.TypedChoiceField(
        label="安排",
        choices=[("False", "放假"), ("True", "上班（调休）")],
        coerce=lambda value: value == "True",
    )
    note = forms.CharField(label="说明", max_length=30, required=False)

    def clean_note(self) -> str:
        return clean_text(self.cleaned_data["note"])
