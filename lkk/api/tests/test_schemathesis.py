"""schemathesis over the whole OpenAPI schema, against a populated database (P1 acceptance).

Every operation of /api/schema/ is called with generated data through the Django WSGI app, as a
customer with a token and as an anonymous client: no 5xx, and every answer conforms to the
schema (status code, content type, headers, body). A few examples per operation keep the run
short on a shared machine.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from lkk.api.tests.conftest import bearer
from lkk.applications.models import Application, Attachment, Message
from lkk.applications.services import application_submit
from lkk.billing.models import Charge, Document, Payment
from lkk.notifications.services import notify

EXAMPLES = 12
#: Operations open without a key: the login, the public outage search.
PUBLIC = {"/api/v1/auth/token/", "/api/v1/outages/"}


@pytest.fixture
def api_schema(db):
    raw = Client().get("/api/schema/?format=json").json()
    return schemathesis.from_dict(raw, app=WSGIHandler())


schema = schemathesis.from_pytest_fixture("api_schema")


@pytest.fixture
def populated(customer_a, customer_b, settings, tmp_path):
    """Customer A with money, a document with its file, notices and an application with a
    message and a file; B as a neighbour."""
    settings.MEDIA_ROOT = tmp_path
    contract = customer_a.contract
    Charge.objects.create(billing_id="S-CH", contract=contract, period=dt.date(2026, 9, 1),
                          kwh=Decimal("10.000"), amount=Decimal("100.00"))  # fmt: skip
    Payment.objects.create(billing_id="S-P", contract=contract, paid_on=dt.date(2026, 10, 5),
                           amount=Decimal("100.00"))  # fmt: skip
    document = Document.objects.create(billing_id="S-D", contract=contract, kind="invoice",
                                       number="S-1", issued_on=dt.date(2026, 9, 30),
                                       amount=Decimal("100.00"))  # fmt: skip
    document.file.save("s-1.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    for n in range(3):
        notify(customer_a.user, topic="news", title=f"Новость {n}")
    application = Application.objects.create(
        kind="general", counterparty=customer_a.counterparty, contract=contract,
        author=customer_a.user, data={"subject": "Счёт", "text": "Пересчитайте"},
    )  # fmt: skip
    application_submit(application=application, user=customer_a.user)
    message = Message.objects.create(application=application, author=customer_a.user, text="?")
    attachment = Attachment(application=application, message=message, uploaded_by=customer_a.user,
                            name="акт.pdf", content_type="application/pdf", size=15)  # fmt: skip
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    _services_of(customer_a)
    # The WSGI handler closes "old" connections after each request; the test's transaction
    # must outlive them (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield customer_a
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _services_of(customer) -> None:
    """An office with free times and a visit, a report, a survey, an outage, a subscription."""
    from django.utils import timezone

    from lkk.appointments.models import Appointment, Office, Service, Slot
    from lkk.outages.models import Outage, Subscription
    from lkk.reports.models import Report
    from lkk.surveys.models import Question, Survey

    now = timezone.now().replace(microsecond=0)
    service = Service.objects.create(name="Консультация")
    office = Office.objects.create(name="Офис", address="г. Рязань")
    office.services.add(service)
    slots = [
        Slot.objects.create(office=office, starts_at=now + dt.timedelta(days=2, hours=h),
                            ends_at=now + dt.timedelta(days=2, hours=h, minutes=30))
        for h in range(3)
    ]  # fmt: skip
    Appointment.objects.create(user=customer.user, office=office, service=service, slot=slots[0])
    Report.objects.create(
        owner=customer.user, counterparty=customer.counterparty, kind="consumption",
        status="failed", params={"start": "2026-01-01", "end": "2026-02-01", "contracts": []},
        expires_at=now + dt.timedelta(days=30),
    )  # fmt: skip
    survey = Survey.objects.create(title="Опрос", status="open")
    Question.objects.create(survey=survey, kind="scale", text="Оценка")
    Outage(settlement="Рязань", street="Ленина", published=True, starts_at=now,
           ends_at=now + dt.timedelta(hours=2)).save()  # fmt: skip
    Subscription.objects.create(user=customer.user, settlement="Рязань", street="Ленина")


FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FAST
def test_api_as_customer(case, populated):
    client = bearer(populated.user)  # a fresh token: «logout» among the cases revokes its own
    # In the case's own headers, so that schemathesis' auth check can take it away again.
    case.headers = {
        **(case.headers or {}),
        "Authorization": client._credentials["HTTP_AUTHORIZATION"],
    }
    response = case.call_wsgi()
    case.validate_response(response)


@schema.parametrize()
@FAST
def test_api_anonymous(case, populated):
    response = case.call_wsgi()
    case.validate_response(response)
    if case.path not in PUBLIC:
        assert response.status_code == 401
