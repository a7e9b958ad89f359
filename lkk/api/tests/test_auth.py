"""Tokens of the app: issued under the site's login rules, hashed, expiring, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from lkk.api.models import ApiToken

PASSWORD = "correct-horse-42"
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def _login(client: APIClient, username: str, password: str, **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )


def test_token_is_issued_for_the_sites_credentials_and_stored_hashed(customer_a):
    client = APIClient()
    response = _login(client, "customer_a", PASSWORD)
    assert response.status_code == 201
    key = response.json()["token"]
    row = ApiToken.objects.get(user=customer_a.user)
    assert key not in row.key_hash and len(row.key_hash) == 64
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    me = client.get(ME_URL)
    assert me.status_code == 200
    assert me.json()["username"] == "customer_a"


def test_wrong_password_is_a_russian_field_level_error(customer_a):
    response = _login(APIClient(), "customer_a", "wrong-password")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Неверный логин или пароль."
    assert body["errors"] == {"non_field_errors": ["Неверный логин или пароль."]}


def test_missing_fields_are_field_errors():
    response = APIClient().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}
    assert "Обязательное поле" in response.json()["errors"]["username"][0]


def test_no_session_cookie_is_accepted(client, customer_a):
    client.force_login(customer_a.user)
    assert client.get(ME_URL).status_code == 401


def test_captcha_then_lockout_apply_to_the_token_endpoint(customer_a):
    client = APIClient()
    for _ in range(3):
        assert _login(client, "customer_a", "wrong").status_code == 400
    # After 3 failures for the account from this address: the captcha is asked first.
    asked = _login(client, "customer_a", PASSWORD)
    assert asked.status_code == 400
    body = asked.json()
    assert "captcha" in body["errors"] and body["captcha_key"]
    assert body["captcha_image"].startswith("/captcha/image/")
    from captcha.models import CaptchaStore

    def solved() -> dict:
        key = CaptchaStore.generate_key()
        return {"captcha_key": key, "captcha": CaptchaStore.objects.get(hashkey=key).response}

    for _ in range(2):
        assert _login(client, "customer_a", "wrong", **solved()).status_code in (400, 429)
    locked = _login(client, "customer_a", PASSWORD, **solved())
    assert locked.status_code == 429
    assert "Слишком много неудачных попыток" in locked.json()["detail"]
    assert not ApiToken.objects.filter(user=customer_a.user).exists()


def test_token_expires(settings, customer_a):
    settings.API_TOKEN_TTL = 3600
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC), tick=False) as clock:
        client = APIClient()
        key = _login(client, "customer_a", PASSWORD).json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        assert client.get(ME_URL).status_code == 200
        clock.shift(dt.timedelta(minutes=59))
        assert client.get(ME_URL).status_code == 200
        clock.shift(dt.timedelta(minutes=2))
        expired = client.get(ME_URL)
        assert expired.status_code == 401
        assert expired.json()["detail"] == "Ключ доступа недействителен или истёк. Войдите снова."


def test_logout_revokes_the_token(customer_a):
    client = APIClient()
    key = _login(client, "customer_a", PASSWORD).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get(ME_URL).status_code == 401


def test_profile_lists_and_revokes_tokens(client, customer_a, customer_b):
    api = APIClient()
    key = _login(api, "customer_a", PASSWORD).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    token = ApiToken.objects.get(user=customer_a.user)
    client.force_login(customer_a.user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'data-testid="api-token"' in page
    # Another user cannot end it.
    client.force_login(customer_b.user)
    client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert api.get(ME_URL).status_code == 200
    client.force_login(customer_a.user)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api.get(ME_URL).status_code == 401


def test_password_change_revokes_tokens(client, customer_a):
    api = APIClient()
    key = _login(api, "customer_a", PASSWORD).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.force_login(customer_a.user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-horse-77",
            "new_password2": "another-horse-77",
        },
    )
    assert response.status_code == 302
    assert api.get(ME_URL).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer nonsense", "Token x"])
def test_bad_headers_are_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_staff_get_no_token(operator):
    response = _login(APIClient(), "operator1", PASSWORD)
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=operator).exists()
