"""«Регистрация пользователя» (seed 003): login + email, the email link, no counterparty yet.

The account-first way of the pipeline (lkk/accounts/services/registration.py): the email link
proves the email, and no contract is granted until one is bound (A9, test_binding.py).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from lkk.accounts.models import ConfirmationCode, Consent, RegistrationRequest
from lkk.accounts.services import registration as pipeline
from lkk.accounts.tests.helpers import CAPTCHA, PASSWORD, code_for, log_in, token_of
from lkk.customers.models import AccessGrant
from lkk.notifications.models import OutboxMessage

URL = "/accounts/register/signup/"
LINK = "/accounts/register/link/"
LOGIN = "Ivan.Petrov_1-a"

pytestmark = pytest.mark.usefixtures("captcha_passes")


def signup(client, **extra):
    data = (
        {
            "username": LOGIN,
            "email": "Ivan@Firm.ru",
            "phone": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        }
        | CAPTCHA
        | extra
    )
    return client.post(URL, data)


def test_happy_path_via_the_link(client, db):
    page = client.get(URL)
    assert "Регистрация пользователя" in page.content.decode()
    response = signup(client, phone="+7 912 000-11-22")
    assert response.status_code == 200
    assert "отправлено письмо со ссылкой" in response.content.decode()
    assert not get_user_model().objects.filter(username=LOGIN).exists()
    message = OutboxMessage.objects.get()
    assert message.recipient == "ivan@firm.ru"
    assert PASSWORD not in message.body
    req = RegistrationRequest.objects.get()
    assert (req.way, req.state, req.counterparty) == ("signup", "draft", None)
    assert client.session[pipeline.SESSION_KEY] == req.pk
    assert PASSWORD not in str(dict(client.session.items()))

    response = client.get(LINK, {"t": token_of("ivan@firm.ru")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    user = get_user_model().objects.get(username=LOGIN)
    assert user.email == "ivan@firm.ru"
    assert user.phone == "+79120001122"
    assert user.check_password(PASSWORD)
    assert response.wsgi_request.user == user
    assert not AccessGrant.objects.filter(user=user).exists()
    assert Consent.objects.filter(user=user).exists()
    assert "Привязать договор" in response.content.decode()
    req.refresh_from_db()
    assert req.state == RegistrationRequest.State.APPROVED and req.user == user
    # No «права доступа предоставлены» message: nothing was granted.
    assert not OutboxMessage.objects.filter(kind="registration_approved").exists()

    home = client.get(reverse("customers:home"))
    assert home.status_code == 200
    assert "К личному кабинету пока не привязан ни один договор." in home.content.decode()
    client.logout()
    log_in(client, LOGIN)
    client.logout()
    log_in(client, "ivan@firm.ru")


def test_the_code_of_the_message_works_too(client, db):
    signup(client)
    response = client.post("/accounts/register/code/", {"code": code_for("ivan@firm.ru")})
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    assert get_user_model().objects.filter(username=LOGIN).count() == 1


def test_signed_up_under_moderated_too(client, db, settings):
    """No counterparty is asked for, so there is nothing for an operator to check."""
    settings.LKK_VERIFICATION_POLICY = "moderated"
    signup(client)
    client.get(LINK, {"t": token_of("ivan@firm.ru")})
    assert RegistrationRequest.objects.get().state == RegistrationRequest.State.APPROVED
    assert not AccessGrant.objects.exists()


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


def test_bad_phone(client, db):
    response = signup(client, phone="12")
    assert "+7 и 10 цифр" in response.content.decode()
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
    response = signup(client, consent="")
    assert "Без согласия с Пользовательским соглашением" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_link_reused(client, db):
    signup(client)
    token = token_of("ivan@firm.ru")
    client.get(LINK, {"t": token})
    client.logout()
    response = client.get(LINK, {"t": token})
    assert "Ссылка уже использована" in response.content.decode()
    assert get_user_model().objects.filter(username=LOGIN).count() == 1


def test_link_expired(client, db):
    signup(client)
    token = token_of("ivan@firm.ru")
    ConfirmationCode.objects.update(expires_at="2000-01-01T00:00:00Z")
    response = client.get(LINK, {"t": token})
    assert "Срок действия ссылки истёк" in response.content.decode()
    assert not get_user_model().objects.filter(username=LOGIN).exists()


def test_link_from_another_browser_works(client, db):
    """The token names the request: the link opened on another device finishes the signup."""
    signup(client)
    response = Client().get(LINK, {"t": token_of("ivan@firm.ru")})
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    assert get_user_model().objects.filter(username=LOGIN).count() == 1


def test_a_tampered_link_does_nothing(client, db):
    signup(client)
    response = client.get(LINK, {"t": token_of("ivan@firm.ru") + "x"})
    assert "Ссылка недействительна" in response.content.decode()
    assert not get_user_model().objects.filter(username=LOGIN).exists()


def test_two_signups_for_one_login_make_one_account(client, db):
    """Both drafts get a link; the first used wins, the second is refused at approval."""
    signup(client)
    first = token_of("ivan@firm.ru")
    other = Client()
    signup(other, email="second@firm.ru")
    second = token_of("second@firm.ru")
    client.get(LINK, {"t": first})
    page = other.get(LINK, {"t": second}).content.decode()
    assert "Такой пользователь уже зарегистрирован." in page
    assert get_user_model().objects.filter(username__iexact=LOGIN).count() == 1
