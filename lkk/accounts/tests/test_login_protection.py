"""Failed logins (SECURITY.md «Accounts», A6): django-axes lockout, the image captcha, no
enumeration, and no typed password in any log."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

LOGIN = "/accounts/login/"
RIGHT = "correct-horse-42"
WRONG = "wrong-horse-42"
INVALID = "Неверный логин или пароль."
LOCKED = "Слишком много неудачных попыток входа. Попробуйте через 15 минут или восстановите пароль."
CAPTCHA_LABEL = "Введите то, что видите на картинке"
T0 = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def person(customer_a):
    return customer_a.user


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def captcha_passes(monkeypatch, settings):
    """django-simple-captcha's test mode, only here: the answer «PASSED» is accepted."""
    from captcha.conf import settings as captcha_settings

    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def post(client: Client, username: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def passed(client: Client, username: str, password: str, **extra: str):
    """A login with the test-mode captcha answer, for when the captcha is not under test."""
    return post(client, username, password, captcha_0="x", captcha_1="PASSED", **extra)


def has_captcha(response) -> bool:
    return 'data-testid="captcha"' in response.content.decode()


def captcha_answer(response) -> dict[str, str]:
    """The right answer to the captcha on a page, read from its store as a person reads it."""
    from captcha.models import CaptchaStore

    key = re.search(r'name="captcha_0" value="(\w+)"', response.content.decode())[1]
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Lockout ------------------------------------------------------------------------------------


def test_five_failures_lock_the_login_and_the_right_password_is_refused(
    client, person, clock, captcha_passes
):
    for _ in range(4):
        response = passed(client, "customer_a", WRONG)
        assert response.status_code == 200
        assert INVALID in response.content.decode()

    fifth = passed(client, "customer_a", WRONG)
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    refused = passed(client, "customer_a", RIGHT)
    assert refused.status_code == 429
    body = refused.content.decode()
    # The login page itself, with the message in its alert: not a bare error page.
    assert "Вход в личный кабинет" in body
    assert f'id="login-errors">{LOCKED}<' in body
    assert INVALID not in body
    assert not logged_in(client)

    clock.shift(dt.timedelta(minutes=14, seconds=59))
    assert passed(client, "customer_a", RIGHT).status_code == 429
    assert not logged_in(client)

    clock.shift(dt.timedelta(seconds=2))
    allowed = passed(client, "customer_a", RIGHT)
    assert allowed.status_code == 302
    assert allowed.url == reverse("customers:home")
    assert logged_in(client)


def test_attempts_during_a_lockout_do_not_extend_it(client, person, clock, captcha_passes):
    for _ in range(5):
        passed(client, "customer_a", WRONG)
    clock.shift(dt.timedelta(minutes=10))
    assert passed(client, "customer_a", WRONG).status_code == 429
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    assert passed(client, "customer_a", RIGHT).status_code == 302


def test_a_successful_login_resets_the_count(client, person, captcha_passes):
    for _ in range(4):
        passed(client, "customer_a", WRONG)
    assert passed(client, "customer_a", RIGHT).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert passed(client, "customer_a", WRONG).status_code == 200
    assert passed(client, "customer_a", WRONG).status_code == 429


def test_a_login_by_email_resets_what_was_typed(client, person, captcha_passes):
    for _ in range(4):
        passed(client, "Customer_A@example.ru", WRONG)
    assert passed(client, "customer_a@example.ru", RIGHT).status_code == 302
    client.post(reverse("accounts:logout"))
    assert passed(client, "customer_a@example.ru", WRONG).status_code == 200


def test_the_lockout_keys_on_what_was_typed_in_any_case(client, person, captcha_passes):
    for login in ["Customer_A@Example.RU", "customer_a@example.ru", " CUSTOMER_A@EXAMPLE.RU "]:
        passed(client, login, WRONG)
    passed(client, "customer_a@EXAMPLE.ru", WRONG)
    assert passed(client, "customer_a@example.RU", WRONG).status_code == 429
    assert passed(client, "customer_a@example.ru", RIGHT).status_code == 429


def test_the_lockout_is_per_login_and_ip(client, person, customer_b, captcha_passes):
    for _ in range(5):
        passed(client, "customer_a", WRONG)
    assert passed(client, "customer_a", RIGHT).status_code == 429
    # Another login from the same address, and the same login from another address, go on.
    assert passed(Client(), "customer_b", RIGHT).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    assert passed(elsewhere, "customer_a", RIGHT).status_code == 302


def test_the_lockout_time_comes_from_the_setting(client, person, settings, captcha_passes):
    from lkk.accounts.forms.auth import minutes_text

    settings.AXES_COOLOFF_TIME = 1 / 60  # what LKK_LOCKOUT_MINUTES=1 makes it
    for _ in range(5):
        response = passed(client, "customer_a", WRONG)
    assert "Попробуйте через 1 минуту или восстановите пароль." in response.content.decode()
    assert [minutes_text(n) for n in (2, 5, 11, 21, 22, 15)] == [
        "2 минуты",
        "5 минут",
        "11 минут",
        "21 минуту",
        "22 минуты",
        "15 минут",
    ]


# --- No enumeration -----------------------------------------------------------------------------


def _answers(username: str) -> list[tuple[int, bool, bool, bool]]:
    client = Client()
    answers = []
    for _ in range(7):
        response = passed(client, username, WRONG)
        body = response.content.decode()
        answers.append(
            (response.status_code, INVALID in body, LOCKED in body, has_captcha(response))
        )
    return answers


def test_known_and_unknown_logins_get_the_same_answers(person, captcha_passes):
    known = _answers("customer_a")
    assert known == _answers("nobody-at-all")
    assert known == _answers("nobody@example.ru")
    # And the answers do change along the way: the captcha after 3, the lockout after 5.
    assert [a[3] for a in known] == [False, False, True, True, True, True, True]
    assert [a[0] for a in known] == [200, 200, 200, 200, 429, 429, 429]


# --- Captcha ------------------------------------------------------------------------------------


def test_no_captcha_before_three_failures(client, person):
    assert not has_captcha(client.get(LOGIN))
    assert not has_captcha(post(client, "customer_a", WRONG))
    assert not has_captcha(post(client, "customer_a", WRONG))


def test_captcha_after_three_failures_is_required(client, person):
    for _ in range(2):
        post(client, "customer_a", WRONG)
    third = post(client, "customer_a", WRONG)
    assert has_captcha(third)
    body = third.content.decode()
    assert CAPTCHA_LABEL in body
    assert "Другой код" in body
    assert has_captcha(client.get(LOGIN)), "the session remembers the failures"

    # Without an answer, and with a wrong one, the password is not even checked.
    missing = post(client, "customer_a", RIGHT)
    assert missing.status_code == 200
    assert "Обязательное поле." in missing.content.decode()
    assert not logged_in(client)
    wrong = post(
        client,
        "customer_a",
        RIGHT,
        captcha_0=captcha_answer(missing)["captcha_0"],
        captcha_1="000000",
    )
    assert "Неверный код с картинки. Введите новый код." in wrong.content.decode()
    assert not logged_in(client)

    from axes.models import AccessAttempt

    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) == 3

    solved = post(client, "customer_a", RIGHT, **captcha_answer(wrong))
    assert solved.status_code == 302
    assert logged_in(client)


