"""Writing the audit log, and the one place that says which address a request came from."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lkk.audit.models import AuditEvent

#: A key of `details` whose name contains one of these is dropped: a password or a one-time
#: code must never reach the audit log, whatever a caller passes in.
SECRET_KEY_PARTS = ("password", "passwd", "secret", "token", "code", "otp", "captcha", "key")
USER_AGENT_MAX = 300
#: Strings in `details` are cut to this length.
VALUE_MAX = 200


def _is_secret(key: object) -> bool:
    name = str(key).lower()
    return any(part in name for part in SECRET_KEY_PARTS)


def scrub_details(value: Any) -> Any:
    """`value` without secret-looking keys (at any depth), with long strings cut."""
    if isinstance(value, Mapping):
        return {str(k): scrub_details(v) for k, v in value.items() if not _is_secret(k)}
    if isinstance(value, (list, tuple)):
        return [scrub_details(v) for v in value]
    if isinstance(value, str):
        return value[:VALUE_MAX]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)[:VALUE_MAX]


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address: REMOTE_ADDR, or, behind `LKK_PROXY_COUNT` trusted proxies, the
    address the outermost of them saw (X-Forwarded-For, counted from the right).

    Axes uses it too (AXES_CLIENT_IP_CALLABLE), so lockouts and the audit log agree.
    """
    proxies = getattr(settings, "LKK_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            found = _valid_ip(forwarded[-proxies])
            if found:
                return found
    return _valid_ip(request.META.get("REMOTE_ADDR"))


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: Any = None,
    actor: Any = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Writes one audit event. `user` is whom it concerns, `actor` who did it (if different
    from the user, e.g. an operator). Keys that look like secrets are dropped from `details`.
    """
    if kind not in AuditEvent.Kind.values:
        raise ValueError(f"unknown audit event kind: {kind!r}")
    ip = None
    user_agent = ""
    if request is not None:
        ip = client_ip(request)
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]
    return AuditEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        actor=actor if getattr(actor, "pk", None) else None,
        ip=ip,
        user_agent=user_agent,
        details=scrub_details(dict(details or {})),
    )
