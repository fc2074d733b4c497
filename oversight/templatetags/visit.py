"""`{% visit resident %}`: the resident's page lists today's errands of this caseworker and
offers 打印本次全部 (oversight/visit.py). A tag, so that the registry's page shows what the
upper layers did without importing them."""

from django import template
from django.template.context import Context
from django.utils import timezone

from oversight.visit import errands

register = template.Library()


@register.inclusion_tag("oversight/_visit.html", takes_context=True)
def visit(context: Context, resident) -> dict:
    user = context["user"]
    return {
        "resident": resident,
        "errands": errands(user, resident, timezone.localdate()),
    }
