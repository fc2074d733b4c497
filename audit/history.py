"""A history row's changes as people read them: each field's Chinese label, old → new, with
choices by their labels and related records by their names (written into the audit trail)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import models

from core import dates, id_numbers, logs, regions

# Fields that are the software's bookkeeping, not what a person changed: who is a Django
# superuser or may open Django's admin (never used here), a scan's detected file type.
_NOT_FOR_PEOPLE = frozenset({"is_superuser", "is_staff", "content_type"})
# Their labels, for entries written before they were left out (an entry is never rewritten).
_NOT_FOR_PEOPLE_LABELS = frozenset({"超级用户状态", "工作人员状态", "content type"})
# A stored scan's name (filing.models.upload_path): where it lies says nothing to a reader.
_STORED_FILE = re.compile(r"^[\w./-]*/[0-9a-f]{32}\.(pdf|jpg|png|bin)$")
_FILE_KINDS = {"pdf": "PDF", "jpg": "图片", "png": "图片", "bin": "文件"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@cache
def _choice_labels(model_field: models.Field) -> dict:
    return {key: str(label) for key, label in model_field.flatchoices}


@cache
def _label(model_field: models.Field) -> str:
    return str(model_field.verbose_name)


def label_of(instance: models.Model) -> str:
    """How a related record is named in the trail: its `audit_label` where reading its
    usual name would cost a query (a household's head), else its name."""
    return getattr(instance, "audit_label", None) or str(instance)


def _display(model_field: models.Field, value, names: dict | None = None) -> str:
    if value in (None, "", []):
        return "（空）"
    if model_field.choices:
        return _choice_labels(model_field).get(value, str(value))
    if model_field.name.endswith("region_code"):
        return regions.region_name(value)
    if isinstance(model_field, models.ForeignKey):
        key = (model_field.related_model, value)
        if names is not None and key in names:
            return names[key]
        related = model_field.related_model._default_manager.filter(pk=value).first()
        name = label_of(related) if related else f"#{value}（已删除）"
        if names is not None:
            names[key] = name
        return name
    if isinstance(model_field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(model_field, models.FileField):
        return _stored_file(str(value))
    if isinstance(model_field, models.DateTimeField) and isinstance(value, datetime):
        return dates.minute(value)
    if isinstance(model_field, models.JSONField) and isinstance(value, list):
        return "、".join(_display_item(model_field, item) for item in value)
    return str(value)


def _display_item(model_field: models.Field, item) -> str:
    """A JSON list holds codes (shown by the label the model names for them in
    `json_choices`) or change items (shown as old → new)."""
    if isinstance(item, dict):
        label = item.get("label", "")
        return f"{label}：{_mask(label, item.get('old', ''))} → {_mask(label, item.get('new', ''))}"
    choices = getattr(model_field.model, "json_choices", {}).get(model_field.name)
    return str(dict(choices.choices).get(item, item)) if choices else str(item)


def describe_changes(record, previous, names: dict | None = None) -> list[Change]:
    """The changed fields of a history row against the one before it (all non-empty fields
    for the first row). `names` caches related records' names over a bulk write."""
    model = record.instance_type
    # Bookkeeping fields (a submission token, a creation stamp) are not what people changed.
    tracked = [
        f
        for f in record.__class__.tracked_fields
        if not f.primary_key and f.editable and f.name not in _NOT_FOR_PEOPLE
    ]
    if previous is None:
        changes = []
        for model_field in tracked:
            value = getattr(record, model_field.attname)
            if value not in (None, "", []):
                changes.append(Change(_label(model_field), "", _display(model_field, value, names)))
        return changes
    result = []
    for change in record.diff_against(previous).changes:
        model_field = model._meta.get_field(change.field)
        if model_field.name in _NOT_FOR_PEOPLE:
            continue
        result.append(
            Change(
                str(model_field.verbose_name),
                _display(model_field, change.old),
                _display(model_field, change.new),
            )
        )
    return result


def masked(changes: list, revealed: bool = False) -> list:
    """ID and phone numbers stay masked wherever the trail is shown or exported; the entry
    keeps the real values, which a reveal (with its reason, audited) shows on the record's
    page (`revealed`): which number became which. What is no person's change is left out, and
    a stored scan reads as uploaded, not as its path."""
    shown = (lambda label, value: value) if revealed else _mask
    return [
        [label, _shown(shown, label, old), _shown(shown, label, new)]
        for label, old, new in changes
        if label not in _NOT_FOR_PEOPLE_LABELS
    ]


# No ID number (18), mobile number (11) or stored file's name is shorter: such a value, most
# of a log page's, is shown as it is without a pattern tried on it. A phone field's value is
# masked whatever its length (a landline is shorter).
_SHORTEST_MASKED = 11


def _shown(shown, label: str, value):
    if isinstance(value, str) and len(value) < _SHORTEST_MASKED and "电话" not in label:
        return value
    return shown(label, _stored_file(value))


def _stored_file(value: str) -> str:
    match = _STORED_FILE.match(value or "")
    return f"已上传（{_FILE_KINDS[match.group(1)]}）" if match else value


def _mask(label: str, value: str) -> str:
    if "身份证号码" in label and len(value) == 18:
        return id_numbers.mask(value)
    if "电话" in label and value and value != "（空）":
        return id_numbers.mask_phone(value)
    # Free text (a rejection reason, a cancellation reason) may quote a number.
    return logs.masked(value) if isinstance(value, str) else value
