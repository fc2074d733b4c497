"""Finding a resident by the ID number typed (or read from the card) at the counter: one way
for every start of work (enrollment, registration, a filing, a reimbursement case, an ID
correction), each saying exactly what is wrong.

A resident of another station is never shown nor linked. That the number is registered there
is said (the resident stands at the counter with her card, and must not be registered twice),
and the lookup is written to the audit trail of the station whose resident it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.access import StaffRequest
from accounts.models import User
from audit.log import append
from audit.models import Action
from core import id_numbers
from registry.models import Household, Resident

ELSEWHERE = "该身份证号码已在其他医保站登记（{station}），请联系该站核实，不能重复登记。"
HOUSEHOLD_ELSEWHERE = "户号 {number} 已由其他医保站登记，不能在本站使用；请核对户口簿上的户号。"


def resident_within_reach(
    user: User, raw: str, *, request: HttpRequest | None = None, purpose: str
) -> Resident | None:
    """The resident of the user's station (county) with this ID number, or None if nobody
    has it. Raises ValidationError when the number is not a valid ID number (with its reason)
    or when another station's resident has it (audited, with `purpose`: what was being done)."""
    number = id_numbers.validate(raw)
    found = Resident.objects.select_related("station").filter(id_number=number).first()
    if found is None:
        return None
    if Resident.objects.for_user(user).filter(pk=found.pk).exists():
        return found
    _record_lookup(user, found, f"{purpose}时输入了此人的身份证号码", request)
    raise ValidationError(ELSEWHERE.format(station=found.station.name), code="elsewhere")


def household_within_reach(user: User, number: str, *, purpose: str) -> Household | None:
    """The household of the user's station (county) with this 户号, or None if none has it.
    A household of another station is refused (audited, as above): its members are never
    listed, printed or joined from here."""
    found = Household.objects.select_related("station").filter(household_number=number).first()
    if found is None or Household.objects.for_user(user).filter(pk=found.pk).exists():
        return found
    _record_lookup(user, found, f"{purpose}时输入了该户的户号")
    raise ValidationError(HOUSEHOLD_ELSEWHERE.format(number=number), code="elsewhere")


def _record_lookup(
    user: User, found: Resident | Household, what: str, request: HttpRequest | None = None
) -> None:
    """An entry in the trail of the station whose record was looked up, naming who did it."""
    append(
        action=Action.LOOKUP,
        user=user,
        request=request,
        instance=found,
        detail=f"{user.station or user.county} {user.full_name}{what}",
    )


def forget_typed(form: forms.BaseForm, name: str) -> None:
    """Empty a form field whose typed number belongs to another station's record, so the
    re-shown form does not carry it back."""
    data = form.data.copy()  # type: ignore[attr-defined]  # the posted QueryDict
    data[form.add_prefix(name)] = ""
    form.data = data


@dataclass
class CounterLookup:
    """What a start page's ID-number box found: the resident within reach, or nothing (the
    number, normalised, to register her with), or the specific problem to show."""

    number: str = ""
    resident: Resident | None = None
    error: str = ""

    @property
    def unknown(self) -> bool:
        return bool(self.number) and self.resident is None and not self.error


def looked_up(request: StaffRequest, *, purpose: str) -> CounterLookup:
    """The ID number posted to a start page (an ID-card reader types it and Enter). A number
    of another station's resident is not shown back (the lookup is audited)."""
    number = id_numbers.normalize(request.POST.get("id_number", ""))
    if not number:
        return CounterLookup()
    try:
        resident = resident_within_reach(request.user, number, request=request, purpose=purpose)
    except ValidationError as refusal:
        shown = "" if refusal.code == "elsewhere" else number
        return CounterLookup(number=shown, error=refusal.messages[0])
    return CounterLookup(number=number, resident=resident)
