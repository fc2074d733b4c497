"""One record per submission, however often the same form is posted."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from security.models import Submission

FIELD = "_once"


def idempotent(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For create views whose form carries {% submission_token %}. The token is claimed in
    the request's transaction before the view runs: a parallel duplicate waits on the unique
    index, then finds the first one's result and is sent there."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = _token(request)
        if token is None:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    submission = Submission.objects.create(token=token, user=request.user)  # type: ignore[misc]
            except IntegrityError:
                submission = Submission.objects.select_for_update().get(token=token)
                if submission.location and submission.user_id == request.user.pk:
                    messages.info(request, "该表单已经提交过，没有重复保存。")
                    return redirect(submission.location)
            response = view(request, *args, **kwargs)
            if response.status_code in (301, 302, 303) and response.get("Location"):
                submission.location = response["Location"]
                submission.save(update_fields=["location"])
            else:
                # The form came back with errors: the same token may be sent again, corrected.
                submission.delete()
            return response

    return wrapped


def _token(request: HttpRequest) -> uuid.UUID | None:
    if request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None
