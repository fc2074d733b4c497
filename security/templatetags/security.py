import uuid

from django import template
from django.utils.html import format_html

from registry import id_numbers
from security.idempotency import FIELD

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context) -> str:
    """A hidden token that makes a double-clicked submit create one record. A re-shown form
    keeps the token it was posted with."""
    request = context.get("request")
    value = request.POST.get(FIELD) if request is not None and request.method == "POST" else None
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, value or uuid.uuid4())


@register.simple_tag(takes_context=True)
def id_number(context, value: str) -> str:
    """An ID number as this page may show it: in full only on a document a resident signs
    (`full_numbers`, set by `security.privacy.personal_printable`, which audits it)."""
    value = value or ""
    return value if context.get("full_numbers") else id_numbers.mask(value) if value else ""


@register.simple_tag(takes_context=True)
def phone_number(context, value: str) -> str:
    """A phone number as this page may show it (see `id_number`)."""
    value = value or ""
    return value if context.get("full_numbers") else id_numbers.mask_phone(value)


@register.simple_tag(takes_context=True)
def change_value(context, item: dict, which: str) -> str:
    """The old or new value of an information change's item, its numbers shown as above."""
    value = item.get(which) or ""
    if item.get("field") == "id_number":
        return id_number(context, value)
    if item.get("field") == "phone":
        return phone_number(context, value)
    return value
