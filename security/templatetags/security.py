from django import template
from django.urls import reverse
from django.utils.html import format_html

from security.idempotency import FIELD, new_token
from security.middleware import IDLE_LIMIT

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context) -> str:
    """A hidden token that makes a double-clicked submit create one record. A re-shown form
    keeps the token it was posted with."""
    request = context.get("request")
    value = request.POST.get(FIELD) if request is not None and request.method == "POST" else None
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, value or new_token())


@register.simple_tag(takes_context=True)
def session_limits(context) -> str:
    """What static/js/idle.js needs on every page of a signed-in user: the idle limit of
    SessionExpiryMiddleware, where to say "still here", and whose drafts the page may restore."""
    user = context["request"].user
    return format_html(
        'data-idle-seconds="{}" data-keep-alive="{}" data-user="{}"',
        int(IDLE_LIMIT.total_seconds()),
        reverse("keep_alive"),
        user.pk,
    )
