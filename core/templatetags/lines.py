"""{% joined %}…{% endjoined %}: a long run of text and tags, wrapped in the template source
for the reader, rendered as the one line it is. The line breaks and the indentation after them
are removed, so no space appears between two Chinese characters, in the browser or in a PDF."""

import re

from django import template
from django.template.base import NodeList, Parser, Token
from django.template.context import Context

register = template.Library()

BREAK = re.compile(r"\n[ \t]*")


class JoinedNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        return BREAK.sub("", self.nodelist.render(context))


@register.tag
def joined(parser: Parser, token: Token) -> JoinedNode:
    nodelist = parser.parse(("endjoined",))
    parser.delete_first_token()
    return JoinedNode(nodelist)
