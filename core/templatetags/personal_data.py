"""ID and phone numbers as a page may show them: masked, unless the page is a document a
resident signs (`full_numbers` in its context, set only by `security.privacy.personal_printable`,
which writes the audit entry)."""

from django import template
from django.template.context import Context

from core import id_numbers

register = template.Library()


@register.simple_tag(takes_context=True)
def id_number(context: Context, value: str) -> str:
    """An ID number, masked unless the page carries `full_numbers`."""
    value = value or ""
    return value if context.get("full_numbers") else id_numbers.mask(value) if value else ""


@register.simple_tag(takes_context=True)
def phone_number(context: Context, value: str) -> str:
    """A phone number as this page may show it (see `id_number`)."""
    value = value or ""
    return value if context.get("full_numbers") else id_numbers.mask_phone(value)


@register.simple_tag(takes_context=True)
def change_value(context: Context, item: dict[str, str], which: str) -> str:
    """The old or new value of an information change's item, its numbers shown as above."""
    value = item.get(which) or ""
    if item.get("field") == "id_number":
        return id_number(context, value)
    if item.get("field") == "phone":
        return phone_number(context, value)
    return value
