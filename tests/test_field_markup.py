"""The filing form's fields in Bootstrap's markup (core/templatetags/fields.py): each label
names its control, a refused field says why beside it and is announced as invalid, and what
the caseworker chose is kept."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template

from accounts.models import Policy
from filing.forms import FilingForm

pytestmark = pytest.mark.django_db


def _render(form: FilingForm, *names: str) -> str:
    source = "{% load fields %}" + "".join(f"{{{{ form.{name}|field }}}}" for name in names)
    return Template(source).render(Context({"form": form}))


def _form(resident, data=None) -> FilingForm:
    policy = Policy.for_county(resident.station.county_id)
    form = FilingForm(data, resident=resident, policy=policy, today=datetime.date(2026, 12, 3))
    if data is not None:
        form.is_valid()
    return form


def test_a_refused_text_field_is_marked_and_says_why(resident_a):
    html = _render(_form(resident_a, {"contact_phone": "12"}), "contact_phone")
    assert '<label for="id_contact_phone" class="form-label requiredField">联系电话' in html
    assert 'class="textinput form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_contact_phone_error"' in html
    assert '<div id="id_contact_phone_error" class="invalid-feedback">' in html
    assert 'value="12"' in html  # what was typed stays


def test_radio_groups_keep_their_headings_ids_and_the_choice(resident_a):
    html = _render(_form(resident_a, {"category": "emergency"}), "category", "evidence")
    assert (
        "<strong>异地长期居住人员</strong>" in html and "<strong>临时外出就医人员</strong>" in html
    )
    assert 'value="emergency" id="id_category_1_1" checked required>' in html
    assert '<label for="id_category_1_1" class="form-check-label">异地急诊抢救人员</label>' in html
    # Evidence was not chosen: refused, every button marked, the message in the fieldset.
    assert '<fieldset aria-describedby="id_evidence_error">' in html
    assert 'id="id_evidence_0" required aria-invalid="true">' in html
    assert "请选择备案依据" in html


def test_check_boxes_and_help_text(resident_a):
    html = _render(
        _form(resident_a, {"sighted": ["residence_permit", "community_proof"], "by_agent": "on"}),
        "sighted",
        "by_agent",
        "end_date",
    )
    assert (
        'type="checkbox" class="form-check-input" name="sighted" value="residence_permit"' in html
    )
    # Check boxes, not radio buttons: several materials at once.
    assert 'id="id_sighted_1" checked>' in html and 'id="id_sighted_2" checked>' in html
    assert 'id="id_sighted_0">' in html  # not chosen, not checked
    assert 'name="by_agent" class="checkboxinput form-check-input" id="id_by_agent" checked' in html
    assert '<div id="id_end_date_helptext" class="form-text">长期居住可不填' in html
    assert 'aria-describedby="id_end_date_helptext"' in html
