"""A record's history, read from django-simple-history, as people read it: who, when, what
changed, with each field's Chinese label and related records by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models

ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    user: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _display(model_field: models.Field, value) -> str:
    if value in (None, "", []):
        return "（空）"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else f"#{value}（已删除）"
    if isinstance(model_field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(model_field, models.JSONField) and isinstance(value, list):
        return "、".join(_display_item(model_field, item) for item in value)
    return str(value)


def _display_item(model_field: models.Field, item) -> str:
    """A JSON list holds codes (shown by the label the model names for them in
    `json_choices`) or change items (shown as old → new)."""
    if isinstance(item, dict):
        return f"{item.get('label', '')}：{item.get('old', '')} → {item.get('new', '')}"
    choices = getattr(model_field.model, "json_choices", {}).get(model_field.name)
    return str(dict(choices.choices).get(item, item)) if choices else str(item)


def describe_changes(record, previous) -> list[Change]:
    """The changed fields of a history row against the one before it (all non-empty fields
    for the first row)."""
    model = record.instance_type
    tracked = [f for f in record.__class__.tracked_fields if not f.primary_key]
    if previous is None:
        changes = []
        for model_field in tracked:
            value = getattr(record, model_field.attname)
            if value not in (None, "", []):
                changes.append(
                    Change(str(model_field.verbose_name), "", _display(model_field, value))
                )
        return changes
    result = []
    for change in record.diff_against(previous).changes:
        model_field = model._meta.get_field(change.field)
        result.append(
            Change(
                str(model_field.verbose_name),
                _display(model_field, change.old),
                _display(model_field, change.new),
            )
        )
    return result


def history_entries(instance: models.Model) -> list[Entry]:
    """Newest first."""
    records = list(instance.history.select_related("history_user").order_by("history_date", "pk"))
    entries: list[Entry] = []
    previous = None
    for record in records:
        entries.append(
            Entry(
                when=record.history_date,
                user=str(record.history_user) if record.history_user else "系统",
                action=ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=describe_changes(record, previous),
            )
        )
        previous = record
    return entries[::-1]
