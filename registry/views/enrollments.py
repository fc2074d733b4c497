"""新增参保登记 (DOMAIN.md §1.1): find the resident by ID number, enroll, tick materials,
complete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import STAFF, StaffRequest, get_for_user, role_required
from accounts.models import Role
from audit.trail import record_trail
from core import id_numbers
from core.errors import in_words, place_on
from registry import services
from registry.forms import (
    EnrollmentForm,
    ResidentForm,
    member_label,
)
from registry.lookup import looked_up
from registry.models import (
    ENROLLMENT_MATERIALS,
    Enrollment,
    Household,
    Resident,
)
from security.idempotency import idempotent
from security.privacy import (
    prefilled_id_number,
    remember_id_number,
)


@role_required(Role.CASEWORKER)
def enrollment_start(request: StaffRequest) -> HttpResponse:
    """Find the resident by ID number first: one already enrolled is shown, not enrolled twice."""
    found = looked_up(request, purpose="办理参保登记")
    if found.unknown:
        remember_id_number(request, found.number)
        return redirect("registry:enrollment_create")
    if found.resident is not None:
        resident = found.resident
        enrollment = Enrollment.objects.filter(resident=resident).first()
        if enrollment:
            messages.info(
                request, f"{resident.name}已办理参保登记（{enrollment.status_display}）。"
            )
            return redirect(enrollment)
        return redirect("registry:enrollment_create_for", resident_pk=resident.pk)
    return render(request, "registry/enrollment_start.html", {"found": found})


# Under this age the ID number suggests a newborn's enrollment (its own materials: the
# parents' ID cards, the newborn's 户口簿 and 出生医学证明, §1.1 [001]). A suggestion, ticked
# for the caseworker to confirm or untick: the seeds set no age limit.
NEWBORN_SUGGESTED_DAYS = 365


def _days_old(number: str) -> int | None:
    """Days since the birth the ID number gives, when younger than NEWBORN_SUGGESTED_DAYS."""
    born = id_numbers.birth_date(number) if number else None
    if born is None:
        return None
    days = (timezone.localdate() - born).days
    return days if 0 <= days < NEWBORN_SUGGESTED_DAYS else None


@role_required(Role.CASEWORKER)
@idempotent
def enrollment_create(request: StaffRequest, resident_pk: int | None = None) -> HttpResponse:
    resident = None
    if resident_pk:
        resident = get_for_user(Resident.objects.all(), request, pk=resident_pk)
        existing = Enrollment.objects.filter(resident=resident).first()
        if existing:
            messages.info(request, f"{resident.name}已办理参保登记（{existing.status_display}）。")
            return redirect(existing)
    data = request.POST or None
    resident_form = None
    number = resident.id_number if resident is not None else prefilled_id_number(request)
    if resident is None:
        resident_form = ResidentForm(data, user=request.user, initial={"id_number": number})
    infant = _days_old(number)
    household_id = resident.household_id if resident is not None else None
    if resident is None and (typed := request.POST.get("household_number", "")):
        household_id = _household_id(request, typed)
    options = EnrollmentForm(
        data,
        initial={"newborn": infant is not None},
        members=_guardians(request, household_id, exclude=resident),
    )
    if (
        request.method == "POST"
        and options.is_valid()
        and (resident_form is None or resident_form.is_valid())
    ):
        candidate = resident_form.save(commit=False) if resident_form is not None else resident
        assert candidate is not None  # one of the two is always there
        try:
            enrollment = services.enroll(
                resident=candidate,
                user=request.user,
                newborn=options.cleaned_data["newborn"],
                materials=options.cleaned_data["materials"],
                guardian=options.guardian(),
            )
        except ValidationError as refusal:
            # The resident's own fields beside them; the rest above the enrollment's options.
            by_field = getattr(refusal, "error_dict", {})
            theirs = {
                f: m for f, m in by_field.items() if resident_form and f in resident_form.fields
            }
            if resident_form is not None and theirs:
                place_on(resident_form, ValidationError(theirs))
            rest = [e for f, errors in by_field.items() if f not in theirs for e in errors]
            if rest or not by_field:
                place_on(options, ValidationError(rest) if by_field else refusal)
        else:
            messages.success(
                request, f"已为{candidate.name}办理参保登记：{enrollment.status_display}。"
            )
            return redirect(enrollment)
    return render(
        request,
        "registry/enrollment_form.html",
        {
            "resident": resident,
            "resident_form": resident_form,
            "options": options,
            "infant_days": infant if not options.is_bound else None,
            # Each kind of enrollment shows its own materials only (§1.1 [001]).
            "newborn_only": [str(m) for m in NEWBORN_MATERIALS - ADULT_MATERIALS],
            "adult_only": [str(m) for m in ADULT_MATERIALS - NEWBORN_MATERIALS],
        },
    )


NEWBORN_MATERIALS = set(ENROLLMENT_MATERIALS[True])
ADULT_MATERIALS = set(ENROLLMENT_MATERIALS[False])
# A guardian picked from the household is at least this old.
GUARDIAN_MIN_AGE = 16


def _household_id(request: StaffRequest, number: str) -> int | None:
    return (
        Household.objects.for_user(request.user)
        .filter(household_number=number.strip())
        .values_list("pk", flat=True)
        .first()
    )


def _guardians(
    request: StaffRequest, household_id: int | None, exclude: Resident | None = None
) -> list[Resident]:
    """The household's members of guardian age, within the user's station: a newborn's
    guardian is picked from them rather than typed again."""
    if household_id is None:
        return []
    members = Resident.objects.for_user(request.user).filter(household_id=household_id)
    if exclude is not None:
        members = members.exclude(pk=exclude.pk)
    today = timezone.localdate()
    return [
        member
        for member in members.order_by("relationship_to_head", "pk")[:30]
        if id_numbers.age(member.id_number, today) >= GUARDIAN_MIN_AGE
    ]


@role_required(Role.CASEWORKER)
def household_members(request: StaffRequest) -> JsonResponse:
    """The guardians a newborn's form offers once its 户号 is typed (static/js/guardian.js):
    names and masked numbers of the station's household only."""
    household_id = _household_id(request, request.GET.get("number", ""))
    members = _guardians(request, household_id)
    return JsonResponse({"members": [[member.pk, member_label(member)] for member in members]})


@role_required(*STAFF)
def enrollment_detail(request: StaffRequest, pk: int) -> HttpResponse:
    enrollment = get_for_user(
        Enrollment.objects.select_related("resident", "created_by"), request, pk=pk
    )
    return render(
        request,
        "registry/enrollment_detail.html",
        {"enrollment": enrollment, "history": record_trail(enrollment)},
    )


@require_POST
@role_required(Role.CASEWORKER)
def enrollment_update(request: StaffRequest, pk: int) -> HttpResponse:
    enrollment = get_for_user(Enrollment.objects.all(), request, pk=pk)
    complete = request.POST.get("action") == "complete"
    try:
        services.update_enrollment(
            enrollment, materials=request.POST.getlist("materials"), complete=complete
        )
    except ValidationError as refusal:
        messages.error(request, in_words(refusal))
    else:
        messages.success(request, "参保登记已完成。" if complete else "已保存收到的材料。")
    return redirect(enrollment)
