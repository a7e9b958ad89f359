import re

import pytest
from django.conf import settings
from django.urls import reverse

LOGIN = "/accounts/login/"


@pytest.fixture
def person(customer_a):
    return customer_a.user


def test_login_by_username_opens_home_with_name_and_category(client, person, customer_a):
    response = client.post(
        LOGIN, {"username": "customer_a", "password": "correct-horse-42"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("customers:home")
    body = response.content.decode()
    assert customer_a.counterparty.short_name in body
    assert "Юридическое лицо" in body
    assert "Выйти" in body


def test_login_by_email_any_case(client, person):
    response = client.post(
        LOGIN, {"username": "Customer_A@Example.RU", "password": "correct-horse-42"}
    )
    assert response.status_code == 302
    assert response.url == reverse("customers:home")


@pytest.mark.parametrize(
    ("username", "password"),
    [("customer_a", "wrong-password"), ("nobody", "correct-horse-42"), ("", "")],
)
def test_failed_login_says_the_same_for_unknown_and_wrong(client, person, username, password):
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 200
    body = response.content.decode()
    if username:
        assert "Неверный логин или пароль." in body
    else:
        assert "Обязательное поле." in body
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in(client, person):
    person.is_active = False
    person.save()
    response = client.post(LOGIN, {"username": "customer_a", "password": "correct-horse-42"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_session_key_changes_at_login(client, person):
    anonymous = client.session
    anonymous["seen"] = True
    anonymous.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = anonymous.session_key
    client.post(LOGIN, {"username": "customer_a", "password": "correct-horse-42"})
    assert client.session.get("_auth_user_id")
    assert client.session.session_key != anonymous.session_key


def test_without_remember_me_the_session_ends_with_the_browser(client, person):
    client.post(LOGIN, {"username": "customer_a", "password": "correct-horse-42"})
    assert client.session.get_expire_at_browser_close()
    assert client.cookies[settings.SESSION_COOKIE_NAME]["expires"] == ""


def test_remember_me_keeps_the_session(client, person):
    client.post(
        LOGIN, {"username": "customer_a", "password": "correct-horse-42", "remember_me": "on"}
    )
    assert not client.session.get_expire_at_browser_close()
    assert client.cookies[settings.SESSION_COOKIE_NAME]["expires"] != ""


def test_logout_ends_the_session_on_the_server(client, person):
    from django.contrib.sessions.models import Session

    client.post(LOGIN, {"username": "customer_a", "password": "correct-horse-42"})
    key = client.session.session_key
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("customers:home")).status_code == 302


def test_logout_by_get_shows_the_button_and_keeps_the_session(client, person):
    client.force_login(person)
    page = client.get(reverse("accounts:logout"))
    assert page.status_code == 200
    body = page.content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/"', body)
    assert "Выход из личного кабинета" in body
    assert client.get(reverse("customers:home")).status_code == 200


def test_logout_by_get_sends_an_anonymous_visitor_to_login(client):
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")


def test_next_parameter_is_followed_only_within_the_site(client, person):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"username": "customer_a", "password": "correct-horse-42", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.url == reverse("customers:home")


def test_passwords_are_stored_as_argon2_hashes(settings, person):
    from lkk import settings as project_settings

    # The suite swaps in a fast hasher; the project's own list must start with Argon2.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    person.set_password("another-good-passphrase")
    person.save()
    assert person.password.startswith("argon2$argon2id$")
    assert person.check_password("another-good-passphrase")


def test_roles_ensure_command_gives_operators_read_only_rights(db):
    import io

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    out = io.StringIO()
    call_command("roles_ensure", stdout=out)
    codenames = set(
        Group.objects.get(name="Операторы").permissions.values_list("codename", flat=True)
    )
    assert "view_contract" in codenames and "view_reading" in codenames
    assert not any(c.startswith(("add_", "change_", "delete_")) for c in codenames)
    assert "Операторы" in out.getvalue()
