"""Sign-in lockout that a colleague behind the same address cannot turn on a whole station.

The township's PCs share one address behind its NAT, so an address says little about who is
trying. A login name is locked after AXES_FAILURE_LIMIT failures from anywhere (a guesser
with many addresses gets no more tries), except on a PC where that name has signed in
before: a signed cookie (DEVICE_COOKIE) names the browser, and failures there are counted
apart (OWASP's device cookies). So one who fails five times on alice's name locks the name
for every other PC, while alice, at her own desk, still signs in.

Beside it, an address whose failures pass ADDRESS_FAILURE_LIMIT within the lockout time is
refused for attempts from browsers that are not a known device of the name tried: a guesser
on the station's network is stopped, and the station's own PCs are not.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from core.addresses import client_ip

DEVICE_COOKIE = "portal_device"
DEVICE_DAYS = 365
_SALT = "security.devices"
ADDRESS_FAILURE_LIMIT = 30
# A device's failures are counted under the name and the device: alice#3f2a9c1e.
DEVICE_MARK = "#"


def device_of(request: HttpRequest, username: str) -> str:
    """The device id of this browser for `username`, or "" if it has signed in as no other."""
    try:
        found = signing.loads(
            request.COOKIES.get(DEVICE_COOKIE, ""),
            salt=_SALT,
            max_age=DEVICE_DAYS * 86400,
        )
    except signing.BadSignature:
        return ""
    names = found.get("names", []) if isinstance(found, dict) else []
    return str(found.get("device", "")) if username in names else ""


def remember(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful sign-in: this browser is a known device of `username` (several
    colleagues may share one PC: the cookie names each)."""
    try:
        found = signing.loads(request.COOKIES.get(DEVICE_COOKIE, ""), salt=_SALT)
    except signing.BadSignature:
        found = {}
    if not isinstance(found, dict):
        found = {}
    device = str(found.get("device") or uuid.uuid4().hex[:12])
    others = [name for name in found.get("names", []) if name != username][-9:]
    names = [*others, username]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"device": device, "names": names}, salt=_SALT),
        max_age=DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The name axes counts failures under (AXES_USERNAME_CALLABLE): the login name, or the
    name and this device when the browser is a known device of it."""
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")
    device = device_of(request, username) if username else ""
    return f"{username}{DEVICE_MARK}{device}" if device else username


def login_name(counted: str) -> str:
    """The login name of a name axes counted (without its device)."""
    return counted.split(DEVICE_MARK, 1)[0]


def _address_key(request: HttpRequest) -> str:
    return f"login-failures:{client_ip(request) or '-'}"


def count_failure(request: HttpRequest) -> None:
    key = _address_key(request)
    if not cache.add(key, 1, timeout=settings.AXES_COOLOFF_TIME.total_seconds()):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=settings.AXES_COOLOFF_TIME.total_seconds())


def address_refused(request: HttpRequest, username: str) -> bool:
    """Too many failures from this address, and this browser is no known device of the name."""
    if device_of(request, username):
        return False
    return (cache.get(_address_key(request)) or 0) >= ADDRESS_FAILURE_LIMIT
