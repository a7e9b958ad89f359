"""I1: billing's files into the mirror — round trip, idempotence, bad rows, hostile files."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from lkk.billing.models import Document
from lkk.customers.models import (
    AccessGrant,
    Contact,
    Contract,
    Counterparty,
    Meter,
    MeteringPoint,
)
from lkk.demo.seed import load_counterparty
from lkk.exchange import services
from lkk.exchange.importer import import_file
from lkk.exchange.models import ImportBatch
from lkk.exchange.services import import_path, mirror_rows
from lkk.exchange.spec import ENTITIES, ORDER
from lkk.readings.models import Reading, Submission

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mirror(db, media):
    """Demo customers from the seed's builder, a PDF document, hostile text and a contact."""
    ul = load_counterparty(billing_id="RT-UL", index=70001, kind="ul", contracts=2, points=2,
                           today=TODAY)  # fmt: skip
    load_counterparty(billing_id="RT-FL", index=70002, kind="fl", today=TODAY)
    ul.short_name = "=CMD|' /C calc'!A0"
    ul.postal_address = "'+7 — '=не формула; «кавычки» \"двойные\"\nвторая строка"
    ul.save()
    contract = ul.contracts.order_by("pk").first()
    document = Document.objects.filter(contract=contract).first()
    document.file.save("invoice.pdf", ContentFile(PDF))
    Contact.objects.create(billing_id="RT-C1", counterparty=ul, contract=None, kind="email",
                           value="-boss@example.ru", person="@Директор")  # fmt: skip
    return ul


def snapshot() -> dict[str, list[dict]]:
    """Every row of every entity as the exchange sees it (parents by billing_id), PDFs by
    content."""
    from django.core.files.storage import default_storage

    data = {}
    for name in ORDER:
        rows = []
        for row in mirror_rows(ENTITIES[name]):
            if name == "documents":
                stored = Document.objects.get(billing_id=row["billing_id"]).file
                row["file"] = default_storage.open(stored.name).read() if stored else b""
            rows.append(row)
        data[name] = sorted(rows, key=lambda r: r["billing_id"])
    return data


def wipe() -> None:
    """An empty mirror (what depends on it goes too): every entity, children first."""
    Reading.objects.all().delete()
    Submission.objects.all().delete()
    AccessGrant.objects.all().delete()
    for name in reversed(ORDER):
        ENTITIES[name].model.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_restores_every_row_of_every_entity(mirror, tmp_path, fmt):
    out = tmp_path / "dump"
    call_command("export_billing", str(out), "--mirror", "--format", fmt, stdout=io.StringIO())
    before = snapshot()
    assert all(before[name] for name in ORDER), {k: len(v) for k, v in before.items()}
    assert (out / "files").is_dir()
    wipe()
    assert Counterparty.objects.count() == 0

    batches = import_path(out)

    assert [b.entity for b in batches] == list(ORDER)
    for batch in batches:
        assert batch.status == "done", batch.report()
        assert batch.rejected == 0, batch.rejected_rows[:3]
        assert batch.created == batch.rows_total == len(before[batch.entity])
    assert snapshot() == before
    # The copied columns follow their parents.
    for point in MeteringPoint.objects.select_related("contract"):
        assert point.counterparty_id == point.contract.counterparty_id
    for meter in Meter.objects.select_related("metering_point"):
        assert meter.counterparty_id == meter.metering_point.counterparty_id


def _state() -> dict[str, list[tuple]]:
    """The rows as stored, with the time each was last written (synced_at)."""
    state = {}
    for name in ORDER:
        model = ENTITIES[name].model
        fields = [f.attname for f in model._meta.concrete_fields]
        state[name] = sorted(model.objects.values_list(*fields))
    return state


