"""The form renderer writes a <select>, an <input> and a <textarea> as Django's own templates
would (core/renderers.py)."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from django.utils.safestring import mark_safe

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


class Typing(forms.Form):
    name = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": '"张三"'}))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    born = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    cost = forms.DecimalField(min_value=0, decimal_places=2)
    phone = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "tel", "hidden": False}))
    mail = forms.EmailField(required=False)
    agreed = forms.BooleanField(required=False)
    scan = forms.FileField(required=False)
    token = forms.CharField(widget=forms.HiddenInput)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    marked = forms.CharField(widget=forms.TextInput(attrs={"data-html": mark_safe("<i>&amp;</i>")}))


TYPED = [
    None,
    {},
    {
        "name": '<script>"王五" & 李四</script>',
        "note": "第一行\n<b>第二行</b>",
        "born": "2024-02-29",
        "cost": "1234.5",
        "phone": "13800000000",
        "mail": "不是邮箱",
        "agreed": "on",
        "token": "a'b",
        "secret": "口令 & <x>",
        "marked": "",
    },
]


@pytest.mark.parametrize("name", list(Typing.base_fields))
@pytest.mark.parametrize("data", TYPED)
def test_an_input_or_textarea_reads_as_djangos_templates_write_it(name, data):
    initial = {"born": datetime.date(2025, 1, 2), "note": "原有 & 说明", "agreed": True}
    ours = Typing(data, initial=initial, renderer=Renderer())
    django = Typing(data, initial=initial, renderer=DjangoTemplates())
    if data is not None:  # errors shown too: aria-invalid, the classes
        assert ours.is_valid() == django.is_valid()
    assert ours[name].as_widget() == django[name].as_widget()


def test_a_typed_value_is_escaped_and_kept():
    form = Typing({"name": '<b>"王五"</b>', "note": "<i>说明</i>"}, renderer=Renderer())
    assert 'value="&lt;b&gt;&quot;王五&quot;&lt;/b&gt;"' in form["name"].as_widget()
    assert form["note"].as_widget().endswith(">\n&lt;i&gt;说明&lt;/i&gt;</textarea>")
    assert "<b>" not in form["name"].as_widget()


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
