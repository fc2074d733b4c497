"""待电话通知: the texts a caseworker tells by phone (no gateway, a landline, or a gateway that
kept refusing), and the station's texts of the last days."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import STAFF, StaffRequest, get_for_user, role_required
from accounts.models import Role
from audit.log import append
from audit.models import Action
from core import id_numbers
from core.errors import in_words
from messaging import services
from messaging.models import TextMessage, TextStatus

# The station's latest texts shown under the list to call.
RECENT = 50
TEXTS = TextMessage.objects.select_related("station", "called_by")


@role_required(*STAFF)
def outbox(request: StaffRequest) -> HttpResponse:
    texts = TEXTS.for_user(request.user)
    return render(
        request,
        "messaging/outbox.html",
        {
            "to_call": texts.filter(status=TextStatus.TO_CALL).order_by("created_at", "pk"),
            "recent": texts.exclude(status=TextStatus.TO_CALL)[:RECENT],
        },
    )


@require_POST
@role_required(Role.CASEWORKER)
def call(request: StaffRequest, pk: int) -> HttpResponse:
    """The number to call and the words to say, for the caseworker of the text's station; the
    number shown is written to the audit trail."""
    text = get_for_user(TEXTS.filter(status=TextStatus.TO_CALL), request, pk=pk)
    append(
        action=Action.REVEAL,
        user=request.user,
        request=request,
        instance=text,
        detail=f"查看{text.name}的电话{id_numbers.mask_phone(text.phone)}，电话告知{text.get_purpose_display()}",
    )
    return render(request, "messaging/call.html", {"text": text})


@require_POST
@role_required(Role.CASEWORKER)
def called(request: StaffRequest, pk: int) -> HttpResponse:
    text = get_for_user(TEXTS, request, pk=pk)
    try:
        services.record_call(text, request.user)
    except ValidationError as refusal:
        messages.error(request, in_words(refusal))
    else:
        messages.success(request, f"已登记：已电话告知{text.name}。")
    return redirect("messaging:outbox")