def test_second_import_changes_nothing(mirror, tmp_path):
    out = tmp_path / "dump"
    services.dump_mirror(out)
    wipe()
    first = import_path(out)
    assert sum(b.created for b in first) > 0
    stored = _state()

    second = import_path(out)

    assert [(b.created, b.updated, b.rejected) for b in second] == [(0, 0, 0)] * len(ORDER)
    assert [b.unchanged for b in second] == [b.created for b in first]
    assert _state() == stored  # not one row written (synced_at would move)


def test_a_changed_row_is_updated_and_only_it(mirror, tmp_path):
    out = tmp_path / "dump"
    services.dump_mirror(out)
    contract = Contract.objects.order_by("pk").first()
    text = (out / "contracts.csv").read_text(encoding="utf-8")
    line = next(li for li in text.splitlines() if li.startswith(contract.billing_id + ";"))
    changed = line.replace(";active;", ";suspended;")
    assert changed != line
    (out / "contracts.csv").write_text(text.replace(line, changed), encoding="utf-8")

    (batch,) = import_path(out, entities=("contracts",))

    assert (batch.updated, batch.created, batch.rejected) == (1, 0, 0)
    assert batch.unchanged == Contract.objects.count() - 1
    contract.refresh_from_db()
    assert contract.status == "suspended"


def _batch(entity: str) -> ImportBatch:
    return ImportBatch.objects.create(entity=entity, channel="command", source="test")


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def test_bad_rows_are_rejected_with_line_and_reason_the_rest_go_in(db):
    header = "billing_id;kind;name;short_name;inn;kpp;ogrn"
    data = _csv(
        header,
        "G1;ul;ООО «Один»;Один;7707083893;770701001;1027700132195",  # 2: good
        "B1;ul;ООО «Два»;Два;7707083890;770701001;",  # 3: bad ИНН checksum
        "B2;ul;;Три;;;",  # 4: name missing
        "B3;xx;ООО «Четыре»;Четыре;;;",  # 5: kind not a choice
        "B4;ul;ООО «Пять»;Пять;;77070100;",  # 6: КПП too short
        "G1;ul;ООО «Дубль»;Дубль;;;",  # 7: the same billing_id again
        "B5;ul;ООО «Шесть»;Шесть;;;1027700132190",  # 8: bad ОГРН
        "G2;fl;Иванов Иван;Иванов И.;;;",  # 9: good
        "B6;ul;ООО;О",  # 10: too few values
    )
    batch = import_file("counterparties", data, fmt="csv", name="counterparties.csv",
                        batch=_batch("counterparties"))  # fmt: skip
    assert (batch.rows_total, batch.created, batch.rejected) == (9, 2, 7)
    reasons = {r["line"]: r["reason"] for r in batch.rejected_rows}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 10}
    assert "ИНН" in reasons[3] and "контрольное число" in reasons[3]
    assert reasons[4].startswith("name: не заполнено обязательное поле")
    assert "kind: недопустимое значение «xx»" in reasons[5]
    assert "КПП" in reasons[6]
    assert "уже был в строке 2" in reasons[7]
    assert "ОГРН" in reasons[8]
    assert "значений в строке" in reasons[10]
    assert set(Counterparty.objects.values_list("billing_id", flat=True)) == {"G1", "G2"}


