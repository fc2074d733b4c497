"""Security events into the audit trail: logins, logouts, failures, lockouts."""

from __future__ import annotations

from audit.log import append
from audit.models import Action
from security import middleware


def logged_in(sender, request, user, **kwargs) -> None:
    # The 12-hour limit counts from the login itself (security/middleware.py).
    moment = middleware.now().isoformat()
    request.session["authenticated_at"] = request.session["last_seen"] = moment
    append(action=Action.LOGIN, user=user, request=request)


def logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        append(action=Action.LOGOUT, user=user, request=request)


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    append(
        action=Action.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
        detail="用户名或密码错误",
    )


def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    append(
        action=Action.LOCKED_OUT,
        request=request,
        username=str(username or "")[:150],
        detail="连续登录失败 5 次，账户已锁定",
    )
