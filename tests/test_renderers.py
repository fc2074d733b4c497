"""The form renderer writes a <select> as Django's own templates would (core/renderers.py)."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from core.renderers import Renderer


class Choosing(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲"), ("b", '<b>"乙"</b>')])
    grouped = forms.ChoiceField(
        choices=[("山西省", [("1401", "太原市"), ("1408", "运城市")]), ("x", "其他 & 未知")],
        widget=forms.Select(attrs={"disabled": True, "data-note": 'a"b', "hidden": False}),
    )
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二"), ("3", "三")])
    number = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int)


@pytest.mark.parametrize("name", ["plain", "grouped", "many", "number"])
@pytest.mark.parametrize(
    "data",
    [None, {"plain": "b", "grouped": "1408", "many": ["1", "3"], "number": "2"}, {"plain": "?"}],
)
def test_a_select_reads_as_djangos_templates_write_it(name, data):
    ours = Choosing(data, renderer=Renderer())[name].as_widget()
    django = Choosing(data, renderer=DjangoTemplates())[name].as_widget()
    assert parse_html(ours) == parse_html(django)
    # Whitespace and order too: the same bytes.
    assert ours == django


def test_the_label_of_an_option_is_escaped_and_its_selection_kept():
    html = Choosing({"plain": "b"}, renderer=Renderer())["plain"].as_widget()
    assert '<option value="b" selected>&lt;b&gt;&quot;乙&quot;&lt;/b&gt;</option>' in html
    assert "<b>" not in html


def test_a_widget_with_its_own_option_template_is_left_to_django():
    class Own(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class Odd(forms.Form):
        kind = forms.ChoiceField(choices=[("a", "甲")], widget=Own)

    ours = Odd(renderer=Renderer())["kind"].as_widget()
    assert ours == Odd(renderer=DjangoTemplates())["kind"].as_widget()
    assert "<option" not in ours


def test_the_portal_renders_its_forms_so(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), Renderer)
