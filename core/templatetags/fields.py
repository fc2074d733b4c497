"""`{{ form.name|field }}`: a form field in Bootstrap 5's markup, as crispy-forms' bootstrap5
pack writes it (label, control, errors, help text; the same ids and ARIA), made here in Python.

The filing form has 25 fields; through crispy's field templates they were most of the page's
server time (docs/benchmarks.md, issue 31). The widget itself is rendered by Django
(`BoundField.as_widget`, with its ids, `aria-invalid` and `aria-describedby`); radio buttons and
check boxes, with their groups, are written here.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The control's classes by widget, as crispy-forms' bootstrap5 pack gives them.
CONTROL = {
    forms.Select: "select form-select",
    forms.CheckboxInput: "checkboxinput form-check-input",
    forms.DateInput: "dateinput form-control",
    forms.FileInput: "form-control",
    forms.Textarea: "textarea form-control",
}


@register.filter
def field(bound: BoundField) -> SafeString:
    widget = bound.field.widget
    if isinstance(widget, forms.HiddenInput):
        return mark_safe(str(bound))
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return _choices(bound)
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}'
            '<label for="{}" class="form-check-label">{}</label>{}{}</div></div>',
            bound.auto_id,
            _control(bound),
            bound.id_for_label,
            bound.label,
            _errors(bound),
            _help(bound),
        )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        bound.auto_id,
        _label(bound),
        _control(bound),
        _errors(bound),
        _help(bound),
    )


def _control(bound: BoundField) -> SafeString:
    widget = bound.field.widget
    kind = next(
        (classes for cls, classes in CONTROL.items() if isinstance(widget, cls)),
        "textinput form-control",
    )
    own = widget.attrs.get("class", "")
    invalid = " is-invalid" if bound.errors else ""
    return bound.as_widget(attrs={"class": f"{own} {kind}{invalid}".strip()})


def _label(bound: BoundField) -> SafeString:
    required = bound.field.required
    return format_html(
        '<label for="{}" class="form-label{}">{}{}</label>',
        bound.id_for_label,
        " requiredField" if required else "",
        bound.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )


def _errors(bound: BoundField) -> SafeString:
    if not bound.errors:
        return mark_safe("")
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        bound.auto_id,
        format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((n, bound.auto_id, e) for n, e in enumerate(bound.errors, 1)),
        ),
    )


def _help(bound: BoundField) -> SafeString:
    if not bound.help_text:
        return mark_safe("")
    return format_html(
        '<div id="{}_helptext" class="form-text">{}</div>', bound.auto_id, bound.help_text
    )


def _choices(bound: BoundField) -> SafeString:
    """Radio buttons or check boxes in a fieldset, a group's options under its name."""
    widget = bound.field.widget
    # CheckboxSelectMultiple is a RadioSelect to Django: asked first.
    kind = "checkbox" if isinstance(widget, forms.CheckboxSelectMultiple) else "radio"
    value = bound.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value or "")}
    invalid = " is-invalid" if bound.errors else ""
    required = kind == "radio" and bound.field.required
    extra = (" required" if required else "") + (' aria-invalid="true"' if bound.errors else "")
    parts = []
    choices = cast(forms.ChoiceField, bound.field).choices
    for index, (group, options) in enumerate(_groups(choices)):
        if group is not None:
            parts.append(format_html("<strong>{}</strong>", group))
        for number, (option, text) in enumerate(options):
            place = f"{index}_{number}" if group is not None else f"{number + index}"
            parts.append(
                format_html(
                    '<div class="form-check"><input type="{}" class="form-check-input{}" '
                    'name="{}" value="{}" id="{}_{}"{}{}>'
                    '<label for="{}_{}" class="form-check-label">{}</label></div>',
                    kind,
                    invalid,
                    bound.html_name,
                    option,
                    bound.auto_id,
                    place,
                    mark_safe(" checked") if str(option) in chosen else "",
                    mark_safe(extra),
                    bound.auto_id,
                    place,
                    text,
                )
            )
    described = format_html(' aria-describedby="{}_error"', bound.auto_id) if bound.errors else ""
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset{}><legend class="form-label{} fs-6">{}{}'
        "</legend><div>{}</div>{}{}</fieldset></div>",
        bound.auto_id,
        described,
        " requiredField" if bound.field.required else "",
        bound.label,
        mark_safe('<span class="asteriskField">*</span>') if bound.field.required else "",
        mark_safe("".join(parts)),
        _errors(bound),
        _help(bound),
    )


def _groups(choices: Any) -> list[tuple[str | None, list[tuple[str, str]]]]:
    """The choices as (group, options): a group's name, or None for options outside one
    (their ids then count on from the options before, as Django numbers them)."""
    groups: list[tuple[str | None, list[tuple[str, str]]]] = []
    loose: list[tuple[str, str]] = []
    for option, text in choices:
        if isinstance(text, list | tuple):
            groups.append((option, list(text)))
        else:
            loose.append((option, text))
    return groups if groups else [(None, loose)]
