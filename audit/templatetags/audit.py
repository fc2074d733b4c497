from django import template

from audit.history import masked

register = template.Library()
register.filter("masked", masked)
