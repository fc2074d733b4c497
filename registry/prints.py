"""The counter's printed forms of the registry, as parts of a PDF (template, context, title):
one form alone (its own page) or with the rest of a visit (oversight/visit.py)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from registry.models import Enrollment, InfoChange, Resident

Part = tuple[str, dict, str]


def registration_form(resident: Resident, user: User) -> Part:
    """《城乡居民基本医疗保险参保登记表》, pre-filled for the resident (or guardian) to sign,
    with the household's members within the user's reach."""
    household = resident.household
    members = []
    if household:
        # Only members within the user's reach, whatever a household holds.
        members = list(
            Resident.objects.for_user(user)
            .filter(household=household)
            .exclude(pk=resident.pk)
            .order_by("pk")
        )
    context = {
        "resident": resident,
        "enrollment": Enrollment.objects.filter(resident=resident).first(),
        "household": household,
        "members": members,
        "station": resident.station,
        "caseworker": user,
        "today": timezone.localdate(),
    }
    return "registry/print/registration_form.html", context, f"参保登记表-{resident.name}"


def change_form(change: InfoChange) -> Part:
    """《基本医疗保险参保信息变更登记表》: item, old value, new value, reason."""
    context = {"change": change, "resident": change.resident, "today": timezone.localdate()}
    return (
        "registry/print/change_registration_form.html",
        context,
        f"参保信息变更登记表-{change.resident.name}",
    )
