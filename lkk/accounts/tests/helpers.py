"""Shared by the registration tests (accounts, back office): the password, reading the codes and
links of the outbox, the image captcha in test mode, the operator's login with the second factor."""

from __future__ import annotations

import re

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lkk.notifications.models import OutboxMessage

PASSWORD = "Зелёный-слон-2024"
#: What the image captcha accepts in test mode (django-simple-captcha's CAPTCHA_TEST_MODE).
CAPTCHA = {"captcha_0": "x", "captcha_1": "PASSED"}


def captcha_on(monkeypatch, settings) -> None:
    from captcha.conf import settings as captcha_settings

    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def last_message(recipient: str) -> OutboxMessage:
    message = OutboxMessage.objects.filter(recipient=recipient).order_by("-pk").first()
    assert message is not None, f"no message to {recipient}"
    return message


def code_for(recipient: str) -> str:
    """The six-digit code of the latest message to `recipient`."""
    return re.search(r"\b(\d{6})\b", last_message(recipient).body).group(1)


def link_of(recipient: str) -> str:
    """The path (with its query) of the link in the latest message to `recipient`."""
    return re.search(r"http://testserver(\S+)", last_message(recipient).body).group(1)


def token_of(recipient: str) -> str:
    return re.search(r"[?&]t=([\w-]+)", last_message(recipient).body).group(1)


def wrong_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def log_in(client, login: str, password: str = PASSWORD) -> None:
    response = client.post(reverse("accounts:login"), {"username": login, "password": password})
    assert response.status_code == 302, response.content.decode()[-500:]


def otp_login(client, user) -> None:
    """An operator or admin logged in with the second factor (TOTP), as the back office needs."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(reverse("accounts:otp_verify"), {"code": f"{code:06d}"})
    assert response.status_code == 302
