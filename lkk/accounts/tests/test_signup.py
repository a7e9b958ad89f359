"""«Регистрация пользователя» (seed 003): login + email, the email link, no counterparty yet."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lkk.accounts.models import Consent
from lkk.customers.models import AccessGrant
from lkk.notifications.models import OutboxMessage

PASSWORD = "Зелёный-слон-2024"
URL = "/accounts/register/signup/"


@pytest.fixture(autouse=True)
def captcha_passes(monkeypatch, settings):
    from captcha.conf import settings as captcha_settings

    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def signup(client, **extra):
    data = {
        "username": "Ivan.Petrov_1-a",
        "email": "Ivan@Firm.ru",
        "phone": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "captcha_0": "x",
        "captcha_1": "PASSED",
        "consent": "on",
    } | extra
    return client.post(URL, data)


def link_token() -> str:
    body = OutboxMessage.objects.order_by("-pk").first().body
    return re.search(r"[?&]t=([\w-]+)", body).group(1)


def test_happy_path_via_the_link(client, db):
    page = client.get(URL)
    assert "Регистрация пользователя" in page.content.decode()
    response = signup(client, phone="+7 912 000-11-22")
    assert response.status_code == 200
    assert "отправлено письмо со ссылкой" in response.content.decode()
    assert not get_user_model().objects.filter(username="Ivan.Petrov_1-a").exists()
    message = OutboxMessage.objects.get()
    assert message.recipient == "ivan@firm.ru"
    assert PASSWORD not in str(client.session.items())

    response = client.get(reverse("accounts:signup_link"), {"t": link_token()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    user = get_user_model().objects.get(username="Ivan.Petrov_1-a")
    assert user.email == "ivan@firm.ru"
    assert user.phone == "+79120001122"
    assert user.check_password(PASSWORD)
    assert response.wsgi_request.user == user
    assert not AccessGrant.objects.filter(user=user).exists()
    assert Consent.objects.filter(user=user).exists()
    assert "Привязать договор" in response.content.decode()

    home = client.get(reverse("customers:home"))
    assert home.status_code == 200
    assert "Нет действующих договоров." in home.content.decode()


def test_login_taken_case_insensitively(client, django_user_model):
    django_user_model.objects.create_user(username="ivan.petrov_1-A", password=PASSWORD)
    response = signup(client)
    assert "Этот логин уже занят." in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_email_taken(client, django_user_model):
    django_user_model.objects.create_user(username="other", email="ivan@firm.ru", password=PASSWORD)
    response = signup(client)
    assert "Этот адрес электронной почты уже используется" in response.content.decode()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("login", ["ivan petrov", "ivan@petrov", "ivan!"])
def test_bad_login_characters(client, db, login):
    response = signup(client, username=login)
    assert "только буквы, цифры и знаки" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_passwords_mismatch(client, db):
    response = signup(client, password2=PASSWORD + "x")
    assert "Пароли не совпадают" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_captcha_wrong(client, db):
    response = signup(client, captcha_1="WRONG")
    assert "Неверный код с картинки" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_consent_required(client, db):
    data = {"consent": ""}
    response = signup(client, **data)
    assert "Без согласия с Пользовательским соглашением" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_link_reused(client, db):
    signup(client)
    token = link_token()
    url = reverse("accounts:signup_link")
    client.get(url, {"t": token})
    client.logout()
    response = client.get(url, {"t": token})
    assert "Ссылка уже использована" in response.content.decode()
    assert get_user_model().objects.filter(username="Ivan.Petrov_1-a").count() == 1


def test_link_expired(client, db):
    from lkk.accounts.models import ConfirmationCode

    signup(client)
    token = link_token()
    ConfirmationCode.objects.update(expires_at="2000-01-01T00:00:00Z")
    response = client.get(reverse("accounts:signup_link"), {"t": token})
    assert "Срок действия ссылки истёк" in response.content.decode()
    assert not get_user_model().objects.filter(username="Ivan.Petrov_1-a").exists()


def test_link_from_another_session(client, db, django_user_model):
    from django.test import Client

    signup(client)
    response = Client().get(reverse("accounts:signup_link"), {"t": link_token()})
    assert "Ссылка недействительна" in response.content.decode()
    assert not django_user_model.objects.filter(username="Ivan.Petrov_1-a").exists()