def test_wrong_types_unknown_parents_and_constraints(db):
    import_file("counterparties", _csv("billing_id;kind;name;short_name", "P1;ul;ООО;О"),
                fmt="csv", name="c.csv", batch=_batch("counterparties"))  # fmt: skip
    header = (
        "billing_id;counterparty;number;signed_on;kind;status;price_category;voltage_level;"
        "max_power_kw"
    )
    data = _csv(
        header,
        "K1;P1;100/1;2024-01-10;supply;active;1;NN;15.5",  # 2: good
        "K2;P1;100/2;10.01.2024;supply;active;1;NN;15",  # 3: date not ISO
        "K3;P1;100/3;2024-01-10;supply;active;один;NN;15",  # 4: not an integer
        "K4;P1;100/4;2024-01-10;supply;active;1;NN;15,5",  # 5: decimal comma
        "K5;NOPE;100/5;2024-01-10;supply;active;1;NN;15",  # 6: unknown parent
        "K6;P1;100/1;2024-01-10;supply;active;1;NN;15",  # 7: number taken (unique)
        "K7;P1;100/7;2024-01-10;supply;active;9;NN;15",  # 8: price category 9 (choices)
        "K8;P1;100/8;2024-02-30;supply;active;1;NN;15",  # 9: no such date
        "K9;P1;100/9;2024-01-10;supply;active;1;NN;-1",  # 10: negative power (validator)
        "K10;P1;100/10;2024-01-10;supply;active;1;NN;7",  # 11: good
    )
    batch = import_file(
        "contracts", data, fmt="csv", name="contracts.csv", batch=_batch("contracts")
    )
    reasons = {r["line"]: r["reason"] for r in batch.rejected_rows}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 10}, reasons
    assert "ГГГГ-ММ-ДД" in reasons[3]
    assert "целое число" in reasons[4]
    assert "с точкой" in reasons[5]
    assert "counterparty: нет записи с billing_id NOPE" in reasons[6]
    assert "отклонено базой данных" in reasons[7]
    assert set(Contract.objects.values_list("billing_id", flat=True)) == {"K1", "K10"}
    assert Contract.objects.get(billing_id="K1").max_power_kw == Decimal("15.5")


def test_json_rows_are_checked_the_same_way(db):
    rows = [
        {"billing_id": "J1", "kind": "ul", "name": "ООО", "short_name": "О", "inn": "7707083893"},
        {"billing_id": "J2", "kind": "ul", "name": "ООО", "short_name": "О", "inn": 7707083890},
        ["not", "an", "object"],
        {"billing_id": "J3", "kind": "ul", "name": "ООО", "short_name": "О", "extra": 1},
        {"billing_id": None, "kind": "ul", "name": "ООО", "short_name": "О"},
    ]
    batch = import_file("counterparties", json.dumps(rows).encode(), fmt="json", name="c.json",
                        batch=_batch("counterparties"))  # fmt: skip
    assert batch.created == 1
    assert {r["line"] for r in batch.rejected_rows} == {2, 3, 4, 5}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "billing_id;kind;name;short_name\r\nX;ul;ООО «Ёж»;Ёж\r\n".encode("cp1251"),
            "не в кодировке UTF-8",
        ),
        (b"billing_id,kind,name,short_name\r\nX,ul,A,B\r\n", "точкой с запятой"),
        (b"billing_id;kind;name;short_name;secret\r\n", "неизвестные колонки secret"),
        (b"billing_id;kind;name\r\n", "нет обязательных колонок short_name"),
        (b"", "пустой"),
    ],
)
def test_a_refused_file_says_why_and_imports_nothing(db, data, message):
    batch = import_file("counterparties", data, fmt="csv", name="counterparties.csv",
                        batch=_batch("counterparties"))  # fmt: skip
    assert batch.status == "failed"
    assert message in batch.error
    assert Counterparty.objects.count() == 0


def test_oversized_files_are_refused(db, tmp_path, settings):
    settings.LKK_EXCHANGE_MAX_BYTES = 100
    (tmp_path / "counterparties.csv").write_text(
        "billing_id;kind;name;short_name\n" + "X;ul;A;B\n" * 20
    )
    (batch,) = import_path(tmp_path)
    assert batch.status == "failed"
    assert "больше" in batch.error
    # A zip is judged by what it unpacks to.
    archive = tmp_path / "in.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("counterparties.csv", "billing_id;kind;name;short_name\n" + " " * 10_000)
    with pytest.raises(Exception, match="больше"):
        import_path(archive)


