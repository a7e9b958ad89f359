"""I2: customers' applications of the kinds billing processes, to billing exactly once per status
(acknowledged, never lost; a new status goes again)."""

from __future__ import annotations

import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from lkk.applications.models import Application, Status
from lkk.applications.services import application_transition
from lkk.customers.tests.factories import ContractFactory, UserFactory
from lkk.exchange import services
from lkk.exchange.models import ApplicationExported, ExportBatch, ExportItem

TOKEN = "b" * 40


def make(contract, author, kind: str, number: str, status: str = Status.SUBMITTED, **data):
    return Application.objects.create(
        kind=kind,
        counterparty=contract.counterparty,
        contract=contract,
        author=author,
        status=status,
        number=number if status != Status.DRAFT else "",
        registered_at="2026-03-02T09:00Z" if status != Status.DRAFT else None,
        data=data,
    )


@pytest.fixture
def waiting(db):
    """Three submitted applications of billing kinds; a draft, a complaint and one billing
    already took in its current status do not wait."""
    contract = ContractFactory(billing_id="=CMD|' /C calc'!A0")
    author = UserFactory(username="kab", email="kab@example.ru", phone="+79001234567")
    rows = [
        make(contract, author, "invoice", "2026-000001", period="2026-02-01", amount="1500.00"),
        make(contract, author, "reconciliation", "2026-000002", date_from="2026-01-01"),
        make(contract, author, "requisites", "2026-000003", bank="ПАО «Банк»", bik="044525225"),
    ]
    make(contract, author, "invoice", "", status=Status.DRAFT)
    make(contract, author, "complaint", "2026-000004", text="Жалоба")
    taken = make(contract, author, "doc_copies", "2026-000005")
    ApplicationExported.objects.create(
        application=taken, status=Status.SUBMITTED, exported_at="2026-03-03T00:00Z"
    )
    return rows


@pytest.fixture
def operator_user(db):
    return UserFactory(username="op-exchange", is_staff=True)


def ids(batch: ExportBatch) -> list[int]:
    return [row["id"] for row in services.batch_rows(batch)]


def test_the_rows_carry_what_billing_needs(waiting):
    batch = services.export_batch("applications", channel="api")
    assert ids(batch) == [a.pk for a in waiting]
    row = services.batch_rows(batch)[0]
    assert set(row) == set(services.EXPORT_SOURCES["applications"].header)
    assert row["number"] == "2026-000001" and row["kind"] == "invoice"
    assert row["status"] == "submitted"
    assert row["contract"] == "=CMD|' /C calc'!A0"
    assert row["counterparty"] == waiting[0].counterparty.billing_id
    assert json.loads(row["data"]) == {"period": "2026-02-01", "amount": "1500.00"}
    assert row["contact_email"] == "kab@example.ru"
    assert row["contact_phone"] == "+79001234567"
    assert row["contact_name"] == "Тестов Иван"
    assert row["registered_at"].startswith("2026-03-02T09:00")


def test_an_export_without_ack_gives_the_same_rows_again(waiting):
    first = services.export_batch("applications", channel="api")
    second = services.export_batch("applications", channel="api")  # never acknowledged
    assert second.pk != first.pk
    assert ids(second) == ids(first) == [a.pk for a in waiting]
    assert not ApplicationExported.objects.filter(application__in=waiting).exists()


def test_acknowledged_rows_never_appear_again(waiting):
    batch = services.export_batch("applications", channel="api")
    result = services.ack(batch, [waiting[0].pk, waiting[1].pk, 999999])
    assert result.acked == [waiting[0].pk, waiting[1].pk]
    assert result.unknown == [999999]
    again = services.ack(batch, [waiting[0].pk])  # the same acknowledgement twice: harmless
    assert again.acked == [] and again.already == [waiting[0].pk]

    nxt = services.export_batch("applications", channel="api")
    assert ids(nxt) == [waiting[2].pk]
    services.ack(nxt, None)
    assert ids(services.export_batch("applications", channel="api")) == []
    assert ExportBatch.objects.get(pk=nxt.pk).acked_at is not None
    assert ApplicationExported.objects.filter(status=Status.SUBMITTED).count() == 4


