"""Optimistic concurrency: when two caseworkers edit the same record, the second save shows
both versions and loses nothing.

A versioned record counts its saves. The edit form carries the count it was opened at; if the
record was saved in between, the form comes back with a table of what differs, everything the
second caseworker typed still in it, and the new count, so saving again overwrites knowingly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core import id_numbers
from core.validators import check_dates


class Versioned(models.Model):
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


@dataclass
class Difference:
    label: str
    yours: str
    theirs: str


def _shown(form: forms.BaseForm, name: str, value: object) -> str:
    field = form.fields[name]
    if value and name.endswith("id_number"):
        return id_numbers.mask(str(value))
    if value and name.endswith("phone"):
        return id_numbers.mask_phone(str(value))
    if hasattr(field, "choices") and not isinstance(value, list | tuple):
        return str(dict(field.choices).get(value, value) if value not in (None, "") else "（空）")
    if isinstance(value, models.Model):
        return str(value)
    return "（空）" if value in (None, "") else str(value)


class VersionCheckedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        check_dates(self)
        self.conflict: list[Difference] = []
        self.conflict_by = ""
        if self.instance.pk:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        posted = data.get("version")
        if not self.instance.pk:
            return data
        if posted is None:
            # Without the version the form was opened with, a save could overwrite a newer
            # one unseen: refused, not waved through.
            raise ValidationError(
                "该表单缺少版本信息（页面可能已过期），没有保存。请重新打开页面后修改。"
            )
        model = type(self.instance)
        # Locked until this request's transaction ends, so a parallel save waits and then
        # sees the new version.
        current = model._default_manager.select_for_update().get(pk=self.instance.pk)
        if current.version == posted:
            return data
        for name in self.changed_data_against(current):
            self.conflict.append(
                Difference(
                    str(self.fields[name].label or name),
                    _shown(self, name, data.get(name)),
                    _shown(self, name, self.current_value(current, name)),
                )
            )
        latest = current.history.first() if hasattr(current, "history") else None
        self.conflict_by = str(latest.history_user) if latest and latest.history_user else "其他人"
        data_copy = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict
        data_copy["version"] = current.version
        self.data = data_copy
        raise ValidationError(
            f"在您修改期间，{self.conflict_by}已保存了这条记录。下表是双方不同的内容；"
            "您填写的内容都还在表单里，核对后再次保存将以您的内容为准。",
            code="conflict",
        )

    # Form fields that are not the record's own values (a new password, a reason).
    unversioned_fields: tuple[str, ...] = ("password", "reason")

    def current_value(self, current: models.Model, name: str) -> Any:
        return getattr(current, name, None)

    def changed_data_against(self, current: models.Model) -> list[str]:
        names = []
        for name in self.fields:
            if name in ("version", *self.unversioned_fields) or name not in self.cleaned_data:
                continue
            yours, theirs = self.cleaned_data[name], self.current_value(current, name)
            if isinstance(theirs, models.Model):
                theirs = theirs.pk
                yours = yours.pk if isinstance(yours, models.Model) else yours
            if yours != theirs and not (yours in (None, "") and theirs in (None, "")):
                names.append(name)
        return names