def test_captcha_answer_is_single_use(client, person):
    for _ in range(3):
        response = post(client, "customer_a", WRONG)
    answer = captcha_answer(response)
    post(client, "customer_a", WRONG, **answer)
    again = post(client, "customer_a", RIGHT, **answer)
    assert "Неверный код с картинки." in again.content.decode()
    assert not logged_in(client)


def test_captcha_follows_the_login_into_a_new_session(person):
    for _ in range(3):
        post(Client(), "customer_a", WRONG)
    fresh = Client()
    assert not has_captcha(fresh.get(LOGIN))
    response = post(fresh, "customer_a", RIGHT)
    assert response.status_code == 200
    assert has_captcha(response)
    assert not logged_in(fresh)
    assert post(fresh, "customer_a", RIGHT, **captcha_answer(response)).status_code == 302


def test_captcha_always_when_configured(client, person, settings):
    settings.LKK_LOGIN_CAPTCHA = "always"
    page = client.get(LOGIN)
    assert has_captcha(page)
    assert post(client, "customer_a", RIGHT).status_code == 200
    assert not logged_in(client)
    assert post(client, "customer_a", RIGHT, **captcha_answer(page)).status_code == 302


def test_captcha_image_and_refresh(client, db, settings):
    settings.LKK_LOGIN_CAPTCHA = "always"
    body = client.get(LOGIN).content.decode()
    image = re.search(r'<img src="([^"]+)"[^>]*data-captcha-image', body)[1]
    refresh = re.search(r'data-captcha-refresh="([^"]+)"', body)[1]
    png = client.get(image)
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    fresh = client.get(refresh, HTTP_X_REQUESTED_WITH="XMLHttpRequest").json()
    assert fresh["key"] and fresh["image_url"] != image
    assert client.get(fresh["image_url"]).status_code == 200
    # The page has no inline script: «Другой код» is wired up by app.js.
    assert "<script>" not in body and "onclick" not in body


def test_captcha_test_mode_is_off_outside_tests():
    from lkk import settings as project_settings

    assert not hasattr(project_settings, "CAPTCHA_TEST_MODE")


# --- Logs ---------------------------------------------------------------------------------------


def test_the_typed_password_reaches_no_log(client, person, caplog, captcha_passes):
    from axes.models import AccessAttempt

    secret = "Zx9-tajnyj-parol-771"
    caplog.set_level(logging.DEBUG)
    for _ in range(6):
        passed(client, "customer_a", secret)
    passed(client, "nobody", secret)
    assert caplog.records, "the failures are logged"
    assert secret not in caplog.text
    for attempt in AccessAttempt.objects.all():
        assert secret not in attempt.post_data + attempt.get_data
