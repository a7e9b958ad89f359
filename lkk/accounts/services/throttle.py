"""Counters of failures and requests in the Django cache (Redis in production, local memory in
the embedded default), shared by every app process.

SECURITY.md "Accounts": besides django-axes' lock per account+IP, one address gets the captcha
and then a cool-off after failed logins whatever the logins typed (password spraying), the
recovery form asks for the captcha after a few requests from one address, and the current
password asked by the profile pages is locked after a few wrong tries.

Counts are kept per aligned window of `seconds` (a cache key per window, raised atomically with
`cache.add` and `cache.incr` in Redis and in the local-memory cache); a count is that of the
current window plus the previous one, so an event counts for at least `seconds` and at most
twice that. A lock is a key holding the moment it ends, started once (`cache.add`): attempts
during a cool-off neither count nor extend it. Both read the clock here rather than rely on the
cache's own expiry, which only keeps the keys from piling up.
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


def _windows(key: str, seconds: int) -> tuple[str, str]:
    window = int(time.time() // seconds)
    return f"{key}:{window}", f"{key}:{window - 1}"


def counter_get(key: str, *, seconds: int) -> int:
    """Events in the current window of `seconds` and the previous one."""
    found = cache.get_many(list(_windows(key, seconds)))
    return sum(int(value) for value in found.values())


def counter_incr(key: str, *, seconds: int) -> int:
    """Counts one event; returns the count (`counter_get`) including it."""
    current, previous = _windows(key, seconds)
    value = 1
    for _attempt in range(3):
        cache.add(current, 0, timeout=2 * seconds)
        try:
            value = cache.incr(current)
        except ValueError:  # evicted between add and incr
            continue
        if value == 1:
            # Redis' INCR recreates a key that vanished just before it without a timeout.
            cache.touch(current, timeout=2 * seconds)
        break
    return value + int(cache.get(previous) or 0)


def counter_reset(key: str, *, seconds: int) -> None:
    cache.delete_many(list(_windows(key, seconds)))


def lock_set(key: str, *, seconds: int) -> bool:
    """Starts a lock of `seconds` unless one is running; True when this call started it."""
    until = time.time() + seconds
    if cache.add(key, until, timeout=seconds):
        return True
    if lock_seconds_left(key) == 0:  # an ended lock whose key outlived it
        cache.set(key, until, timeout=seconds)
        return True
    return False


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


def _login_ip_window() -> int:
    return settings.LKK_LOGIN_IP_WINDOW_MINUTES * 60


def login_ip_failures(request: HttpRequest) -> int:
    return counter_get(_login_ip_counter(request), seconds=_login_ip_window())


def login_ip_captcha_required(request: HttpRequest) -> bool:
    return login_ip_failures(request) >= settings.LKK_LOGIN_IP_CAPTCHA_AFTER


def login_ip_locked_seconds(request: HttpRequest) -> int:
    """Seconds left of this address's cool-off; 0 when logins from it are allowed."""
    return lock_seconds_left(_login_ip_lock(request))


def login_ip_failure_record(request: HttpRequest) -> bool:
    """Counts a failed login from this address; True when it starts the address's cool-off.

    The count is not reset by the cool-off (nor by a success): while the window still holds
    LKK_LOGIN_IP_LOCKOUT_AFTER failures, the next one after the cool-off starts another.
    """
    failures = counter_incr(_login_ip_counter(request), seconds=_login_ip_window())
    if failures < settings.LKK_LOGIN_IP_LOCKOUT_AFTER:
        return False
    return lock_set(_login_ip_lock(request), seconds=lockout_seconds())


# --- Recovery requests from one address ---------------------------------------------------------

RECOVERY_WINDOW_SECONDS = 3600


def _recovery_counter(request: HttpRequest) -> str:
    return _key("recovery-ip", _ip(request))


def recovery_captcha_required(request: HttpRequest) -> bool:
    count = counter_get(_recovery_counter(request), seconds=RECOVERY_WINDOW_SECONDS)
    return count >= settings.LKK_RECOVERY_CAPTCHA_AFTER


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
    # After the lock the user has the full count of tries again, as after a login lockout.
    counter_reset(_password_check_counter(user_id), seconds=lockout_seconds())
    return failures, lock_set(_password_check_lock(user_id), seconds=lockout_seconds())


def password_check_success(user_id: int) -> None:
    counter_reset(_password_check_counter(user_id), seconds=lockout_seconds())
