"""Consent to the agreement (A8, SECURITY.md "Personal data")."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lkk.accounts.models import Agreement, Consent
from lkk.accounts.services.consent import agreement_current, consent_withdraw
from lkk.audit.models import AuditEvent
from lkk.customers.tests.factories import UserFactory

LOGIN = "/accounts/login/"


def _login(client, username):
    return client.post(
        LOGIN,
        {"username": username, "password": "correct-horse-42"},
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux) Test",
        REMOTE_ADDR="203.0.113.7",
    )


@pytest.mark.django_db
def test_agreement_text_is_public():
    from django.test import Client

    page = Client().get(reverse("accounts:agreement")).content.decode()
    assert "152-ФЗ" in page and "Редакция 1.0" in page


@pytest.mark.django_db
def test_user_without_consent_must_accept_before_any_page(client):
    UserFactory(username="newcomer", consent=False)
    response = _login(client, "newcomer")
    home = client.get(reverse("customers:home"))
    assert home.status_code == 302 and home.url.startswith(reverse("accounts:consent"))
    refused = client.post(
        reverse("accounts:consent"), {"next": "/"}, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux) Test"
    )
    assert "Без согласия пользоваться личным кабинетом нельзя." in refused.content.decode()
    assert not Consent.objects.exists()
    accepted = client.post(
        reverse("accounts:consent"),
        {"accept": "on", "next": "/contracts/"},
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux) Test",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    assert accepted.status_code == 302 and accepted.url == "/contracts/"
    consent = Consent.objects.get(user__username="newcomer")
    agreement = agreement_current()
    assert consent.agreement == agreement and consent.sha256 == agreement.sha256
    assert consent.ip == "203.0.113.7" and "Mozilla" in consent.user_agent
    assert consent.accepted_at <= timezone.now()
    assert AuditEvent.objects.filter(kind="consent_given", user=consent.user).exists()
    assert client.get(reverse("customers:home")).status_code == 200


@pytest.mark.django_db
def test_a_new_version_asks_again_at_next_login(client):
    user = UserFactory(username="regular")
    assert _login(client, "regular").status_code == 302
    assert client.get(reverse("customers:home")).status_code == 200
    Agreement.objects.create(
        version="2.0",
        title="Соглашение",
        text="Новая редакция.",
        published_at=timezone.now() + dt.timedelta(seconds=1),
    )
    # The session already open goes on; the next login asks.
    assert client.get(reverse("customers:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    _login(client, "regular")
    assert client.get(reverse("customers:home")).url.startswith(reverse("accounts:consent"))
    client.post(reverse("accounts:consent"), {"accept": "on"})
    assert set(user.consents.values_list("agreement__version", flat=True)) == {"1.0", "2.0"}


@pytest.mark.django_db
def test_withdrawal_is_logged_and_asks_again(client):
    user = UserFactory(username="leaving")
    consent_withdraw(user=user, request=None)
    assert Consent.objects.get(user=user).withdrawn_at is not None
    assert AuditEvent.objects.filter(kind="consent_withdrawn", user=user).exists()
    _login(client, "leaving")
    assert client.get(reverse("customers:home")).url.startswith(reverse("accounts:consent"))


@pytest.mark.django_db
def test_consent_page_does_not_redirect_elsewhere(client):
    UserFactory(username="newcomer", consent=False)
    _login(client, "newcomer")
    response = client.post(
        reverse("accounts:consent"), {"accept": "on", "next": "https://evil.example/"}
    )
    assert response.url == "/"
