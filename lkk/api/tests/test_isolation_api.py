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
from lkk.readings.models import Submission
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
}
#: The body of a POST the owner may send (without it the owner would get a 400, not a 201).
BODIES = {"/api/v1/applications/{id}/messages/": {"text": "Есть новости?"}}
#: Paths without an object: what they are, for the walker.
LISTS_AND_ACTIONS = {
    "/api/v1/auth/token/",  # anonymous by design: test_auth.py
    "/api/v1/auth/logout/",  # the caller's own token
    "/api/v1/me/",
    "/api/v1/readings/",  # a body names meters: test_readings.py (another's meter = a missing one)
    "/api/v1/notifications/read-all/",  # the caller's own notices
}
#: Lists that read `?contract=`.
FILTERED_BY_CONTRACT = {"objects", "points", "meters", "charges", "payments", "documents",
                        "applications"}  # fmt: skip
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
    return found


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
        assert segment in OBJECTS, f"{path}: the API isolation test does not know this object"
        found.extend((path, method) for method in methods)
    return sorted(found)


OBJECT_PATHS = _object_paths()


def _url(path: str, objects: dict[str, object]) -> str:
    return path.replace("{id}", str(OBJECTS[path.split("/")[3]](objects)))


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
    url = _url(path, first)
    body = BODIES.get(path) if method == "POST" else None
    call = getattr(owner_client, method.lower())
    assert call(url, body, format="json").status_code in (200, 201), "the owner reaches it"
    answer = getattr(stranger, method.lower())(url, body, format="json")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "Не найдено."


@pytest.mark.parametrize(
    ("path", "method"), OBJECT_PATHS, ids=[f"{m} {p}" for p, m in OBJECT_PATHS]
)
def test_user_granted_contract_1_finds_nothing_of_contract_2(world, path, method):
    clerk = bearer(world["clerk"])
    if path.startswith("/api/v1/notifications/") or path.startswith("/api/v1/counterparties/"):
        return  # the clerk's own notices; the counterparty is shared by both contracts
    hidden = {**world["second"]}
    if path.startswith("/api/v1/receipts/"):
        # The owner's receipt of contract 2 is the owner's own: the clerk finds none of it.
        pass
    body = BODIES.get(path) if method == "POST" else None
    answer = getattr(clerk, method.lower())(_url(path, hidden), body, format="json")
    assert answer.status_code == 404, path
    granted = getattr(clerk, method.lower())(
        _url(path, world["first"]) if not path.startswith("/api/v1/receipts/") else "/api/v1/me/",
        body,
        format="json",
    )
    assert granted.status_code in (200, 201)


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
