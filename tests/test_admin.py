"""The back office: operators read the billing mirror, admins edit it, customers are refused."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def otp_login(client, user) -> None:
    """Logs an operator or admin in the whole way: the password, then the TOTP code step."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(reverse("accounts:otp_verify"), {"code": f"{code:06d}"})
    assert response.status_code == 302, "the TOTP step must accept the current code"


def test_staff_without_the_second_factor_do_not_reach_the_back_office(client, operator):
    TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    client.force_login(operator)
    response = client.get(reverse("admin:customers_contract_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_verify"))


@pytest.mark.parametrize(("app", "model"), MIRROR)
def test_operator_reads_but_cannot_edit(client, operator, customer_a, app, model):
    otp_login(client, operator)
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403


def test_operator_sees_a_contract_read_only(client, operator, customer_a):
    otp_login(client, operator)
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
    otp_login(client, admin_user)
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200


def test_admin_edits_a_contract(client, admin_user, customer_a):
    otp_login(client, admin_user)
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

    otp_login(client, admin_user)
    url = reverse("admin:customers_meter_changelist")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    MeterFactory.create_batch(20)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)
