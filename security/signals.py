"""Security events into the audit trail: logins, logouts, failures, lockouts."""

from __future__ import annotations

from django.conf import settings

from audit.log import append
from audit.models import Action
from core.addresses import client_ip
from security import devices, middleware, unknown_names


def record_last_login(sender, request, user, **kwargs) -> None:
    """The login time, written without a save (no history row: the 登录 entry says it)."""
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)


def logged_in(sender, request, user, **kwargs) -> None:
    # The 12-hour limit counts from the login itself (security/middleware.py).
    moment = middleware.now().isoformat()
    request.session["authenticated_at"] = request.session["last_seen"] = moment
    append(action=Action.LOGIN, user=user, request=request)


def logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        append(action=Action.LOGOUT, user=user, request=request)


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    if request is not None:
        devices.count_failure(request)
    _security_event(Action.LOGIN_FAILED, request, username, "用户名或密码错误")


def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    counted = str(username or "")
    where = "在这台电脑上" if devices.DEVICE_MARK in counted else "在未登录过的电脑上"
    detail = (
        f"连续登录失败 {settings.AXES_FAILURE_LIMIT} 次，该登录名{where}锁定 "
        f"{settings.LOCKOUT_MINUTES} 分钟"
    )
    _security_event(Action.LOCKED_OUT, request, devices.login_name(counted)[:150], detail)


def _security_event(action: str, request, username: str, detail: str) -> None:
    """A failed login or lockout goes to the trail of the account's county, where its
    auditors look. An attempt on a login name that does not exist belongs to no county: it
    is marked so, and every county's auditors see it (the audit log's 未知登录名 view)."""
    from accounts.models import User

    account = User.objects.filter(username=username).values_list("station_id", "county_id").first()
    station_id, county_id = account or (None, None)
    if account is None:
        if action == Action.LOGIN_FAILED and not unknown_names.counted(client_ip(request) or ""):
            return  # folded into the hour's counted entry (security/unknown_names.py)
        detail = f"{detail}（登录名不存在）"
    append(
        action=action,
        request=request,
        username=username,
        detail=detail,
        station_id=station_id,
        county_id=county_id,
    )
