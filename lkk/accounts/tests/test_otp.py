"""Operators and admins log in with a second factor: a TOTP code (SECURITY.md [8.4.2])."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lkk.audit.models import AuditEvent

LOGIN = "/accounts/login/"
VERIFY = "/accounts/otp/"
SETUP = "/accounts/otp/setup/"
PASSWORD = "correct-horse-42"
T0 = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def device(operator):
    return TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)


def code_of(device: TOTPDevice, shift: int = 0) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + shift)
    return f"{value:06d}"


def wrong_code(device: TOTPDevice) -> str:
    right = {code_of(device, s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def password_login(client, username: str = "operator1", next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def test_operator_is_sent_to_the_code_step_after_the_password(client, operator, device):
    response = password_login(client)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)
    # After the code, the back office's landing page (issue 8: not the customer's «Главная»).
    assert next_of(response.url) == reverse("backoffice:home")
    assert "_auth_user_id" in client.session


def test_operator_login_refused_without_totp(client, operator, device, customer_a, clock):
    password_login(client)

    # No code yet: neither the back office nor any portal page.
    admin = client.get(reverse("admin:customers_contract_changelist"))
    assert admin.status_code == 302
    assert admin.url.startswith(VERIFY)
    assert next_of(admin.url) == reverse("admin:customers_contract_changelist")
    home = client.get(reverse("customers:home"))
    assert home.status_code == 302 and home.url.startswith(VERIFY)
    assert client.get(reverse("admin:index")).url.startswith(VERIFY)

    # A wrong code is refused, and recorded.
    wrong = client.post(VERIFY, {"code": wrong_code(device)})
    assert wrong.status_code == 200
    assert "Неверный код." in wrong.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.OTP_FAILED)
    assert event.user == operator
    assert event.details == {"step": "verify", "reason": "invalid_code"}

    # Not six digits: refused too.
    for bad in ["", "12345", "abcdef"]:
        assert client.post(VERIFY, {"code": bad}).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_operator_login_allowed_with_a_valid_totp(client, operator, device, customer_a):
    password_login(client, next_url=reverse("admin:index"))
    before = client.session.session_key
    response = client.post(VERIFY, {"code": code_of(device), "next": reverse("admin:index")})
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.session.session_key != before, "a new session key once verified"
    assert client.get(reverse("admin:index")).status_code == 200
    url = reverse("admin:customers_contract_changelist")
    assert client.get(url).status_code == 200
    assert client.get(VERIFY).status_code == 302, "nothing more to enter"


def test_a_code_accepted_once_is_not_accepted_again(client, operator, device):
    password_login(client)
    code = code_of(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_login(client)
    replay = client.post(VERIFY, {"code": code})
    assert replay.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_wrong_codes_slow_down_the_next_tries(client, operator, device, clock):
    password_login(client)
    client.post(VERIFY, {"code": wrong_code(device)})
    throttled = client.post(VERIFY, {"code": code_of(device)})
    assert throttled.status_code == 200
    assert "Слишком много неверных кодов." in throttled.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.OTP_FAILED).count() == 2
    clock.shift(dt.timedelta(seconds=2))
    assert client.post(VERIFY, {"code": code_of(device)}).status_code == 302


def test_the_back_office_login_is_the_portal_login(client, operator, device):
    response = client.get(reverse("admin:index"), follow=False)
    assert response.url.startswith(reverse("admin:login"))
    login = client.get(response.url)
    assert login.status_code == 302
    assert login.url.startswith(LOGIN)
    assert next_of(login.url) == reverse("admin:index")
    # The whole way: password, code, back office.
    step = password_login(client, next_url=next_of(login.url))
    assert next_of(step.url) == reverse("admin:index")
    done = client.post(step.url, {"code": code_of(device), "next": next_of(step.url)})
    assert done.url == reverse("admin:index")
    assert client.get(done.url).status_code == 200


def test_the_back_office_login_refuses_a_customer_and_foreign_next(client, customer_a):
    assert client.get(reverse("admin:login") + "?next=https://evil.example/").url == (
        f"{LOGIN}?next=/admin/"
    )
    client.force_login(customer_a.user)
    assert client.get(reverse("admin:login")).status_code == 403


def test_first_login_sets_up_the_authenticator(client, operator):
    step = password_login(client)
    setup = client.get(step.url)
    assert setup.status_code == 302
    assert setup.url.startswith(SETUP)

    page = client.get(setup.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', body)[1]
    device = TOTPDevice.objects.get(user=operator)
    assert not device.confirmed
    from base64 import b32encode

    assert secret.replace(" ", "") == b32encode(device.bin_key).decode().rstrip("=")
    # A reload shows the same secret: the QR already scanned stays good.
    assert secret in client.get(setup.url).content.decode()
    assert TOTPDevice.objects.filter(user=operator).count() == 1

    assert client.get(reverse("admin:index")).status_code == 302
    wrong = client.post(SETUP, {"code": wrong_code(device)})
    assert wrong.status_code == 200
    assert AuditEvent.objects.filter(kind="otp_failed", details__step="setup").exists()

    # Throttled after the wrong code: a moment later the right one confirms the device.
    with time_machine.travel(dt.timedelta(seconds=3)):
        done = client.post(SETUP, {"code": code_of(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(kind="otp_enrolled", user=operator).count() == 1
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_confirmed_device_cannot_be_replaced_without_its_code(client, operator, device):
    """Someone with only the password cannot enrol an authenticator of their own."""
    password_login(client)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)
    assert client.post(SETUP, {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=operator).count() == 1


def test_admin_needs_the_second_factor_too(client, admin_user):
    TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    client.post(LOGIN, {"username": "admin1", "password": PASSWORD})
    assert client.get(reverse("admin:index")).url.startswith(VERIFY)


def test_customers_are_not_asked_for_a_code(client, customer_a):
    response = password_login(client, "customer_a")
    assert response.url == reverse("customers:home")
    assert client.get(reverse("customers:home")).status_code == 200
    assert client.get(VERIFY).url == reverse("customers:home")
    assert client.get(SETUP).url == reverse("customers:home")
    assert not TOTPDevice.objects.exists()


def test_the_code_step_lets_the_operator_log_out(client, operator, device):
    password_login(client)
    assert client.get(VERIFY).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_code_step_needs_a_login(client, db):
    response = client.get(VERIFY)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_code_pages_are_not_cached(client, operator):
    password_login(client)
    response = client.get(SETUP)
    assert "no-store" in response["Cache-Control"]


def test_totp_secrets_are_hidden_in_the_admin():
    assert settings.OTP_ADMIN_HIDE_SENSITIVE_DATA is True
