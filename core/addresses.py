"""The client's address, as the audit trail and the login lockout record it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """Behind the county's reverse proxy every request comes from the proxy, which names the
    client in X-Forwarded-For. Only a request from a configured trusted proxy
    (TRUSTED_PROXIES) may say so: anyone else could write any address into the header. The
    client is the rightmost address no trusted proxy added (each proxy appends the address
    it was reached from)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = request.headers.get("x-forwarded-for", "")
    for address in reversed([part.strip() for part in forwarded.split(",")]):
        if address and address not in trusted:
            return address if _is_address(address) else remote
    return remote


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
