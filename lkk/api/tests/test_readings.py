"""Readings from the app: the site's service behind an Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine

from lkk.api.models import IdempotentAnswer
from lkk.readings.models import Reading, Submission

URL = "/api/v1/readings/"


@pytest.fixture(autouse=True)
def _november_20(settings):
    settings.LKK_READING_WINDOW = "15-25"
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _post(client, body, key):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, format="json", **headers)


def _body(meter, value="1300,5"):
    return {"readings": [{"meter": meter.pk, "values": {"total": value}}]}


def test_same_key_same_body_replays_the_first_answer(api_a, customer_a):
    key = str(uuid.uuid4())
    first = _post(api_a, _body(customer_a.meter), key)
    assert first.status_code == 201, first.json()
    receipt = first.json()
    assert receipt["readings"][0]["value"] == "1300.5000"
    again = _post(api_a, _body(customer_a.meter), key)
    assert again.status_code == 201
    assert again.json() == receipt
    assert again["Idempotent-Replayed"] == "true"
    assert Submission.objects.filter(channel="api").count() == 1
    assert (
        Reading.objects.filter(meter=customer_a.meter, read_on=dt.date(2026, 11, 20)).count() == 1
    )


def test_same_key_other_body_is_422(api_a, customer_a):
    key = "retry-1"
    assert _post(api_a, _body(customer_a.meter), key).status_code == 201
    other = _post(api_a, _body(customer_a.meter, "1400"), key)
    assert other.status_code == 422
    assert other.json()["detail"] == "Этот Idempotency-Key уже использован с другими данными."
    assert (
        Reading.objects.filter(meter=customer_a.meter, read_on=dt.date(2026, 11, 20)).count() == 1
    )


def test_keys_are_per_user(api_a, api_b, customer_a, customer_b):
    assert _post(api_a, _body(customer_a.meter), "shared").status_code == 201
    assert _post(api_b, _body(customer_b.meter), "shared").status_code == 201
    assert IdempotentAnswer.objects.filter(key="shared").count() == 2


def test_missing_key_is_a_field_error(api_a, customer_a):
    response = _post(api_a, _body(customer_a.meter), None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_rules_answer_field_errors_in_russian(api_a, customer_a):
    response = _post(api_a, _body(customer_a.meter, "12,3"), "low")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["readings.0.values.total"]
    assert not Reading.objects.filter(read_on=dt.date(2026, 11, 20)).exists()
    bad = _post(api_a, {"readings": [{"meter": customer_a.meter.pk, "values": {"x": "1"}}]}, "k2")
    assert bad.json()["errors"] == {"readings.0.values": ["Неизвестная зона: x."]}


def test_another_customers_meter_is_the_same_as_a_missing_one(api_b, customer_a):
    foreign = _post(api_b, _body(customer_a.meter), "f1")
    missing = _post(api_b, {"readings": [{"meter": 987654321, "values": {"total": "1"}}]}, "f2")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["errors"] == {"readings.0.meter": ["Прибор учёта не найден."]}
    assert missing.json()["errors"] == foreign.json()["errors"]
    assert not Reading.objects.filter(read_on=dt.date(2026, 11, 20)).exists()


def test_history_and_receipts(api_a, customer_a):
    _post(api_a, _body(customer_a.meter), "h1")
    history = api_a.get(f"/api/v1/meters/{customer_a.meter.pk}/readings/").json()
    assert history["count"] == 2
    assert history["results"][0]["read_on"] == "2026-11-20"
    receipts = api_a.get("/api/v1/receipts/").json()
    assert receipts["count"] == 2


@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800"])
def test_nul_or_lone_surrogate_in_the_body_is_a_400_and_nothing_is_kept(api_a, customer_a, escape):
    # Legal JSON that PostgreSQL cannot store (NUL) or UTF-8 cannot encode (a lone surrogate):
    # schemathesis found the NUL echoed into the kept answer as a 500 on PostgreSQL.
    meter = customer_a.meter.pk
    raw = f'{{"readings": [{{"meter": {meter}, "values": {{"t{escape}": "1"}}}}]}}'
    response = api_a.post(URL, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul")
    assert response.status_code == 400
    assert "недопустимые символы" in response.json()["detail"]
    assert not IdempotentAnswer.objects.filter(key="nul").exists()
