"""SMS providers: one small interface, an HTTP gateway for production and two for development.

`SMS_BACKEND` picks one: `console` (default: prints to stdout, like Django's console mail
backend), `file` (appends JSON lines to `SMS_FILE_PATH`) or `http` (POSTs JSON to `SMS_HTTP_URL`).
A provider raises `SmsError` when the message was not accepted; the outbox then retries it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol, TextIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


class SmsError(Exception):
    """The provider did not accept the message. The text names no recipient, code or token."""


class SmsProvider(Protocol):
    def send(self, *, phone: str, text: str, message_id: str) -> None:
        """Hands one message over; returns only once the provider has accepted it.

        `message_id` is stable across retries of the same message: a gateway that supports it
        drops a duplicate.
        """


class ConsoleSmsProvider:
    """Development: prints the message to stdout (the runserver or worker console)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send(self, *, phone: str, text: str, message_id: str) -> None:
        with self._lock:
            self.stream.write(f"SMS {message_id} → {phone}\n{text}\n{'-' * 40}\n")
            self.stream.flush()


class FileSmsProvider:
    """Development: appends one JSON line per message to a file (under LKK_VAR_DIR)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def send(self, *, phone: str, text: str, message_id: str) -> None:
        line = json.dumps(
            {"id": message_id, "to": phone, "text": text, "at": timezone.now().isoformat()},
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write() to a file opened with O_APPEND: concurrent workers do not interleave lines.
        # 0o600: the file holds live codes.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
        except OSError as error:
            raise SmsError(f"cannot write the SMS file: {error.strerror}") from error
        finally:
            os.close(fd)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the bearer token elsewhere (or turn the POST into a GET)."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class HttpSmsProvider:
    """Production: a JSON POST to the SMS gateway.

    Request: ``{"id": <message id>, "to": <phone>, "text": <text>}`` with
    ``Authorization: Bearer <token>`` and ``Idempotency-Key: <message id>``. Any answer but 2xx,
    a redirect included, and any network error or timeout is a failure.
    """

    def __init__(self, url: str, *, token: str = "", timeout: float = 10.0) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("SMS_HTTP_URL must be an http:// or https:// URL")
        self.url = url
        self.token = token
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects)

    def send(self, *, phone: str, text: str, message_id: str) -> None:
        payload = json.dumps({"id": message_id, "to": phone, "text": text}, ensure_ascii=False)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": message_id,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 — the scheme is checked in __init__
            self.url, data=payload.encode(), headers=headers, method="POST"
        )
        # The gateway's answer body is not kept: it may echo the text (and so the code).
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            error.close()
            raise SmsError(f"the SMS gateway answered HTTP {error.code}") from None
        except urllib.error.URLError as error:
            raise SmsError(f"the SMS gateway is unreachable: {error.reason}") from None
        except (TimeoutError, OSError) as error:
            raise SmsError(f"the SMS gateway is unreachable: {type(error).__name__}") from None
        if not 200 <= status < 300:
            raise SmsError(f"the SMS gateway answered HTTP {status}")


def sms_provider() -> SmsProvider:
    """The provider `SMS_BACKEND` names, configured from the settings (read at each call)."""
    backend = settings.SMS_BACKEND
    if backend == "console":
        return ConsoleSmsProvider()
    if backend == "file":
        return FileSmsProvider(settings.SMS_FILE_PATH)
    if backend == "http":
        if not settings.SMS_HTTP_URL:
            raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL")
        return HttpSmsProvider(
            settings.SMS_HTTP_URL, token=settings.SMS_HTTP_TOKEN, timeout=settings.SMS_HTTP_TIMEOUT
        )
    raise ImproperlyConfigured(f"unknown SMS_BACKEND {backend!r}: console, file or http")
