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
    if value in (None, ""):
        return "（空）"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else f"#{value}（已删除）"
    if isinstance(model_field, models.BooleanField):
        return "是" if value else "否"
    return str(value)


def history_entries(instance: models.Model) -> list[Entry]:
    """Newest first. The first entry lists the values the record was created with."""
    meta = instance._meta
    records = list(instance.history.select_related("history_user").order_by("history_date", "pk"))
    tracked = [f for f in instance.history.model.tracked_fields if not f.primary_key]
    entries: list[Entry] = []
    previous = None
    for record in records:
        entry = Entry(
            when=record.history_date,
            user=str(record.history_user) if record.history_user else "系统",
            action=ACTIONS.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
        )
        if previous is None:
            for model_field in tracked:
                value = getattr(record, model_field.attname)
                if value not in (None, ""):
                    entry.changes.append(
                        Change(str(model_field.verbose_name), "", _display(model_field, value))
                    )
        else:
            for change in record.diff_against(previous).changes:
                model_field = meta.get_field(change.field)
                entry.changes.append(
                    Change(
                        str(model_field.verbose_name),
                        _display(model_field, change.old),
                        _display(model_field, change.new),
                    )
                )
        entries.append(entry)
        previous = record
    return entries[::-1]
