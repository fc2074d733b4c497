"""Deployment checks of the settings security rests on (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning as CheckWarning


def trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    """Behind a reverse proxy (which HTTPS in production means: SECURE_PROXY_SSL_HEADER),
    with no TRUSTED_PROXIES every request comes from the proxy's address: the trail records
    it for every sign-in, and the per-address limit of failed sign-ins counts every user's
    failures together (security/devices.py)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.TRUSTED_PROXIES:
        return [
            CheckWarning(
                "反向代理之后运行，但没有设置 TRUSTED_PROXIES：审计记录中的登录地址"
                "都将是代理的地址，登录失败按地址的限制也会把所有人算在一起。",
                hint="把反向代理（nginx）的地址写入 TRUSTED_PROXIES，多个用逗号分隔。",
                id="security.W001",
            )
        ]
    return []
