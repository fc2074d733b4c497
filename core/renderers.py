"""The form renderer (settings.FORM_RENDERER): Django's own, except that a `<select>`, an
`<input>` and a `<textarea>` are written here in Python from the context Django's widgets give
their templates.

Django renders each `<option>` through the template engine (`select_option.html` and
`attrs.html`, included once per option): a list of twenty stations or users cost the audit
log's filter as much as the rest of its page; and each input goes through two included
templates (`text.html` → `input.html` → `attrs.html`), most of a long form's rendering (the
filing form has 25 fields). The markup is the templates' own, byte for byte
(tests/test_renderers.py); a widget with a template of its own keeps Django's way.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.safestring import SafeData

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# Django's templates that are `input.html` and nothing else.
INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in [
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
}


class Renderer(DjangoTemplates):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name in INPUTS:
            return _input(context["widget"])
        if template_name == TEXTAREA:
            return _textarea(context["widget"])
        if template_name == SELECT and _plain(context["widget"]):
            return _select(context["widget"])
        return super().render(template_name, context, request)


def _plain(widget: dict[str, Any]) -> bool:
    return all(
        option["template_name"] == OPTION
        for _, options, _ in widget["optgroups"]
        for option in options
    )


def _text(value: Any) -> str:
    """As the template's `{{ value }}` writes it: escaped, unless already safe HTML."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _formatted(value: Any) -> str:
    """As `{{ value|stringformat:'s' }}` writes it: the text, escaped unless marked safe."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html: `name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """input.html: the value written when there is one, even an empty one."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict[str, Any]) -> str:
    """textarea.html: its text after a line break (which HTML drops), if it has any."""
    text = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(
            f'\n  <option value="{escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
            f"{_text(option['label'])}</option>\n"  # the option template's own last line
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
