from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from accounts.models import User
from core.validators import clean_text
from core.versioning import VersionCheckedForm
from core.widgets import DATE_INPUT, set_choices
from registry.lookup import forget_typed, resident_within_reach
from registry.models import Resident
from reimbursement.models import Birth, CaseKind, Document, ReimbursementCase, case_problems


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
            # A help text is rendered as markup: the name is data, escaped here.
            field.help_text = format_html("参保人：{}", self.resident.name)
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
            raise ValidationError(
                "该身份证号码尚未登记参保人，请先登记参保人再受理补偿。", code="unregistered"
            )
        return resident

    def clean_hospital(self) -> str:
        return clean_text(self.cleaned_data["hospital"])

    def clean_chronic_disease(self) -> str:
        return clean_text(self.cleaned_data["chronic_disease"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.has_error("id_number", code="elsewhere"):
            forget_typed(self, "id_number")
        if data.get("kind") == CaseKind.INPATIENT:
            data["chronic_disease"] = ""
        elif data.get("kind") == CaseKind.CHRONIC:
            data["admission_date"] = data["discharge_date"] = None
            data["birth"], data["accidental_injury"] = "", False
        # The rules live in reimbursement.models.case_problems; services.save_case applies
        # them again on every path.
        problems = case_problems(
            kind=data.get("kind") or "",
            hospital=data.get("hospital") or "",
            admission_date=data.get("admission_date"),
            discharge_date=data.get("discharge_date"),
            chronic_disease=data.get("chronic_disease") or "",
            total_cost=data.get("total_cost"),
            today=self.today,
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data
