"""The client's address, in one place (security.md "Input"; docs/security-web.md "Client address").

Every reader of the client address goes through ``client_ip``: the rate limits, the sign-in
lockout (django-axes' ``AXES_CLIENT_IP_CALLABLE``), the audit trail's ``ip`` and auditlog's
``remote_addr``.

Behind the reverse proxy every request comes from the proxy's address, so the client's own
address must be read from a header the proxy sets (``CLIENT_IP_HEADER``, e.g. ``HTTP_X_REAL_IP``).
Anyone can send that header, so it is believed **only when the request's ``REMOTE_ADDR`` is one
of ``TRUSTED_PROXIES``** (addresses or CIDR networks). For a comma-separated header such as
X-Forwarded-For the entries are read from the right and the first one that is not itself a
trusted proxy is the client: entries further left were written by the client and prove nothing.
A malformed header falls back to ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc} (use addresses or CIDRs, e.g. 127.0.0.1,10.0.0.0/8)")


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1 and "." in value:  # v4:port
        value = value.split(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    ip = _parse(address or "")
    return ip is not None and any(ip in net for net in trusted_networks())


def client_ip(request) -> str | None:
    """The client address of ``request`` (None when there is none at all, as in some tests)."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header and remote and is_trusted_proxy(remote):
        entries = [e for e in (request.META.get(header) or "").split(",") if e.strip()]
        for entry in reversed(entries):
            ip = _parse(entry)
            if ip is None:
                break  # a malformed header: believe only the socket
            if not any(ip in net for net in trusted_networks()):
                return str(ip)
        else:
            if entries:  # every hop is a trusted proxy: the left-most is the origin
                ip = _parse(entries[0])
                if ip is not None:
                    return str(ip)
    return str(_parse(remote) or "") or None
