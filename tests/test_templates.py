"""The templates stay readable: no line over 120 characters (djhtml checks the indentation in
scripts/test.sh), and a long sentence wrapped in {% joined %} renders as the one line it is."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import Context, Template

LIMIT = 120


def test_no_template_line_is_longer_than_120_characters():
    long_lines = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > LIMIT
    ]
    assert long_lines == []


def test_a_joined_run_renders_without_the_breaks_it_was_wrapped_at():
    template = Template(
        "{% load lines %}{% joined %}\n  本人确因工作\n  或居住需要{{ place }}\n"
        "  </p>{% endjoined %}"
    )
    assert template.render(Context({"place": "前往异地"})) == "本人确因工作或居住需要前往异地</p>"
