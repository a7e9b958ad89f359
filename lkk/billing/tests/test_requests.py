"""B3: «Запросить акт сверки» and «Запросить копии документов» go in as applications."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from lkk.applications.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _link(html: str, title: str) -> str:
    found = re.search(rf'href="([^"]+)">{title}</a>', html)
    assert found, f"no link «{title}»"
    return found.group(1).replace("&amp;", "&")


def test_a_reconciliation_act_is_requested_from_the_contracts_finances(client, money_a):
    customer = money_a
    client.force_login(customer.user)
    finance = client.get(reverse("billing:contract", args=[customer.contract.pk])).content.decode()
    url = _link(finance, "Запросить акт сверки")
    assert url == f"/applications/new/reconciliation/?contract={customer.contract.pk}"

    form = client.get(url).content.decode()
    # The contract comes chosen: the customer fills in only the period.
    assert re.search(rf'<option value="{customer.contract.pk}" selected', form)
    sent = client.post(
        url,
        {
            "contract": customer.contract.pk,
            "period_from": "2026-01-01",
            "period_to": "2026-06-30",
            "submit": "1",
        },
    )
    assert sent.status_code == 302
    application = Application.objects.get(kind="reconciliation")
    assert application.contract_id == customer.contract.pk
    assert application.number.startswith("З-")
    listing = client.get(reverse("applications:list")).content.decode()
    assert application.number in listing and "Акт сверки" in listing


def test_copies_are_requested_from_the_documents(client, money_a):
    customer = money_a
    client.force_login(customer.user)
    documents = client.get(
        reverse("billing:documents"), {"contract": customer.contract.pk}
    ).content.decode()
    url = _link(documents, "Запросить копии документов")
    assert url == f"/applications/new/doc_copies/?contract={customer.contract.pk}"
    assert client.get(url).status_code == 200


def test_a_prefilled_contract_of_another_customer_is_not_chosen(client, money_a, customer_b):
    client.force_login(customer_b.user)
    form = client.get(
        reverse("applications:create", args=["reconciliation"]),
        {"contract": money_a.contract.pk},
    )
    assert form.status_code == 200
    assert money_a.contract.number not in form.content.decode()
