"""Reports (R1–R4) through the API: the site's order form, the build, the files, the retry,
the site's visibility rule and the Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lkk.customers.access import scopes_disabled
from lkk.customers.models import AccessGrant
from lkk.customers.tests.factories import ContractFactory
from lkk.reports.models import Report

ORDER = {"kind": "consumption", "start": "2026-01-01", "end": "2026-10-31"}


@pytest.fixture(autouse=True)
def _build_at_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LKK_REPORTS_IN_THREAD = False  # the Celery task, eager: built before the answer


def _order(api, capture, body=None, **headers):
    with capture(execute=True):
        return api.post("/api/v1/reports/", body or ORDER, format="json", headers=headers)


def test_order_build_and_download(api_a, customer_a, django_capture_on_commit_callbacks):
    answer = _order(api_a, django_capture_on_commit_callbacks)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == "consumption" and body["counterparty"] == customer_a.counterparty.pk
    assert (body["start"], body["end"]) == ("2026-01-01", "2026-10-01")
    report_id = body["id"]
    state = api_a.get(f"/api/v1/reports/{report_id}/status/").json()
    assert state == {"status": "done", "status_title": "Готов", "progress": 100}
    detail = api_a.get(f"/api/v1/reports/{report_id}/").json()
    assert detail["files"] == ["xlsx", "pdf"] and detail["result"]["title"]
    listed = api_a.get("/api/v1/reports/").json()
    assert [r["id"] for r in listed["results"]] == [report_id]
    xlsx = api_a.get(f"/api/v1/reports/{report_id}/file/")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    pdf = api_a.get(f"/api/v1/reports/{report_id}/file/", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages[0].extract_text()
    assert "Отчёт о потреблении" in text
    wrong = api_a.get(f"/api/v1/reports/{report_id}/file/", {"format": "doc"})
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {"format": ["Укажите xlsx или pdf."]}
    retry = api_a.post(f"/api/v1/reports/{report_id}/retry/")
    assert retry.status_code == 400
    assert retry.json()["detail"] == "Повторить можно только отчёт, который не сформирован."


def test_bad_orders_get_the_forms_messages(api_a, customer_a, customer_b):
    cases = [
        ({**ORDER, "end": "2025-12-01"}, {"end": ["Конец периода раньше его начала."]}),
        ({**ORDER, "start": "2020-01-01"}, {"end": ["Период отчёта — не больше 36 месяцев."]}),
        ({**ORDER, "contracts": [customer_b.contract.pk]}, "contracts"),
        ({**ORDER, "counterparty": customer_b.counterparty.pk}, "counterparty"),
        ({**ORDER, "kind": "weather"}, "kind"),
        ({**ORDER, "start": "31.01.2026"}, "start"),
        ({"kind": "consumption"}, {"start": ["Обязательное поле."], "end": ["Обязательное поле."]}),
        ({**ORDER, "contracts": "все"}, "contracts"),
    ]
    for body, expected in cases:
        answer = api_a.post("/api/v1/reports/", body, format="json")
        assert answer.status_code == 400, body
        errors = answer.json()["errors"]
        if isinstance(expected, dict):
            assert errors == expected, body
        else:
            assert expected in errors, (body, errors)
    assert not Report.objects.filter(owner=customer_a.user).exists()
    listed = api_a.post("/api/v1/reports/", [ORDER], format="json")
    assert listed.status_code == 400


def test_idempotency_key_orders_once(api_a, customer_a, django_capture_on_commit_callbacks):
    first = _order(api_a, django_capture_on_commit_callbacks, **{"Idempotency-Key": "r-1"})
    again = _order(api_a, django_capture_on_commit_callbacks, **{"Idempotency-Key": "r-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    with scopes_disabled():
        assert Report.objects.filter(owner=customer_a.user).count() == 1
    other = _order(
        api_a, django_capture_on_commit_callbacks, {**ORDER, "kind": "tariff"},
        **{"Idempotency-Key": "r-1"},
    )  # fmt: skip
    assert other.status_code == 422
    assert other.json()["detail"] == "Этот Idempotency-Key уже использован с другими данными."
    blank = _order(api_a, django_capture_on_commit_callbacks, **{"Idempotency-Key": " "})
    assert blank.status_code == 400 and "Idempotency-Key" in blank.json()["errors"]


def test_retry_of_a_failed_report(api_a, customer_a, django_capture_on_commit_callbacks):
    report = Report.objects.create(
        owner=customer_a.user, counterparty=customer_a.counterparty, kind="consumption",
        params={"start": "2026-01-01", "end": "2026-03-01", "contracts": []},
        status="failed", error="boom", expires_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    assert api_a.get(f"/api/v1/reports/{report.pk}/file/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        retried = api_a.post(f"/api/v1/reports/{report.pk}/retry/")
    assert retried.status_code == 200
    report.refresh_from_db()
    assert report.status == "done" and report.error == ""


def test_a_report_over_a_contract_no_longer_granted_is_closed(
    api_a, customer_a, django_capture_on_commit_callbacks
):
    second = ContractFactory(counterparty=customer_a.counterparty, number="R-SECOND")
    body = {**ORDER, "contracts": [customer_a.contract.pk, second.pk]}
    report_id = _order(api_a, django_capture_on_commit_callbacks, body).json()["id"]
    detail = api_a.get(f"/api/v1/reports/{report_id}/").json()
    assert sorted(detail["contracts"]) == sorted([customer_a.contract.number, "R-SECOND"])
    grant = AccessGrant.objects.get(user=customer_a.user)
    grant.all_contracts = False
    grant.save()
    grant.contracts.add(customer_a.contract)
    for path in ("", "file/", "retry/"):
        call = api_a.post if path == "retry/" else api_a.get
        assert call(f"/api/v1/reports/{report_id}/{path}").status_code == 404, path
    # The list keeps the row (as the site's «Мои отчёты») but names no contract of it.
    listed = api_a.get("/api/v1/reports/").content.decode()
    assert "R-SECOND" not in listed
