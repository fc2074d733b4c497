"""`{% page "name" %}`: `{% url "name" %}` for an address without arguments, remembered
(core/links.py): the navigation on every page."""

from django import template

from core.links import page_url

register = template.Library()


@register.simple_tag
def page(name: str) -> str:
    return page_url(name)
