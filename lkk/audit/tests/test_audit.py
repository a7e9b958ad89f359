"""The audit log (SECURITY.md «Audit»): logins, failures, lockouts, logouts, second-factor
failures; who, what, when, from where; never a password or a code."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record, client_ip, scrub_details

LOGIN = "/accounts/login/"
RIGHT = "correct-horse-42"


@pytest.fixture
def captcha_passes(monkeypatch, settings):
    from captcha.conf import settings as captcha_settings

    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def attempt(client, username: str, password: str, **meta: str):
    data = {"username": username, "password": password, "captcha_0": "x", "captcha_1": "PASSED"}
    return client.post(LOGIN, data, **meta)


def events(kind: str):
    return AuditEvent.objects.filter(kind=kind).order_by("id")


def otp_login(client, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    assert client.post(reverse("accounts:otp_verify"), {"code": f"{code:06d}"}).status_code == 302


# --- The record ---------------------------------------------------------------------------------


def test_secrets_are_dropped_from_details():
    details = {
        "login": "ivanov",
        "password": "x",
        "new_password1": "x",
        "Code": "123456",
        "otp_token": "123456",
        "client_secret": "s",
        "api_key": "k",
        "nested": {"token": "t", "field": "email", "list": [{"sms_code": "1"}, "ok"]},
        "count": 3,
    }
    assert scrub_details(details) == {
        "login": "ivanov",
        "nested": {"field": "email", "list": [{}, "ok"]},
        "count": 3,
    }


def test_audit_record_stores_who_what_when_where(db, rf, customer_a):
    request = rf.post("/x/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="A" * 1000)
    event = audit_record(
        kind=AuditEvent.Kind.EMAIL_CHANGED,
        request=request,
        user=customer_a.user,
        details={"field": "email", "code": "654321", "password": "pw"},
    )
    event.refresh_from_db()
    assert event.user == customer_a.user
    assert event.actor is None
    assert event.ip == "192.0.2.7"
    assert event.user_agent == "A" * 300
    assert event.details == {"field": "email"}
    assert event.created_at is not None


def test_unknown_kind_is_refused(db):
    with pytest.raises(ValueError):
        audit_record(kind="something_else")


def test_events_outlive_their_user(db):
    from lkk.customers.tests.factories import UserFactory

    user = UserFactory(username="leaving")
    event = audit_record(kind=AuditEvent.Kind.LOGOUT, user=user, actor=user)
    user.delete()
    event.refresh_from_db()
    assert event.user is None and event.actor is None


def test_client_ip_behind_trusted_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip(request) == "10.0.0.1", "X-Forwarded-For is ignored without proxies"
    settings.LKK_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.5", "the address the proxy saw, not a forged one"
    settings.LKK_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.LKK_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.1"
    assert client_ip(rf.get("/", REMOTE_ADDR="not-an-ip")) is None


# --- The login flow writes it -------------------------------------------------------------------


def test_login_and_logout_are_recorded(client, customer_a):
    client.post(
        LOGIN,
        {"username": "customer_a", "password": RIGHT},
        HTTP_USER_AGENT="Firefox/140",
    )
    login = events("login").get()
    assert login.user == customer_a.user
    assert login.ip == "127.0.0.1"
    assert login.user_agent == "Firefox/140"
    client.post(reverse("accounts:logout"))
    assert events("logout").get().user == customer_a.user


def test_failures_are_recorded_with_the_login_typed(client, customer_a, captcha_passes):
    attempt(client, " Customer_A ", "wrong-horse-42")
    attempt(client, "nobody", "wrong-horse-42")
    known, unknown = events("login_failed")
    assert known.user == customer_a.user
    assert known.details == {"login": "customer_a", "locked": False}
    assert unknown.user is None
    assert unknown.details == {"login": "nobody", "locked": False}
    assert known.ip == "127.0.0.1"


def test_a_lockout_is_recorded_once(client, customer_a, captcha_passes):
    for _ in range(5):
        attempt(client, "customer_a", "wrong-horse-42")
    attempt(client, "customer_a", RIGHT)
    attempt(client, "customer_a", "wrong-horse-42")
    lockout = events("lockout").get()
    assert lockout.user == customer_a.user
    assert lockout.details == {"login": "customer_a"}
    failures = events("login_failed")
    assert failures.count() == 7
    assert [f.details["locked"] for f in failures] == [False] * 4 + [True] * 3
    assert not events("login").exists()


def test_a_lockout_of_an_unknown_login_is_recorded_too(client, db, captcha_passes):
    for _ in range(5):
        attempt(client, "Nobody@Example.ru", "x")
    lockout = events("lockout").get()
    assert lockout.user is None
    assert lockout.details == {"login": "nobody@example.ru"}


def test_no_password_or_code_in_any_audit_row(client, operator, captcha_passes):
    password = "Zx9-tajnyj-parol-771"
    for _ in range(6):
        attempt(client, "operator1", password)
    attempt(client, "operator1@example.ru", password)
    TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    other = type(client)()
    attempt(other, "operator1", RIGHT, REMOTE_ADDR="10.1.1.1")
    other.post(reverse("accounts:otp_verify"), {"code": "987654"})
    assert events("otp_failed").exists()
    assert events("lockout").exists()
    rows = list(AuditEvent.objects.values())
    text = json.dumps(rows, default=str, ensure_ascii=False)
    assert password not in text
    assert "987654" not in text


# --- The back office ----------------------------------------------------------------------------


def test_admins_read_the_log_and_nobody_edits_it(client, admin_user, customer_a):
    event = audit_record(kind=AuditEvent.Kind.LOGIN, user=customer_a.user)
    otp_login(client, admin_user)
    listing = client.get(reverse("admin:audit_auditevent_changelist"))
    assert listing.status_code == 200
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_operators_do_not_see_the_log_for_now(client, operator):
    otp_login(client, operator)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
    assert "audit" not in client.get(reverse("admin:index")).content.decode()