def test_documents_take_only_pdf_files_from_beside_the_data(db, media, tmp_path):
    contract = load_counterparty(billing_id="D-UL", index=70003, today=TODAY).contracts.first()
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "ok.pdf").write_bytes(PDF)
    (tmp_path / "files" / "fake.pdf").write_bytes(b"<html><script>alert(1)</script>")
    (tmp_path / "secret.txt").write_text("x")
    head = "billing_id;contract;kind;number;issued_on;amount;file"
    (tmp_path / "documents.csv").write_bytes(_csv(
        head,
        f"N1;{contract.billing_id};invoice;X-1;2026-10-03;10.00;files/ok.pdf",
        f"N2;{contract.billing_id};invoice;X-2;2026-10-03;10.00;files/fake.pdf",
        f"N3;{contract.billing_id};invoice;X-3;2026-10-03;10.00;../secret.txt",
        f"N4;{contract.billing_id};invoice;X-4;2026-10-03;10.00;files/missing.pdf",
        f"N5;{contract.billing_id};invoice;X-5;2026-10-03;10.00;/etc/passwd",
    ))  # fmt: skip
    (batch,) = import_path(tmp_path)
    reasons = {r["billing_id"]: r["reason"] for r in batch.rejected_rows}
    assert batch.created == 1
    assert "не PDF" in reasons["N2"]
    assert "относительный путь" in reasons["N3"] and "относительный путь" in reasons["N5"]
    assert "не найден" in reasons["N4"]
    assert Document.objects.get(billing_id="N1").file.read() == PDF
    # The same file again: unchanged; another PDF: updated.
    (again,) = import_path(tmp_path)
    assert (again.unchanged, again.updated) == (1, 0)
    (tmp_path / "files" / "ok.pdf").write_bytes(PDF + b"%more\n")
    (third,) = import_path(tmp_path)
    assert third.updated == 1
    assert Document.objects.get(billing_id="N1").file.read() == PDF + b"%more\n"


def test_the_command_reports_and_shows_a_progress_bar(mirror, tmp_path):
    out = tmp_path / "dump"
    services.dump_mirror(out)
    archive = tmp_path / "dump.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in out.rglob("*"):
            if path.is_file():
                z.write(path, path.relative_to(out).as_posix())
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_billing", str(archive), stdout=stdout, stderr=stderr)
    assert "rows/s" in stdout.getvalue()
    assert "unchanged" in stdout.getvalue()
    assert "█" in stderr.getvalue()


def test_exported_csv_neutralises_formulas_and_reads_them_back(mirror, tmp_path):
    out = tmp_path / "dump"
    services.dump_mirror(out)
    text = (out / "counterparties.csv").read_text(encoding="utf-8")
    assert ";'=CMD|' /C calc'!A0;" in text
    assert ";=CMD" not in text
    contacts = (out / "contacts.csv").read_text(encoding="utf-8")
    assert "'-boss@example.ru" in contacts and "'@Директор" in contacts


def test_path_must_exist(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import_billing", str(tmp_path / "nowhere"), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_billing", str(Path(tmp_path)), stdout=io.StringIO())


def test_a_customers_reading_sent_back_by_billing_gets_its_id_instead_of_a_duplicate(db):
    from lkk.customers.tests.factories import ReadingFactory

    mine = ReadingFactory(read_on=dt.date(2026, 10, 25), value=Decimal("1234.5"), to_export=True)
    meter = mine.meter
    data = _csv(
        "billing_id;meter;zone;value;read_on",
        f"BR-1;{meter.billing_id};total;1234.5;2026-10-25",
        f"BR-2;{meter.billing_id};total;1300;2026-11-25",
    )
    batch = import_file("readings", data, fmt="csv", name="readings.csv", batch=_batch("readings"))
    assert (batch.created, batch.updated, batch.rejected) == (1, 1, 0), batch.rejected_rows
    mine.refresh_from_db()
    assert (mine.billing_id, mine.status, mine.source) == ("BR-1", "taken", "billing")
    assert Reading.objects.filter(meter=meter).count() == 2
