from django import template

from audit.history import masked

register = template.Library()
register.filter("masked", masked)


@register.simple_tag(takes_context=True)
def changes_shown(context, entry) -> list:
    """An entry's changes as this page may show them: with their full numbers only on a page
    that a reveal opened (`revealed`, written to the trail with its reason)."""
    return masked(entry.changes, revealed=bool(context.get("revealed")))
