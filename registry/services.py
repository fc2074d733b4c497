"""Counter workflows of the registry that write several records at once (one transaction
each): enrollment and changes of insured information."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from core import id_numbers
from registry.models import (
    CHANGEABLE_FIELDS,
    GUARDIAN_FIELDS,
    ChangeStatus,
    Enrollment,
    Household,
    InfoChange,
    Resident,
    guardian_problems,
    insurance_name,
    newborn_problems,
    resident_problems,
)


# Enrollment ---------------------------------------------------------------------------------
@transaction.atomic
def enroll(
    *,
    resident: Resident,
    user: User,
    newborn: bool,
    materials: list[str],
    guardian: dict[str, str] | None = None,
) -> Enrollment:
    """新增参保登记: saves the resident (when new) and opens the enrollment with the materials
    sighted so far; it completes once all are there."""
    if resident.pk and Enrollment.objects.filter(resident=resident).exists():
        raise ValidationError(f"{resident.name}已办理参保登记，无需重复登记。")
    if resident.pk is None and (problems := resident_problems(resident)):
        raise ValidationError(problems)
    if newborn:
        problems = {
            **guardian_problems(guardian or {}, resident.id_number),
            **newborn_problems(resident, timezone.localdate()),
        }
        if problems:
            raise ValidationError(problems)
    resident.save()
    enrollment = Enrollment.objects.create(
        station=user.counter_station,
        resident=resident,
        newborn=newborn,
        created_by=user,
        **({name: (guardian or {}).get(name, "") for name in GUARDIAN_FIELDS} if newborn else {}),
    )
    enrollment.received = [m for m in enrollment.required_materials if m in materials]
    enrollment.save()
    return enrollment


def update_enrollment(enrollment: Enrollment, *, materials: list[str], complete: bool) -> None:
    """Keep the materials ticked and, when asked and all are there, complete the enrollment.
    A refused completion keeps the ticks: the refusal comes after they are saved."""
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.is_complete:
            raise ValidationError("该参保登记已完成。")
        enrollment.received = [m for m in enrollment.required_materials if m in materials]
        missing = enrollment.missing_materials
        if complete and not missing:
            enrollment.completed_at = timezone.now()
        enrollment.save()
    if complete and missing:
        names = "、".join(m.label for m in missing)
        raise ValidationError(f"还缺少：{names}。材料齐全后才能完成参保登记。")


# Changes of insured information ------------------------------------------------------------
def _display(resident: Resident, field: str, value: Any) -> str:
    if field == "household":
        return value.household_number if value else ""
    if field == "insurance_type":  # printed on the change form the resident signs
        return insurance_name(value)
    model_field = cast(models.Field, Resident._meta.get_field(field))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value or ""))
    return str(value or "")


def _raw(field: str, value: Any) -> Any:
    return value.household_number if field == "household" and value else (value or "")


def change_items(resident: Resident, new_values: dict) -> list[dict]:
    """Each changed field with its label, old and new value, as the change form prints it."""
    items = []
    for field in CHANGEABLE_FIELDS:
        old, new = getattr(resident, field), new_values.get(field)
        if _raw(field, old) == _raw(field, new):
            continue
        items.append(
            {
                "field": field,
                "label": str(cast(models.Field, Resident._meta.get_field(field)).verbose_name)
                if field != "household"
                else "户号",
                "old": _display(resident, field, old),
                "new": _display(resident, field, new),
                "new_value": _raw(field, new),
            }
        )
    return items


@transaction.atomic
def request_change(*, resident: Resident, user: User, new_values: dict, reason: str) -> InfoChange:
    items = change_items(resident, new_values)
    if not items:
        raise ValidationError("没有需要变更的内容。")
    changed = Resident(**{item["field"]: new_values.get(item["field"]) for item in items})
    checked = tuple(item["field"] for item in items if item["field"] != "household")
    if problems := resident_problems(changed, checked):
        raise ValidationError(problems)
    return InfoChange.objects.create(
        station=resident.station, resident=resident, items=items, reason=reason, created_by=user
    )


def _apply(change: InfoChange) -> None:
    resident = Resident.objects.select_for_update().get(pk=change.resident_id)
    for item in change.items:
        field, value = item["field"], item["new_value"]
        if field == "household":
            value = (
                Household.objects.get(station=resident.station, household_number=value)
                if value
                else None
            )
        elif field == "id_number":
            value = id_numbers.validate(value)
            if Resident.objects.filter(id_number=value).exclude(pk=resident.pk).exists():
                raise ValidationError(
                    f"身份证号码 {id_numbers.mask(value)} 已登记为其他参保人，不能更正为该号码。"
                )
        setattr(resident, field, value)
    # simple-history writes this reason into the history row it makes on save.
    setattr(resident, "_change_reason", f"参保信息变更：{change.reason}")  # noqa: B010
    resident.save()


@transaction.atomic
def complete_change(
    change: InfoChange, *, user: User, id_card_sighted: bool, form_signed: bool
) -> InfoChange:
    """The signed form and the ID card are there: the change is applied now, or, for an ID
    number correction, sent to a supervisor."""
    change = InfoChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.DRAFT:
        raise ValidationError("该变更已提交。")
    change.id_card_sighted, change.form_signed = id_card_sighted, form_signed
    if change.missing_materials:
        change.save()
        raise ValidationError(f"还缺少：{'、'.join(change.missing_materials)}。")
    if change.corrects_id_number:
        change.status = ChangeStatus.AWAITING_APPROVAL
    else:
        _apply(change)
        change.status = ChangeStatus.COMPLETED
        change.decided_at = timezone.now()
    change.save()
    return change


@transaction.atomic
def decide_change(change: InfoChange, *, supervisor: User, approve: bool, reason: str = "") -> None:
    change = InfoChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.AWAITING_APPROVAL:
        raise ValidationError("该变更不在待审核状态。")
    if approve:
        _apply(change)
        change.status = ChangeStatus.COMPLETED
    else:
        if not reason:
            raise ValidationError("请填写未通过的原因。")
        change.status = ChangeStatus.REJECTED
        change.rejection_reason = reason
    change.reviewed_by = supervisor
    change.decided_at = timezone.now()
    change.save()
