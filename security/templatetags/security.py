from django import template
from django.utils.html import format_html

from security.idempotency import FIELD, new_token

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context) -> str:
    """A hidden token that makes a double-clicked submit create one record. A re-shown form
    keeps the token it was posted with."""
    request = context.get("request")
    value = request.POST.get(FIELD) if request is not None and request.method == "POST" else None
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, value or new_token())
