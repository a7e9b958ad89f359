"""«Профиль» (A11; SECURITY.md "Accounts": password and contact changes)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lkk.accounts.models import ConfirmationCode, NotificationPreferences, UserSession
from lkk.audit.models import AuditEvent
from lkk.customers.tests.factories import UserFactory
from lkk.notifications.models import OutboxMessage

PASSWORD = "correct-horse-42"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
PHONE_UA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


def _login(client, username: str, ua: str = CHROME, ip: str = "203.0.113.7"):
    response = client.post(
        reverse("accounts:login"),
        {"username": username, "password": PASSWORD},
        HTTP_USER_AGENT=ua,
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _page(response) -> str:
    return response.content.decode()


def _code_in(message: OutboxMessage) -> str:
    return re.search(r"\b\d{6}\b", message.body).group(0)


# --- The page ---------------------------------------------------------------------------------


def test_profile_shows_the_user_and_their_counterparties(client, customer_a, customer_b):
    user = customer_a.user
    user.phone = "+79120000001"
    user.save()
    client.force_login(user)
    page = _page(client.get(reverse("accounts:profile")))
    assert user.display_name in page
    assert user.username in page and user.email in page and "+79120000001" in page
    assert customer_a.counterparty.short_name in page
    assert customer_b.counterparty.short_name not in page
    # The header links to it.
    assert reverse("accounts:profile") in _page(client.get(reverse("customers:home")))


def test_profile_needs_login(client, db):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# --- Password ---------------------------------------------------------------------------------


def _change_password(client, old: str, new1: str, new2: str | None = None):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_password_change_needs_the_current_password(client, customer_a):
    client.force_login(customer_a.user)
    response = _change_password(client, "wrong-password", "Brand-new-secret-9")
    assert response.status_code == 200
    assert "Текущий пароль введён неверно." in _page(response)
    customer_a.user.refresh_from_db()
    assert customer_a.user.check_password(PASSWORD)


def test_password_change_checks_the_new_password(client, customer_a):
    client.force_login(customer_a.user)
    mismatch = _change_password(client, PASSWORD, "Brand-new-secret-9", "Brand-new-secret-8")
    assert "Пароли не совпадают." in _page(mismatch)
    short = _change_password(client, PASSWORD, "k3y!")
    assert "слишком короткий" in _page(short)
    common = _change_password(client, PASSWORD, "password123")
    assert "слишком широко распространён" in _page(common)
    customer_a.user.refresh_from_db()
    assert customer_a.user.check_password(PASSWORD)


# --- The current password: limited and audited like a login ------------------------------------

CHECK_LOCKED = "Слишком много попыток ввести текущий пароль. Попробуйте через 15 минут."


def _check_events(kind: str = AuditEvent.Kind.PASSWORD_CHECK_FAILED):
    return AuditEvent.objects.filter(kind=kind).order_by("id")


def test_wrong_current_passwords_are_audited_then_locked(client, customer_a):
    import time_machine

    user = customer_a.user
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        client.force_login(user)
        for _ in range(4):
            response = _change_password(client, "wrong-password", "Brand-new-secret-9")
            assert response.status_code == 200
            assert "Текущий пароль введён неверно." in _page(response)
        fifth = _change_password(client, "wrong-password", "Brand-new-secret-9")
        assert fifth.status_code == 429
        assert CHECK_LOCKED in _page(fifth)

        # The right password is refused while locked, from another session too.
        other = Client()
        other.force_login(user)
        for browser in (client, other):
            refused = _change_password(browser, PASSWORD, "Brand-new-secret-9")
            assert refused.status_code == 429
            assert CHECK_LOCKED in _page(refused)
        user.refresh_from_db()
        assert user.check_password(PASSWORD)

        failures = _check_events()
        assert [e.details for e in failures] == [
            {"form": "password_change", "locked": False, "failures": n} for n in range(1, 6)
        ] + [{"form": "password_change", "locked": True}] * 2
        assert {e.user for e in failures} == {user}
        lockout = _check_events(AuditEvent.Kind.LOCKOUT).get()
        assert lockout.details == {"scope": "password_check", "form": "password_change"}
        assert lockout.user == user

        clock.shift(dt.timedelta(minutes=15, seconds=1))
        done = _change_password(client, PASSWORD, "Brand-new-secret-9")
        assert done.status_code == 302
        user.refresh_from_db()
        assert user.check_password("Brand-new-secret-9")


def test_a_right_current_password_resets_the_count(client, customer_a):
    client.force_login(customer_a.user)
    for _ in range(4):
        _change_password(client, "wrong-password", "Brand-new-secret-9")
    # Right, though the new password is refused: the current one was checked and passed.
    assert "Пароли не совпадают." in _page(
        _change_password(client, PASSWORD, "Brand-new-secret-9", "Brand-new-secret-8")
    )
    for _ in range(4):
        response = _change_password(client, "wrong-password", "Brand-new-secret-9")
        assert response.status_code == 200
        assert "Текущий пароль введён неверно." in _page(response)


def test_the_password_asked_by_contact_changes_counts_too(client, customer_a):
    """The email and phone changes ask for the password: the same count, the same lock."""
    client.force_login(customer_a.user)
    for _ in range(2):
        assert "Неверный пароль." in _page(_request_email(client, "new@example.ru", "bad"))
    for _ in range(2):
        response = client.post(
            reverse("accounts:phone_change"),
            {"step": "request", "contact": "+79123456789", "password": "bad"},
        )
        assert "Неверный пароль." in _page(response)
    locked = _request_email(client, "new@example.ru", "bad")
    assert locked.status_code == 429
    assert CHECK_LOCKED in _page(locked)
    refused = _request_email(client, "new@example.ru", PASSWORD)
    assert refused.status_code == 429
    assert CHECK_LOCKED in _page(refused)
    assert not OutboxMessage.objects.exists()
    assert "Смена пароля" in _page(client.get(reverse("accounts:password_change")))
    assert _change_password(client, PASSWORD, "Brand-new-secret-9").status_code == 429
    forms = [e.details["form"] for e in _check_events()]
    assert forms == ["email_change"] * 2 + ["phone_change"] * 2 + ["email_change"] * 2 + [
        "password_change"
    ]


def test_password_change_keeps_this_session_and_ends_the_others(customer_a):
    here = _login(Client(), "customer_a")
    there = _login(Client(), "customer_a", ua=PHONE_UA, ip="198.51.100.2")
    assert there.get(reverse("accounts:profile")).status_code == 200

    response = _change_password(here, PASSWORD, "Brand-new-secret-9")
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    page = here.get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert "Пароль изменён" in _page(page)

    away = there.get(reverse("accounts:profile"))
    assert away.status_code == 302 and away.url.startswith(reverse("accounts:login"))
    customer_a.user.refresh_from_db()
    assert customer_a.user.check_password("Brand-new-secret-9")
    assert UserSession.objects.filter(user=customer_a.user).count() == 1
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_CHANGED)
    assert event.user == customer_a.user and event.details == {"sessions_ended": 1}
    assert "Brand-new-secret-9" not in str(event.details)


# --- Email and phone --------------------------------------------------------------------------


def _request_email(client, email: str, password: str = PASSWORD):
    return client.post(
        reverse("accounts:email_change"),
        {"step": "request", "contact": email, "password": password},
    )


def _confirm(client, name: str, code: str):
    return client.post(reverse(name), {"step": "confirm", "code": code})


def test_email_change_sends_a_code_to_the_new_address_only(client, customer_a):
    user = customer_a.user
    old = user.email
    client.force_login(user)
    response = _request_email(client, "New.Address@Example.ru")
    assert response.status_code == 302
    sent = OutboxMessage.objects.get()
    assert sent.channel == "email" and sent.recipient == "new.address@example.ru"
    assert not OutboxMessage.objects.filter(recipient=old).exists()
    user.refresh_from_db()
    assert user.email == old, "nothing changes before the code"
    page = _page(client.get(reverse("accounts:email_change")))
    assert "Код из сообщения" in page

    wrong = _confirm(
        client, "accounts:email_change", "000000" if _code_in(sent) != "000000" else "111111"
    )
    assert "Неверный код" in _page(wrong)
    user.refresh_from_db()
    assert user.email == old

    done = _confirm(client, "accounts:email_change", _code_in(sent))
    assert done.status_code == 302 and done.url == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.email == "new.address@example.ru"
    assert "Адрес электронной почты изменён." in _page(client.get(done.url))
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EMAIL_CHANGED)
    assert event.details == {"old": f"{old[0]}***@example.ru", "new": "n***@example.ru"}


def test_email_change_needs_the_password(client, customer_a):
    client.force_login(customer_a.user)
    response = _request_email(client, "new@example.ru", password="wrong")
    assert "Неверный пароль." in _page(response)
    assert not OutboxMessage.objects.exists()


def test_email_used_by_another_account_is_refused(client, customer_a, customer_b):
    client.force_login(customer_a.user)
    response = _request_email(client, customer_b.user.email.upper())
    assert "Этот адрес уже используется" in _page(response)
    assert not OutboxMessage.objects.exists()


def test_email_taken_between_the_code_and_the_confirmation_is_refused(client, customer_a):
    client.force_login(customer_a.user)
    _request_email(client, "contested@example.ru")
    code = _code_in(OutboxMessage.objects.get())
    UserFactory(username="quick", email="contested@example.ru")
    response = _confirm(client, "accounts:email_change", code)
    assert "Этот адрес уже используется" in _page(response)
    customer_a.user.refresh_from_db()
    assert customer_a.user.email == "customer_a@example.ru"


def test_expired_code_is_refused(client, customer_a):
    client.force_login(customer_a.user)
    _request_email(client, "late@example.ru")
    code = _code_in(OutboxMessage.objects.get())
    ConfirmationCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _confirm(client, "accounts:email_change", code)
    assert "Срок действия кода истёк" in _page(response)
    customer_a.user.refresh_from_db()
    assert customer_a.user.email == "customer_a@example.ru"


def test_code_of_another_address_does_not_confirm(client, customer_a):
    """The code is bound to the address it went to: changing the pending address voids it."""
    client.force_login(customer_a.user)
    _request_email(client, "first@example.ru")
    code = _code_in(OutboxMessage.objects.get())
    session = client.session
    session["lkk_profile_pending_email"] = "second@example.ru"
    session.save()
    response = _confirm(client, "accounts:email_change", code)
    assert "Код не запрашивался" in _page(response)
    customer_a.user.refresh_from_db()
    assert customer_a.user.email == "customer_a@example.ru"


def test_phone_change_by_sms_to_the_new_number(client, customer_a):
    user = customer_a.user
    user.phone = "+79120000001"
    user.save()
    client.force_login(user)
    refused = client.post(
        reverse("accounts:phone_change"),
        {"step": "request", "contact": "12345", "password": PASSWORD},
    )
    assert "Введите номер мобильного телефона" in _page(refused)
    client.post(
        reverse("accounts:phone_change"),
        {"step": "request", "contact": "8 (912) 345-67-89", "password": PASSWORD},
    )
    sent = OutboxMessage.objects.get()
    assert sent.channel == "sms" and sent.recipient == "+79123456789"
    user.refresh_from_db()
    assert user.phone == "+79120000001"
    done = _confirm(client, "accounts:phone_change", _code_in(sent))
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.phone == "+79123456789"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PHONE_CHANGED)
    assert event.details == {"old": "+7 *** ***-**-01", "new": "+7 *** ***-**-89"}


# --- Notification preferences -----------------------------------------------------------------


def test_notification_preferences_have_defaults_and_are_saved(client, customer_a):
    client.force_login(customer_a.user)
    page = _page(client.get(reverse("accounts:notification_preferences")))
    assert "напоминания о показаниях — email" in page.lower()
    # Every topic the portal sends today: readings, applications, outages, news (N1).
    assert re.findall(r'type="checkbox" name="(\w+)"', page) == [
        f"{topic}_{channel}"
        for topic in ("readings", "applications", "outages", "news")
        for channel in ("email", "sms")
    ]
    response = client.post(
        reverse("accounts:notification_preferences"), {"readings_sms": "on", "news_email": "on"}
    )
    assert response.status_code == 302
    prefs = NotificationPreferences.objects.get(user=customer_a.user)
    assert prefs.readings_sms and not prefs.readings_email
    # A box left unticked is off: what the user saw is what is saved.
    assert prefs.news_email and not prefs.outages_sms and not prefs.applications_email
    assert "Настройки уведомлений сохранены." in _page(client.get(response.url))


# --- Sessions ---------------------------------------------------------------------------------


def test_sessions_are_listed_and_others_can_be_ended(customer_a):
    here = _login(Client(), "customer_a")
    there = _login(Client(), "customer_a", ua=PHONE_UA, ip="198.51.100.2")
    page = _page(here.get(reverse("accounts:profile")))
    assert "Chrome, Windows" in page and "Chrome, Android" in page
    assert "198.51.100.2" in page and "это устройство" in page
    assert "Выйти на других устройствах" in page

    response = here.post(reverse("accounts:sessions_end_others"))
    assert response.status_code == 302
    assert here.get(reverse("accounts:profile")).status_code == 200
    away = there.get(reverse("accounts:profile"))
    assert away.status_code == 302 and away.url.startswith(reverse("accounts:login"))
    assert UserSession.objects.filter(user=customer_a.user).count() == 1
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGOUT).latest("pk")
    assert event.details == {"other_sessions_ended": 1}


def test_logout_removes_the_session_row(customer_a):
    client = _login(Client(), "customer_a")
    assert UserSession.objects.filter(user=customer_a.user).count() == 1
    client.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=customer_a.user).exists()


def test_profile_query_count_does_not_grow_with_sessions(customer_a):
    client = _login(Client(), "customer_a")
    client.get(reverse("accounts:profile"))
    counts = []
    for extra in (0, 20):
        for i in range(extra):
            UserSession.objects.create(
                user=customer_a.user,
                session_key=f"extra{i:035d}",
                last_seen=timezone.now(),
                user_agent=CHROME,
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:profile")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# --- Consent ----------------------------------------------------------------------------------


def test_withdrawing_consent_sends_to_the_consent_page(client, customer_a):
    client.force_login(customer_a.user)
    response = client.post(reverse("accounts:consent_withdraw"), follow=False)
    assert response.status_code == 302
    onward = client.get(response.url)
    assert onward.status_code == 302 and onward.url.startswith(reverse("accounts:consent"))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CONSENT_WITHDRAWN).exists()


@pytest.mark.parametrize(
    ("ua", "expected"),
    [
        (CHROME, "Chrome, Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17.0 Mobile Safari/604.1",
            "Safari, iOS",
        ),
        ("curl/8.0", "Неизвестное устройство"),
    ],
)
def test_device_of(ua, expected):
    from lkk.accounts.services.profile import device_of

    assert device_of(ua) == expected
