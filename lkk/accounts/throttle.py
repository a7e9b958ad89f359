"""Counters of failures and requests in the Django cache (Redis in production, local memory in
the embedded default), shared by every app process.

SECURITY.md "Accounts": besides django-axes' lock per account+IP, one address gets the captcha
and then a cool-off after failed logins whatever the logins typed (password spraying), the
recovery form asks for the captcha after a few requests from one address, and the current
password asked by the profile pages is locked after a few wrong tries.

A window is fixed: it starts at the first event and lasts `seconds`; the counter is created with
`cache.add` and raised with `cache.incr`, both atomic in Redis and in the local-memory cache.
A lock is a separate key holding the moment it ends, set once (`cache.add`), so attempts during a
cool-off neither count nor extend it.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from lkk.audit.services import client_ip

_PREFIX = "lkk:throttle"


def _key(*parts: object) -> str:
    # Hashed: an IPv6 address or a login may hold characters a cache backend refuses in a key.
    raw = "|".join(str(p) for p in parts)
    return f"{_PREFIX}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def counter_get(key: str) -> int:
    return int(cache.get(key) or 0)


def counter_incr(key: str, *, seconds: int) -> int:
    """Adds one to the counter of a window of `seconds` that starts at its first event."""
    for _attempt in range(3):
        cache.add(key, 0, timeout=seconds)
        try:
            value = cache.incr(key)
        except ValueError:  # it expired between add and incr: start a new window
            continue
        if value == 1:
            # Redis' INCR recreates a key that expired just before it without a timeout; the
            # first event of a window sets it again (the same window either way).
            cache.touch(key, timeout=seconds)
        return value
    return 1


def counter_reset(key: str) -> None:
    cache.delete(key)


def lock_set(key: str, *, seconds: int) -> bool:
    """Starts a lock of `seconds` unless one is running; True when this call started it."""
    return cache.add(key, time.time() + seconds, timeout=seconds)


def lock_seconds_left(key: str) -> int:
    """Seconds before the lock ends; 0 when there is none."""
    until = cache.get(key)
    if until is None:
        return 0
    return max(0, math.ceil(float(until) - time.time()))


def lockout_seconds() -> int:
    return settings.LKK_LOCKOUT_MINUTES * 60


# --- Failed logins from one address, whatever the login -----------------------------------------


def _ip(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _login_ip_counter(request: HttpRequest) -> str:
    return _key("login-ip", _ip(request))


def _login_ip_lock(request: HttpRequest) -> str:
    return _key("login-ip-lock", _ip(request))


def login_ip_failures(request: HttpRequest) -> int:
    return counter_get(_login_ip_counter(request))


def login_ip_captcha_required(request: HttpRequest) -> bool:
    return login_ip_failures(request) >= settings.LKK_LOGIN_IP_CAPTCHA_AFTER


def login_ip_locked_seconds(request: HttpRequest) -> int:
    """Seconds left of this address's cool-off; 0 when logins from it are allowed."""
    return lock_seconds_left(_login_ip_lock(request))


def login_ip_failure_record(request: HttpRequest) -> bool:
    """Counts a failed login from this address; True when it starts the address's cool-off."""
    window = settings.LKK_LOGIN_IP_WINDOW_MINUTES * 60
    failures = counter_incr(_login_ip_counter(request), seconds=window)
    if failures < settings.LKK_LOGIN_IP_LOCKOUT_AFTER:
        return False
    # Not counted during the cool-off (the form refuses before any password is checked); with
    # the window no longer than the cool-off, the count after it starts afresh.
    return lock_set(_login_ip_lock(request), seconds=lockout_seconds())


# --- Recovery requests from one address ---------------------------------------------------------

RECOVERY_WINDOW_SECONDS = 3600


def _recovery_counter(request: HttpRequest) -> str:
    return _key("recovery-ip", _ip(request))


def recovery_captcha_required(request: HttpRequest) -> bool:
    return counter_get(_recovery_counter(request)) >= settings.LKK_RECOVERY_CAPTCHA_AFTER


def recovery_request_record(request: HttpRequest) -> int:
    return counter_incr(_recovery_counter(request), seconds=RECOVERY_WINDOW_SECONDS)


# --- The current password asked again by the profile pages ---------------------------------------


def _password_check_counter(user_id: int) -> str:
    return _key("password-check", user_id)


def _password_check_lock(user_id: int) -> str:
    return _key("password-check-lock", user_id)


def password_check_locked_seconds(user_id: int) -> int:
    return lock_seconds_left(_password_check_lock(user_id))


def password_check_failure_record(user_id: int) -> tuple[int, bool]:
    """Counts a wrong current password of the user; returns the count and whether it started
    the lock (at LKK_PASSWORD_CHECK_LIMIT failures within LKK_LOCKOUT_MINUTES)."""
    failures = counter_incr(_password_check_counter(user_id), seconds=lockout_seconds())
    if failures < settings.LKK_PASSWORD_CHECK_LIMIT:
        return failures, False
    counter_reset(_password_check_counter(user_id))
    return failures, lock_set(_password_check_lock(user_id), seconds=lockout_seconds())


def password_check_success(user_id: int) -> None:
    counter_reset(_password_check_counter(user_id))
