"""One record per submission, however often the same form is posted; and no submission
without the token its form was given.

Every create form carries {% submission_token %}: a random id signed with the time it was
issued. The server refuses a POST without a valid one (a crafted or stale request), and
claims the id in the request's transaction before the view runs, so a double-clicked or
replayed POST is answered with the first one's result instead of creating a second record.
A token is good for TOKEN_HOURS (longer than any session), and its claim is kept that long.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from security.models import Submission

FIELD = "_once"
TOKEN_HOURS = 24
_SIGNER = signing.TimestampSigner(salt="security.idempotency")
REFUSED = "该表单缺少有效的提交标识（页面可能已过期），没有保存。请重新打开页面后填写提交。"


def new_token() -> str:
    return _SIGNER.sign(uuid.uuid4().hex)


def idempotent(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For create views whose form carries {% submission_token %}. The token is claimed in
    the request's transaction before the view runs: a parallel duplicate waits on the unique
    index, then finds the first one's result and is sent there."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        token = _token(request)
        if token is None:
            messages.error(request, REFUSED)
            return redirect(request.get_full_path())
        with transaction.atomic():
            try:
                with transaction.atomic():
                    submission = Submission.objects.create(token=token, user=request.user)  # type: ignore[misc]
            except IntegrityError:
                submission = Submission.objects.select_for_update().get(token=token)
                if submission.user_id != request.user.pk:
                    # A token is its user's: another's, replayed, is no submission at all.
                    messages.error(request, REFUSED)
                    return redirect(request.get_full_path())
                if submission.location:
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
    try:
        value = _SIGNER.unsign(
            request.POST.get(FIELD, ""), max_age=datetime.timedelta(hours=TOKEN_HOURS)
        )
        return uuid.UUID(value)
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature
        return None


def forget_old_claims() -> int:
    """Claims of tokens that can no longer be posted (the worker runs this when it starts)."""
    cutoff = timezone.now() - datetime.timedelta(hours=TOKEN_HOURS)
    return Submission.objects.filter(created_at__lt=cutoff).delete()[0]
