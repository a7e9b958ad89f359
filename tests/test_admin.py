"""The back office: operators read the billing mirror, admins edit it, customers are refused."""

import pytest
from django.urls import reverse

MIRROR = [
    ("customers", "counterparty"),
    ("customers", "contract"),
    ("customers", "consumptionobject"),
    ("customers", "meteringpoint"),
    ("customers", "meter"),
    ("customers", "contact"),
    ("readings", "reading"),
    ("readings", "submission"),
    ("readings", "correction"),
    ("readings", "bulkupload"),
    ("billing", "charge"),
    ("billing", "payment"),
    ("billing", "document"),
]


@pytest.mark.parametrize(("app", "model"), MIRROR)
def test_operator_reads_but_cannot_edit(client, operator, customer_a, app, model):
    client.force_login(operator)
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403


def test_operator_sees_a_contract_read_only(client, operator, customer_a):
    client.force_login(operator)
    url = reverse("admin:customers_contract_change", args=[customer_a.contract.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert customer_a.contract.number in page.content.decode()
    assert 'name="number"' not in page.content.decode()
    response = client.post(url, {"number": "HACKED"})
    assert response.status_code == 403
    customer_a.contract.refresh_from_db()
    assert customer_a.contract.number != "HACKED"


@pytest.mark.parametrize(("app", "model"), MIRROR)
def test_admin_can_open_every_mirror_model(client, admin_user, customer_a, app, model):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200


def test_admin_edits_a_contract(client, admin_user, customer_a):
    client.force_login(admin_user)
    url = reverse("admin:customers_contract_change", args=[customer_a.contract.pk])
    assert 'name="number"' in client.get(url).content.decode()


def test_customer_is_refused_from_the_back_office(client, customer_a):
    client.force_login(customer_a.user)
    response = client.get(reverse("admin:customers_contract_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_admin_lists_have_a_fixed_query_count(client, admin_user, customer_a, customer_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lkk.customers.tests.factories import MeterFactory

    client.force_login(admin_user)
    url = reverse("admin:customers_meter_changelist")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    MeterFactory.create_batch(20)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)
