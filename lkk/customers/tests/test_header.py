"""Who is logged in, top left (issue 8, point 6): the person, the category, the counterparty."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from lkk.customers.models import AccessGrant, Counterparty
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory


def _who(client) -> str:
    page = client.get(reverse("customers:contract_list")).content.decode()
    block = re.search(r'data-testid="who">(.*?)<a class="btn btn-link', page, re.S)[1]
    return re.sub(r"\s+", " ", block)


def _customer(kind: str, **user: str):
    cp = CounterpartyFactory(kind=kind, short_name="ЗАО «Севермаш»")
    ContractFactory(counterparty=cp)
    person = UserFactory(**user)
    AccessGrant.objects.create(user=person, counterparty=cp, all_contracts=True)
    return person, cp


@pytest.mark.parametrize(("kind", "abbr"), [("ul", "ЮЛ"), ("ip", "ИП"), ("fl", "ФЛ")])
def test_the_person_the_category_and_the_counterparty_apart(client, db, kind, abbr):
    person, _cp = _customer(kind, last_name="Морозова", first_name="Ольга", middle_name="Ивановна")
    client.force_login(person)
    who = _who(client)
    assert '<span class="fw-semibold lkk-who-name">Морозова Ольга Ивановна</span>' in who
    title = Counterparty.Kind(kind).label
    assert (
        f'<abbr class="small text-body-secondary lkk-who-category" title="{title}">{abbr}<' in who
    )
    assert '<div class="small lkk-who-counterparty">ЗАО «Севермаш»</div>' in who


def test_without_a_name_the_login_not_the_email(client, db):
    """A ЮЛ's representative registered without a ФИО: the header names the login; the profile's
    «ФИО» says there is none rather than showing the email."""
    person, _cp = _customer("ul", username="severmash", email="boss@severmash.ru",
                            first_name="", last_name="")  # fmt: skip
    client.force_login(person)
    who = _who(client)
    assert '<span class="fw-semibold lkk-who-name">severmash</span>' in who
    assert "boss@severmash.ru" not in who
    profile = client.get(reverse("accounts:profile")).content.decode()
    fio = re.search(r"ФИО</dt><dd[^>]*>(.*?)</dd>", profile)[1]
    assert fio == "—"