def test_a_crash_before_the_ack_loses_nothing_and_duplicates_nothing(waiting, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("crash")

    monkeypatch.setattr(ExportItem.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        services.export_batch("applications", channel="api")
    monkeypatch.undo()
    assert ExportBatch.objects.count() == 0

    lost = services.export_batch("applications", channel="api")
    resent = services.export_batch("applications", channel="api")
    assert ids(resent) == ids(lost) == [a.pk for a in waiting]
    services.ack(resent, None)
    late = services.ack(lost, None)
    assert late.acked == [] and sorted(late.already) == [a.pk for a in waiting]
    assert ids(services.export_batch("applications", channel="api")) == []


def test_a_new_status_after_the_ack_goes_again_once(waiting, operator_user):
    services.ack(services.export_batch("applications", channel="api"), None)
    with time_machine.travel("2026-03-10 12:00 +0300", tick=False):
        application_transition(
            application=waiting[1], actor=operator_user, to=Status.IN_WORK, by_operator=True
        )
        application_transition(
            application=waiting[1], actor=operator_user, to=Status.DONE, by_operator=True
        )
    batch = services.export_batch("applications", channel="api")
    assert ids(batch) == [waiting[1].pk]
    row = services.batch_rows(batch)[0]
    assert row["status"] == "done" and row["closed_at"].startswith("2026-03-10T09:00")
    services.ack(batch, None)
    assert ids(services.export_batch("applications", channel="api")) == []
    assert ApplicationExported.objects.get(application=waiting[1]).status == Status.DONE


def test_a_status_changed_between_export_and_ack_is_not_marked_by_the_old_ack(
    waiting, operator_user
):
    batch = services.export_batch("applications", channel="api")
    application_transition(
        application=waiting[0], actor=operator_user, to=Status.IN_WORK, by_operator=True
    )
    result = services.ack(batch, None)
    assert result.changed == [waiting[0].pk]
    assert result.acked == [waiting[1].pk, waiting[2].pk]
    nxt = services.export_batch("applications", channel="api")
    assert ids(nxt) == [waiting[0].pk]
    assert services.batch_rows(nxt)[0]["status"] == "in_work"


def test_the_command_writes_both_sources_with_formulas_neutralised(waiting, tmp_path):
    out = io.StringIO()
    call_command("export_billing", str(tmp_path), "--source", "applications", stdout=out)
    batch = ExportBatch.objects.get(source="applications")
    text = (tmp_path / f"applications-{batch.pk}.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "id;number;registered_at;kind;status;counterparty;contract;data;"
        "contact_name;contact_email;contact_phone;closed_at"
    )
    assert ";'=CMD|' /C calc'!A0;" in text and ";=CMD" not in text
    call_command("export_billing", "--ack", str(batch.pk), stdout=io.StringIO())
    call_command("export_billing", str(tmp_path), "--format", "json", stdout=io.StringIO())
    latest = ExportBatch.objects.filter(source="applications").latest("pk")
    assert latest.rows_count == 0
    assert ExportBatch.objects.filter(source="readings").exists()  # every source by default
    assert json.loads((tmp_path / f"applications-{latest.pk}.json").read_text()) == []


def test_export_and_ack_through_the_api(client, waiting, settings):
    settings.LKK_EXCHANGE_TOKENS = {"billing": TOKEN}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    export = reverse("exchange:api_export", kwargs={"source": "applications"})
    assert export == "/exchange/v1/export/applications/"
    assert client.get(export).status_code == 401
    client.force_login(waiting[0].author)  # a customer's session is no credential
    assert client.get(export).status_code == 401
    first = client.get(export, **auth).json()
    assert first["source"] == "applications" and first["count"] == 3
    assert [r["id"] for r in first["rows"]] == [a.pk for a in waiting]
    ack = reverse("exchange:api_export_ack", kwargs={"batch_id": first["batch"]})
    answer = client.post(ack, {"all": True}, content_type="application/json", **auth).json()
    assert answer["acked"] == 3
    assert client.get(export, **auth).json()["rows"] == []
