"""The form renderer (settings.FORM_RENDERER): Django's own, except that a `<select>` is written
here in Python from the context Django's Select widget gives its template.

Django renders each `<option>` through the template engine (`select_option.html` and
`attrs.html`, included once per option): a list of twenty stations or users cost the audit
log's filter as much as the rest of its page. The markup is the templates' own, value for
value; a widget with its own option template keeps Django's way.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class Renderer(DjangoTemplates):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
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


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html: `name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


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
