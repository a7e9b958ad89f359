"""I2: customers' readings to billing, each row exactly once (acknowledged, never lost)."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from lkk.applications.models import Application, Status
from lkk.customers.tests.factories import (
    ContractFactory,
    MeterFactory,
    ReadingFactory,
    UserFactory,
)
from lkk.exchange import services
from lkk.exchange.models import ExportBatch, ExportItem
from lkk.readings.models import Reading


@pytest.fixture
def waiting(db):
    """Three readings customers entered, waiting for billing; one already taken earlier."""
    meter = MeterFactory(billing_id="=CMD|' /C calc'!A0")
    rows = [
        ReadingFactory(meter=meter, read_on=f"2026-0{m}-25", value=Decimal(100 * m), to_export=True)
        for m in (1, 2, 3)
    ]
    ReadingFactory(
        meter=meter, read_on="2025-12-25", to_export=True, exported_at="2026-01-01T00:00Z"
    )
    ReadingFactory(meter=meter, read_on="2025-11-25", to_export=False)
    return rows


def ids(batch: ExportBatch) -> list[int]:
    return [row["id"] for row in services.batch_rows(batch)]


def test_an_export_without_ack_gives_the_same_rows_again(waiting):
    first = services.export_batch("readings", channel="api")
    assert ids(first) == [r.pk for r in waiting]
    assert not Reading.objects.filter(exported_at__isnull=False, pk__in=ids(first)).exists()

    second = services.export_batch("readings", channel="api")  # billing never acknowledged
    assert second.pk != first.pk
    assert ids(second) == ids(first)


def test_acknowledged_rows_never_appear_again(waiting):
    batch = services.export_batch("readings", channel="api")
    result = services.ack(batch, [waiting[0].pk, waiting[1].pk, 999999])
    assert result.acked == [waiting[0].pk, waiting[1].pk]
    assert result.unknown == [999999]
    again = services.ack(batch, [waiting[0].pk])  # the same acknowledgement twice: harmless
    assert again.acked == [] and again.already == [waiting[0].pk]

    nxt = services.export_batch("readings", channel="api")
    assert ids(nxt) == [waiting[2].pk]
    services.ack(nxt, None)
    assert ids(services.export_batch("readings", channel="api")) == []
    assert Reading.objects.filter(to_export=True, exported_at__isnull=True).count() == 0
    assert ExportBatch.objects.get(pk=nxt.pk).acked_at is not None


def test_a_crash_before_the_ack_loses_nothing_and_duplicates_nothing(waiting, monkeypatch):
    # The export dies after the rows were read, before its batch is stored: nothing changed.
    def boom(*args, **kwargs):
        raise RuntimeError("crash")

    monkeypatch.setattr(ExportItem.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        services.export_batch("readings", channel="api")
    monkeypatch.undo()
    assert ExportBatch.objects.count() == 0

    # A batch sent and lost on the way (billing never acknowledged it): resent whole.
    lost = services.export_batch("readings", channel="api")
    resent = services.export_batch("readings", channel="api")
    assert ids(resent) == ids(lost) == [r.pk for r in waiting]
    assert len(set(ids(resent))) == len(ids(resent))
    # Billing acknowledges the resent batch; the lost one's late ack changes nothing more.
    services.ack(resent, None)
    late = services.ack(lost, None)
    assert late.acked == [] and sorted(late.already) == [r.pk for r in waiting]
    assert (
        Reading.objects.filter(pk__in=[r.pk for r in waiting], exported_at__isnull=True).count()
        == 0
    )


def test_a_row_corrected_after_export_is_not_marked_by_the_old_ack(waiting):
    batch = services.export_batch("readings", channel="api")
    reading = waiting[0]
    reading.value = Decimal("150.00")
    reading.save()
    result = services.ack(batch, None)
    assert result.changed == [reading.pk]
    nxt = services.export_batch("readings", channel="api")
    assert ids(nxt) == [reading.pk]
    assert services.batch_rows(nxt)[0]["value"] == "150.0000"


def test_the_command_writes_a_batch_with_formulas_neutralised_and_acks_it(waiting, tmp_path):
    out = io.StringIO()
    call_command("export_billing", str(tmp_path), stdout=out)
    batch = ExportBatch.objects.get(source="readings")
    text = (tmp_path / f"readings-{batch.pk}.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "id;meter;zone;value;read_on;source;created_at"
    assert ";'=CMD|' /C calc'!A0;" in text
    assert ";=CMD" not in text
    call_command("export_billing", "--ack", str(batch.pk), stdout=io.StringIO())
    assert Reading.objects.filter(to_export=True, exported_at__isnull=True).count() == 0
    call_command("export_billing", str(tmp_path), "--format", "json", stdout=io.StringIO())
    assert ExportBatch.objects.filter(source="readings").latest("pk").rows_count == 0


# --- two exports at once (PostgreSQL) -----------------------------------------------------------


def _twenty_waiting(source: str) -> None:
    if source == "readings":
        meter = MeterFactory()
        for day in range(1, 21):
            ReadingFactory(meter=meter, read_on=f"2026-03-{day:02d}", to_export=True)
        return
    contract = ContractFactory()
    author = UserFactory()
    Application.objects.bulk_create(
        Application(
            kind="invoice",
            counterparty=contract.counterparty,
            contract=contract,
            author=author,
            status=Status.SUBMITTED,
            number=f"2026-{n:06d}",
        )
        for n in range(1, 21)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("source", ["readings", "applications"])
def test_two_exports_at_once_never_share_a_row(source):
    assert connection.vendor == "postgresql", "run on PostgreSQL (scripts/services.py --postgres)"
    _twenty_waiting(source)
    locked, release = threading.Event(), threading.Event()
    batches: dict[str, ExportBatch] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                batches["first"] = services.export_batch(source, channel="api", limit=12)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert locked.wait(30)
    try:
        batches["second"] = services.export_batch(source, channel="api")
    finally:
        release.set()
        thread.join(30)
    one, two = set(ids(batches["first"])), set(ids(batches["second"]))
    assert len(one) == 12 and len(two) == 8
    assert not one & two
