"""The exchange API: billing's token only (no session counts), JSON reports, size limits."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from lkk.customers.models import Counterparty
from lkk.customers.tests.factories import ReadingFactory
from lkk.exchange.models import ExportBatch, ImportBatch
from lkk.readings.models import Reading

pytestmark = pytest.mark.django_db

TOKEN = "b" * 40
CSV = "billing_id;kind;name;short_name;inn\r\nA1;ul;ООО «Один»;Один;7707083893\r\nA2;ul;;Два;\r\n"


@pytest.fixture(autouse=True)
def tokens(settings):
    settings.LKK_EXCHANGE_TOKENS = {"billing": TOKEN}


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def url(entity: str = "counterparties") -> str:
    return reverse("exchange:api_import", kwargs={"entity": entity})


def test_import_needs_the_token(client, customer_a, operator):
    post = lambda **kw: client.post(url(), CSV, content_type="text/csv", **kw)  # noqa: E731
    assert post().status_code == 401
    assert post().headers["WWW-Authenticate"].startswith("Bearer")
    assert post(**auth("x" * 40)).status_code == 403
    assert post(HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    client.force_login(customer_a.user)  # a customer's session is no credential here
    assert post().status_code == 401
    client.force_login(operator)  # nor an operator's (sent to the second factor first)
    assert post().status_code in (302, 401)
    assert not Counterparty.objects.filter(billing_id="A1").exists()
    assert ImportBatch.objects.count() == 0


def test_export_and_ack_need_the_token(client, customer_a):
    client.force_login(customer_a.user)
    export = reverse("exchange:api_export", kwargs={"source": "readings"})
    assert client.get(export).status_code == 401
    assert client.get(export, **auth("x" * 40)).status_code == 403
    batch = ExportBatch.objects.create(source="readings", channel="api")
    ack = reverse("exchange:api_export_ack", kwargs={"batch_id": batch.pk})
    assert client.post(ack, {"all": True}, content_type="application/json").status_code == 401
    assert ExportBatch.objects.count() == 1


def test_no_token_is_configured_means_no_access(client, settings):
    settings.LKK_EXCHANGE_TOKENS = {}
    response = client.post(url(), CSV, content_type="text/csv", **auth())
    assert response.status_code == 403


def test_csv_import_answers_a_report(client):
    response = client.post(url(), CSV, content_type="text/csv; charset=utf-8", **auth())
    assert response.status_code == 200
    report = response.json()
    assert (report["created"], report["rejected"]) == (1, 1)
    assert report["rejected_rows"] == [
        {"line": 3, "billing_id": "A2", "reason": "name: не заполнено обязательное поле"}
    ]
    assert ImportBatch.objects.get(pk=report["batch"]).system == "billing"
    again = client.post(url(), CSV, content_type="text/csv", **auth()).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)


def test_json_and_zip_bodies(client):
    rows = [{"billing_id": "J1", "kind": "fl", "name": "Иванов", "short_name": "Иванов"}]
    response = client.post(url(), json.dumps(rows), content_type="application/json", **auth())
    assert response.json()["created"] == 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("counterparties.csv", CSV)
    response = client.post(url(), buffer.getvalue(), content_type="application/zip", **auth())
    assert response.json()["created"] == 1


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (CSV.encode("cp1251"), "text/csv", 400, "не в кодировке UTF-8"),
        (b"<xml/>", "application/xml", 400, "text/csv"),
        (b'{"not": "an array"}', "application/json", 400, "массив"),
        (b"PK\x03\x04garbage", "application/zip", 400, "ZIP"),
    ],
)
def test_refused_bodies_say_why(client, body, content_type, status, message):
    response = client.post(url(), body, content_type=content_type, **auth())
    assert response.status_code == status
    assert message in response.json()["error"]


def test_oversized_bodies_are_refused_before_reading(client, settings):
    settings.LKK_EXCHANGE_MAX_BYTES = 50
    response = client.post(url(), CSV, content_type="text/csv", **auth())
    assert response.status_code == 413
    assert "больше" in response.json()["error"]


def test_unknown_entity_and_method(client):
    assert client.post(url("users"), CSV, content_type="text/csv", **auth()).status_code == 404
    assert client.get(url(), **auth()).status_code == 405


def test_export_and_ack_through_the_api(client, db):
    reading = ReadingFactory(to_export=True)
    export = reverse("exchange:api_export", kwargs={"source": "readings"})
    first = client.get(export, **auth()).json()
    assert [r["id"] for r in first["rows"]] == [reading.pk]
    assert first["rows"][0]["meter"] == reading.meter.billing_id
    second = client.get(export, **auth()).json()
    assert [r["id"] for r in second["rows"]] == [reading.pk]  # not acknowledged: again
    ack = reverse("exchange:api_export_ack", kwargs={"batch_id": second["batch"]})
    for bad in ("nope", {"ids": ["1"]}, {"ids": [True]}, {"ids": [2**70]}, [1, 2]):
        body = bad if isinstance(bad, str) else json.dumps(bad)
        assert client.post(ack, body, content_type="application/json", **auth()).status_code == 400
    report = client.post(ack, {"ids": [reading.pk]}, content_type="application/json", **auth())
    assert report.json()["acked"] == 1
    assert client.get(export, **auth()).json()["rows"] == []
    reading.refresh_from_db()
    assert reading.exported_at is not None
    missing = reverse("exchange:api_export_ack", kwargs={"batch_id": 999999})
    assert (
        client.post(missing, {"all": True}, content_type="application/json", **auth()).status_code
        == 404
    )
    assert (
        client.get(reverse("exchange:api_export", kwargs={"source": "x"}), **auth()).status_code
        == 404
    )
    assert Reading.objects.filter(exported_at__isnull=True, to_export=True).count() == 0


# --- the operators' pages ------------------------------------------------------------------------


def test_operators_see_the_batches_and_rejected_rows(client, operator, customer_a):
    from lkk.accounts.tests.helpers import otp_login

    client.post(url(), CSV, content_type="text/csv", **auth())
    batch = ImportBatch.objects.get()
    client.force_login(customer_a.user)
    assert client.get(reverse("exchange:batch_list")).status_code == 404
    assert client.get(reverse("exchange:batch_detail", kwargs={"pk": batch.pk})).status_code == 404
    otp_login(client, operator)
    page = client.get(reverse("exchange:batch_list"))
    assert page.status_code == 200
    assert "counterparties" in page.content.decode()
    detail = client.get(reverse("exchange:batch_detail", kwargs={"pk": batch.pk})).content.decode()
    assert "name: не заполнено обязательное поле" in detail
    assert "A2" in detail
    assert client.get(reverse("exchange:batch_detail", kwargs={"pk": 999999})).status_code == 404
    assert client.post(reverse("exchange:batch_list")).status_code == 405
