"""System checks for running behind the reverse proxy (docs/security-web.md "Client address")."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security)
def trusted_proxies_parse(app_configs, **kwargs):
    from .client_address import trusted_networks

    try:
        trusted_networks()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="hardening.E001")]
    return []


@register(Tags.security, deploy=True)
def client_ip_behind_proxy(app_configs, **kwargs):
    """Behind a proxy (SECURE_PROXY_SSL_HEADER or USE_X_FORWARDED_HOST) every request comes from the
    proxy's address: without a trusted proxy and its client-address header, the rate limits and the
    sign-in lockout count the whole county as one client (eleven bad sign-ins lock everyone out)."""
    behind_proxy = bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None)) or bool(
        getattr(settings, "USE_X_FORWARDED_HOST", False)
    )
    if not behind_proxy:
        return []
    missing = [
        name
        for name, value in (
            ("TRUSTED_PROXIES", settings.TRUSTED_PROXIES),
            ("CLIENT_IP_HEADER", settings.CLIENT_IP_HEADER),
        )
        if not value
    ]
    if not missing:
        return []
    return [
        Warning(
            f"The site trusts a reverse proxy (SECURE_PROXY_SSL_HEADER) but {' and '.join(missing)} "
            f"{'are' if len(missing) > 1 else 'is'} not set: every request then seems to come from the proxy, and sign-in rate limits and "
            "lockouts hit every user at once.",
            hint="Set TRUSTED_PROXIES=127.0.0.1 (the proxy's address) and CLIENT_IP_HEADER=HTTP_X_REAL_IP "
            "(docs/deploy/xian.env.example).",
            id="hardening.W001",
        )
    ]
