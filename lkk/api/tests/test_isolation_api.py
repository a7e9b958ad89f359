"""Isolation over the API's whole schema, like tests/test_isolation.py over the URL map.

Every path of /api/schema/ is walked: a path with an object is a 404 for another customer (GET
and POST) and for a user granted another contract of the same counterparty; a list shows them
nothing of it. A path this file does not know fails the test.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.core.files.base import ContentFile
from drf_spectacular.generators import SchemaGenerator

from lkk.api.tests.conftest import bearer
from lkk.applications.models import Application, Attachment
from lkk.billing.models import Charge, Document, Payment
from lkk.customers.models import AccessGrant
from lkk.customers.tests.factories import CounterpartyFactory, UserFactory
from lkk.notifications.services import notify
from lkk.outages.models import Subscription
from lkk.readings.models import Submission
from lkk.reports.models import Report
from tests.test_isolation import _application_of, _contract_with_everything

#: The first segment of an object's path → how to find the object of a set of objects.
OBJECTS = {
    "counterparties": lambda o: o["counterparty"].pk,
    "contracts": lambda o: o["contract"].pk,
    "objects": lambda o: o["meter"].metering_point.consumption_object_id,
    "points": lambda o: o["meter"].metering_point_id,
    "meters": lambda o: o["meter"].pk,
    "receipts": lambda o: o["receipt"].pk,
    "charges": lambda o: o["charge"].pk,
    "payments": lambda o: o["payment"].pk,
    "documents": lambda o: o["document"].pk,
    "notifications": lambda o: o["notice"].pk,
    "applications": lambda o: o["application"].pk,
    "application-attachments": lambda o: o["attachment"].pk,
    "reports": lambda o: o["report"].pk,
    "appointments": lambda o: o["visit"].pk,
    "outage-subscriptions": lambda o: o["subscription"].pk,
}
#: (method, path) → the object it acts on, where the segment's object would not do (a draft to
#: edit, delete, submit or add files to; a completed one to rate; a failed report to retry).
OBJECTS_FOR = {
    ("PUT", "/api/v1/applications/{id}/"): lambda o: o["draft"].pk,
    ("DELETE", "/api/v1/applications/{id}/"): lambda o: o["draft"].pk,
    ("POST", "/api/v1/applications/{id}/submit/"): lambda o: o["draft"].pk,
    ("POST", "/api/v1/applications/{id}/attachments/"): lambda o: o["draft"].pk,
    ("POST", "/api/v1/applications/{id}/rate/"): lambda o: o["done"].pk,
    ("POST", "/api/v1/reports/{id}/retry/"): lambda o: o["failed_report"].pk,
}
#: Objects every customer may open (the company's offices, the surveys of an audience: their
#: audience rule is tested in test_outages_surveys_api.py).
SHARED = {"offices", "surveys"}
#: Objects that are their user's own (not a contract's): the clerk finds none of the owner's.
OWN = {"receipts", "reports", "appointments", "outage-subscriptions"}


def _pdf_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("акт.pdf", PDF, content_type="application/pdf")


#: The body (and its format) of a call the owner may make (without it the owner would get a
#: 400, not a 2xx).
BODIES = {
    ("POST", "/api/v1/applications/{id}/messages/"): lambda o: ({"text": "Есть новости?"}, "json"),
    ("PUT", "/api/v1/applications/{id}/"): lambda o: (
        {"contract": o["contract"].pk, "fields": {"subject": "Счёт", "text": "Пересчитайте"}},
        "json",
    ),
    ("POST", "/api/v1/applications/{id}/attachments/"): lambda o: (
        {"slot": "documents", "files": [_pdf_upload()]},
        "multipart",
    ),
    ("POST", "/api/v1/applications/{id}/rate/"): lambda o: (
        {"quality": 5, "availability": 5},
        "json",
    ),
    ("POST", "/api/v1/appointments/{id}/move/"): lambda o: ({"slot": o["free_slot"].pk}, "json"),
}


def _call(client, method: str, path: str, url: str, objects: dict):
    body, format_ = BODIES.get((method, path), lambda o: (None, "json"))(objects)
    return getattr(client, method.lower())(url, body, format=format_)


#: Paths without an object: what they are, for the walker.
LISTS_AND_ACTIONS = {
    "/api/v1/auth/token/",  # anonymous by design: test_auth.py
    "/api/v1/auth/logout/",  # the caller's own token
    "/api/v1/me/",
    "/api/v1/readings/",  # a body names meters: test_readings.py (another's meter = a missing one)
    "/api/v1/notifications/read-all/",  # the caller's own notices
    "/api/v1/outage-subscriptions/my-objects/",  # the addresses of the objects the caller sees
}
#: Lists that read `?contract=`.
FILTERED_BY_CONTRACT = {"objects", "points", "meters", "charges", "payments", "documents",
                        "applications"}  # fmt: skip
#: Lists anyone may read (the public outage search).
PUBLIC_LISTS = {"/api/v1/outages/"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _paths() -> dict[str, list[str]]:
    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    return {path: [m.upper() for m in ops] for path, ops in schema["paths"].items()}


def _everything(user, counterparty, n: int) -> dict[str, object]:
    found = _contract_with_everything(counterparty, n)
    contract = found["contract"]
    found["counterparty"] = counterparty
    found["charge"] = Charge.objects.get(contract=contract)
    found["payment"] = Payment.objects.get(contract=contract)
    document = Document.objects.get(contract=contract)
    document.file.save(f"lim{n}.pdf", ContentFile(PDF), save=True)
    found["document"] = document
    receipt = Submission.objects.create(
        token=uuid.uuid4(), counterparty=counterparty, submitted_by=user, channel="api"
    )
    from lkk.customers.tests.factories import ReadingFactory

    ReadingFactory(meter=found["meter"], submission=receipt, submitted_by=user,
                   read_on=dt.date(2026, 10, 20))  # fmt: skip
    found["receipt"] = receipt
    found["notice"] = notify(user, topic="applications", title=f"Заявка {contract.number}")
    application = _application_of(user, contract)
    mark = f"Заявка-метка LIM{n}"
    Application.objects.filter(pk=application.pk).update(
        status="submitted", number=f"З-2026-9{n:05d}", summary=mark
    )
    found["application"] = application
    found["attachment"] = Attachment.objects.get(application=application)
    found["marks"] = [*found["marks"], mark]
    found["draft"] = Application.objects.create(
        kind="general", counterparty=counterparty, contract=contract, author=user,
        data={"subject": f"Черновик LIM{n}", "text": "Текст"}, summary=f"Черновик LIM{n}",
    )  # fmt: skip
    found["done"] = Application.objects.create(
        kind="connection", counterparty=counterparty, contract=contract, author=user,
        status="done", number=f"З-2026-8{n:05d}", summary=f"Присоединение LIM{n}",
    )  # fmt: skip
    found["marks"] = [*found["marks"], f"Черновик LIM{n}", f"Присоединение LIM{n}", f"Улица LIM{n}"]
    found["report"] = _report(user, counterparty, contract, "done")
    found["failed_report"] = _report(user, counterparty, contract, "failed")
    found["visit"], found["free_slot"] = _visit(user, contract)
    found["subscription"] = Subscription.objects.create(
        user=user, settlement="Рязань", street=f"Улица LIM{n}"
    )
    return found


def _report(user, counterparty, contract, status: str) -> Report:
    report = Report.objects.create(
        owner=user, counterparty=counterparty, kind="consumption", status=status,
        params={"start": "2026-01-01", "end": "2026-03-01", "contracts": [contract.pk]},
        contract_ids=[contract.pk], progress=100 if status == "done" else 0,
        result={"title": "Отчёт", "sections": []},
        expires_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    if status == "done":
        report.xlsx.save(f"r{report.pk}.xlsx", ContentFile(b"PK\x03\x04"), save=False)
        report.pdf.save(f"r{report.pk}.pdf", ContentFile(PDF), save=False)
        report.save()
    return report


def _visit(user, contract):
    """A visit the user booked in two days (changeable), and a free time of the same office."""
    from django.utils import timezone

    from lkk.appointments.models import Appointment, Office, Service, Slot

    service, _ = Service.objects.get_or_create(name="Консультация")
    office, _ = Office.objects.get_or_create(name="Офис", defaults={"address": "г. Рязань"})
    office.services.add(service)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2, minutes=10 * contract.pk)
    slot, free = (
        Slot.objects.create(
            office=office,
            starts_at=start + dt.timedelta(minutes=m),
            ends_at=start + dt.timedelta(minutes=m + 1),
            taken=t,
        )
        for m, t in ((0, 1), (5, 0))
    )
    visit = Appointment.objects.create(
        user=user, office=office, service=service, slot=slot, comment=f"Договор {contract.number}"
    )
    return visit, free


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner, outsider, clerk = (UserFactory(username=n) for n in ("owner", "outsider", "clerk"))
    counterparty = CounterpartyFactory(short_name="ООО «Два договора»")
    AccessGrant.objects.create(user=owner, counterparty=counterparty)
    grant = AccessGrant.objects.create(user=clerk, counterparty=counterparty, all_contracts=False)
    first = _everything(owner, counterparty, 1)
    second = _everything(owner, counterparty, 2)
    grant.contracts.add(first["contract"])
    other_cp = CounterpartyFactory(short_name="ООО «Чужой»")
    AccessGrant.objects.create(user=outsider, counterparty=other_cp)
    _everything(outsider, other_cp, 3)
    return {"owner": owner, "outsider": outsider, "clerk": clerk, "first": first,
            "second": second}  # fmt: skip


def _object_paths() -> list[tuple[str, str]]:
    found = []
    for path, methods in _paths().items():
        if "{id}" not in path:
            assert path in LISTS_AND_ACTIONS or path.rstrip("/").count("/") == 3, path
            continue
        segment = path.split("/")[3]
        if segment in SHARED:
            continue
        assert segment in OBJECTS, f"{path}: the API isolation test does not know this object"
        found.extend((path, method) for method in methods)
    return sorted(found)


OBJECT_PATHS = _object_paths()


def _url(path: str, objects: dict[str, object], method: str = "GET") -> str:
    find = OBJECTS_FOR.get((method, path), OBJECTS[path.split("/")[3]])
    return path.replace("{id}", str(find(objects)))


@pytest.mark.parametrize(
    ("path", "method"), OBJECT_PATHS, ids=[f"{m} {p}" for p, m in OBJECT_PATHS]
)
def test_another_customers_object_is_404(world, path, method):
    first = world["first"]
    if path.startswith("/api/v1/notifications/"):
        first = {**first, "notice": notify(world["outsider"], topic="news", title="x")}
        owner_client = bearer(world["outsider"])
        stranger = bearer(world["owner"])
    else:
        owner_client, stranger = bearer(world["owner"]), bearer(world["outsider"])
    url = _url(path, first, method)
    # The stranger first: the owner's call may change or delete the object.
    answer = _call(stranger, method, path, url, first)
    assert answer.status_code == 404
    assert answer.json()["detail"] == "Не найдено."
    owned = _call(owner_client, method, path, url, first)
    assert owned.status_code in (200, 201, 204), ("the owner reaches it", owned.content[:300])


@pytest.mark.parametrize(
    ("path", "method"), OBJECT_PATHS, ids=[f"{m} {p}" for p, m in OBJECT_PATHS]
)
def test_user_granted_contract_1_finds_nothing_of_contract_2(world, path, method):
    clerk = bearer(world["clerk"])
    if path.startswith("/api/v1/notifications/") or path.startswith("/api/v1/counterparties/"):
        return  # the clerk's own notices; the counterparty is shared by both contracts
    hidden = world["second"]
    answer = _call(clerk, method, path, _url(path, hidden, method), hidden)
    assert answer.status_code == 404, path
    if path.split("/")[3] in OWN:
        return  # the owner's own objects: none is the clerk's
    granted = _call(clerk, method, path, _url(path, world["first"], method), world["first"])
    assert granted.status_code in (200, 201, 204), (path, granted.content[:300])


LIST_PATHS = sorted(p for p, methods in _paths().items() if "{id}" not in p and "GET" in methods)


@pytest.mark.parametrize("path", LIST_PATHS)
def test_lists_show_nothing_of_others(world, path):
    second, first = world["second"], world["first"]
    marks_2 = [m for m in second["marks"] if not m.startswith(("lim2.contact", "+7900", "Контакт"))]
    for who, hidden_marks in (("outsider", marks_2 + first["marks"][:1]), ("clerk", marks_2)):
        client = bearer(world[who])
        text = client.get(path, {"limit": 100}).content.decode()
        for mark in hidden_marks:
            assert mark not in text, f"{who} sees {mark} on {path}"
        ids = set(re.findall(r'"id":(\d+)', text))
        if path == "/api/v1/contracts/":
            assert str(second["contract"].pk) not in ids
        # Narrowed to the hidden contract by a filter: nothing.
        if path.split("/")[3] in FILTERED_BY_CONTRACT:
            narrowed = client.get(path, {"contract": second["contract"].pk})
            assert narrowed.status_code == 200
            assert narrowed.json()["count"] == 0
