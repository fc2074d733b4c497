from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from core.validators import clean_text
from core.versioning import VersionCheckedForm
from core.widgets import DATE_INPUT, set_choices
from registry.lookup import forget_typed, resident_within_reach
from registry.models import Resident
from reimbursement.models import Birth, CaseKind, Document, ReimbursementCase


class CaseForm(VersionCheckedForm):
    id_number = forms.CharField(label="参保人身份证号码", max_length=20)
    received = forms.MultipleChoiceField(
        label="已收材料",
        choices=Document.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ReimbursementCase
        fields = [
            "kind",
            "hospital",
            "admission_date",
            "discharge_date",
            "chronic_disease",
            "total_cost",
            "birth",
            "accidental_injury",
            "received",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "admission_date": DATE_INPUT,
            "discharge_date": DATE_INPUT,
            "total_cost": forms.NumberInput(
                attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}
            ),
        }

    unversioned_fields = ("id_number",)

    def __init__(
        self,
        *args,
        user: User,
        today: datetime.date,
        resident: Resident | None = None,
        **kwargs,
    ) -> None:
        self.user = user
        self.today = today
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", CaseKind.choices)
        set_choices(self, "birth", Birth.choices)
        # A case opened from the resident's page, or saved before, knows its resident: the
        # number is shown masked, with the name, and cannot be changed.
        self.resident = self.instance.resident if self.instance.pk else resident
        if self.resident is not None:
            field = self.fields["id_number"]
            field.disabled = True
            field.help_text = f"参保人：{self.resident.name}"
            self.initial["id_number"] = self.resident.masked_id_number
            self.fields["hospital"].widget.attrs["autofocus"] = True
        else:
            # The counter starts from the resident's ID card: the cursor waits there.
            self.fields["id_number"].widget.attrs["autofocus"] = True

    def clean_id_number(self) -> Resident:
        if self.resident is not None:
            return self.resident
        resident = resident_within_reach(
            self.user, self.cleaned_data["id_number"], purpose="受理县域外补偿"
        )
        if resident is None:
            raise ValidationError("该身份证号码尚未登记参保人，请先登记参保人再受理补偿。")
        return resident

    def clean_hospital(self) -> str:
        return clean_text(self.cleaned_data["hospital"])

    def clean_chronic_disease(self) -> str:
        return clean_text(self.cleaned_data["chronic_disease"])

    def clean_total_cost(self) -> Decimal:
        cost = self.cleaned_data["total_cost"]
        if cost < 0:
            raise ValidationError("总费用不能为负数。")
        if cost == 0:
            raise ValidationError("总费用应大于 0 元。")
        return cost

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.has_error("id_number", code="elsewhere"):
            forget_typed(self, "id_number")
        if data.get("kind") == CaseKind.INPATIENT:
            admitted, discharged = data.get("admission_date"), data.get("discharge_date")
            if not admitted and "admission_date" not in self.errors:
                self.add_error("admission_date", "住院补偿须填写入院日期。")
            if not discharged and "discharge_date" not in self.errors:
                self.add_error("discharge_date", "住院补偿须填写出院日期。")
            if admitted and admitted > self.today:
                self.add_error("admission_date", "入院日期不能晚于今天。")
            if discharged and discharged > self.today:
                self.add_error("discharge_date", "出院日期不能晚于今天。")
            if admitted and discharged and discharged < admitted:
                self.add_error("discharge_date", "出院日期不能早于入院日期。")
            data["chronic_disease"] = ""
        elif data.get("kind") == CaseKind.CHRONIC:
            if not data.get("chronic_disease") and "chronic_disease" not in self.errors:
                self.add_error("chronic_disease", "慢性病补偿须填写病种。")
            data["admission_date"] = data["discharge_date"] = None
            data["birth"], data["accidental_injury"] = "", False
        return data
