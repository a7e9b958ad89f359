"""Writes of S3: outages entered or imported by operators, subscriptions, notices.

A published outage notifies its subscribers in a Celery task queued after the commit
(`outage_notify`): the subscriptions of its street are read in one query and every user is
notified once per outage (`dedup_key`), however often the outage is saved.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record
from lkk.core.errors import ApplicationError
from lkk.customers.models import ConsumptionObject
from lkk.notifications.services import notify
from lkk.outages import addresses
from lkk.outages.models import Outage, Subscription

FIELDS = (
    "district",
    "settlement",
    "street",
    "houses",
    "starts_at",
    "ends_at",
    "reason",
    "published",
)


def _audit(*, actor, request, action: str, outage: Outage) -> None:
    audit_record(
        kind=AuditEvent.Kind.OPERATOR_ACTION,
        request=request,
        actor=actor,
        details={
            "action": action,
            "outage": outage.pk,
            "address": str(outage),
            "published": outage.published,
        },
    )


def _validate(outage: Outage) -> None:
    if not addresses.name_key(outage.settlement):
        raise ApplicationError(_("Укажите населённый пункт."), field="settlement")
    if not addresses.name_key(outage.street):
        raise ApplicationError(_("Укажите улицу."), field="street")
    try:
        addresses.parse_houses(outage.houses)
    except ValueError as error:
        raise ApplicationError(_("Дома: %(reason)s.") % {"reason": error}, field="houses") from None
    if outage.ends_at <= outage.starts_at:
        raise ApplicationError(_("Окончание должно быть позже начала."), field="ends_at")


def _queue_notify(outage: Outage) -> None:
    from lkk.outages.tasks import outage_notify

    transaction.on_commit(lambda: outage_notify.delay(outage.pk), robust=True)


@transaction.atomic
def outage_save(*, actor, data: dict, outage: Outage | None = None, request=None) -> Outage:
    """Creates or changes an outage; a published one notifies its subscribers (once each)."""
    outage = outage or Outage(created_by=actor)
    created = outage.pk is None
    for name in FIELDS:
        setattr(outage, name, data[name])
    _validate(outage)
    outage.save()
    _audit(
        actor=actor,
        request=request,
        action="outage_add" if created else "outage_change",
        outage=outage,
    )
    if outage.published:
        _queue_notify(outage)
    return outage


# --- CSV import -----------------------------------------------------------------------------

#: Columns of the import file, in order (the template's head row).
CSV_COLUMNS = ("район", "населённый пункт", "улица", "дома", "начало", "окончание", "причина")
_DATETIME_FORMATS = ("%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
MAX_IMPORT_ROWS = 5000


@dataclass
class ImportResult:
    added: list[Outage] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


class _Semicolon(csv.excel):
    delimiter = ";"


def _moment(text: str) -> dt.datetime | None:
    for fmt in _DATETIME_FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(text.strip(), fmt))
        except ValueError:
            continue
    return None


def csv_template() -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(
        (
            "Советский",
            "г. Рязань",
            "ул. Ленина",
            "1-15, 17, 19а",
            "01.12.2026 09:00",
            "01.12.2026 17:00",
            "Ремонт ТП-12",
        )
    )
    return out.getvalue()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(_("Файл должен быть в кодировке UTF-8 или Windows-1251."), field="file")


@transaction.atomic
def outages_import(*, actor, data: bytes, publish: bool, request=None) -> ImportResult:
    """Adds the outages of a CSV file (`;` or `,` between columns, CSV_COLUMNS); a row that
    cannot be read is listed with its line and reason and the others go in, in one transaction."""
    # PostgreSQL text cannot hold NUL, and no address has one.
    text = _decode(data).replace("\x00", "")
    try:
        dialect = csv.Sniffer().sniff(text[:2000], delimiters=";,")
    except csv.Error:
        dialect = _Semicolon
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error:
        message = _("Файл не читается как CSV. Скачайте шаблон.")
        raise ApplicationError(message, field="file") from None
    if not rows:
        raise ApplicationError(_("Файл пуст."), field="file")
    head = [addresses.fold(c) for c in rows[0]]
    if head[: len(CSV_COLUMNS)] != [addresses.fold(c) for c in CSV_COLUMNS]:
        raise ApplicationError(
            _("Первая строка должна содержать столбцы: %(columns)s. Скачайте шаблон.")
            % {"columns": "; ".join(CSV_COLUMNS)},
            field="file",
        )
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ApplicationError(
            _("Не больше %(n)s строк в одном файле.") % {"n": MAX_IMPORT_ROWS}, field="file"
        )
    result = ImportResult()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(CSV_COLUMNS):
            result.rejected.append((line, _("не хватает столбцов")))
            continue
        district, settlement, street, houses, start, end, reason = (c.strip() for c in row[:7])
        starts_at, ends_at = _moment(start), _moment(end)
        if starts_at is None or ends_at is None:
            result.rejected.append(
                (line, _("дата и время — в виде ДД.ММ.ГГГГ ЧЧ:ММ, например 01.12.2026 09:00"))
            )
            continue
        outage = Outage(
            district=district[:200],
            settlement=settlement[:200],
            street=street[:200],
            houses=houses[:1000],
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason[:500],
            published=publish,
            created_by=actor,
        )
        try:
            _validate(outage)
        except ApplicationError as error:
            result.rejected.append((line, error.message))
            continue
        outage.save()
        result.added.append(outage)
    audit_record(
        kind=AuditEvent.Kind.OPERATOR_ACTION,
        request=request,
        actor=actor,
        details={
            "action": "outages_import",
            "added": len(result.added),
            "rejected": len(result.rejected),
            "published": publish,
        },
    )
    if publish:
        for outage in result.added:
            _queue_notify(outage)
    return result


# --- Subscriptions and notices --------------------------------------------------------------


def subscription_add(*, user, settlement: str, street: str, house: str = "") -> Subscription:
    if not addresses.name_key(settlement):
        raise ApplicationError(_("Укажите населённый пункт."), field="settlement")
    if not addresses.name_key(street):
        raise ApplicationError(_("Укажите улицу."), field="street")
    if house.strip() and not addresses.house_key(house):
        raise ApplicationError(
            _("Укажите номер дома, например 19а, или оставьте поле пустым."), field="house"
        )
    existing = Subscription.objects.filter(
        user=user,
        settlement_key=addresses.name_key(settlement),
        street_key=addresses.name_key(street),
        house_key=addresses.house_key(house),
    ).first()
    if existing:
        return existing
    return Subscription.objects.create(
        user=user, settlement=settlement.strip(), street=street.strip(), house=house.strip()
    )


def subscription_delete(*, user, subscription: Subscription) -> None:
    """Removes one of the user's own subscriptions (the caller found it through visible_to)."""
    Subscription.objects.filter(pk=subscription.pk, user_id=user.pk).delete()


def subscriptions_of_my_objects(*, user) -> int:
    """Subscribes the user to the address of every consumption object he sees; returns how
    many addresses were added (an address already subscribed is skipped)."""
    added = 0
    for address in (
        ConsumptionObject.objects.visible_to(user).values_list("address", flat=True).distinct()
    ):
        parts = addresses.split_address(address)
        if parts is None:
            continue
        before = Subscription.objects.filter(user=user).count()
        subscription_add(user=user, settlement=parts[0], street=parts[1], house=parts[2])
        added += Subscription.objects.filter(user=user).count() - before
    return added


def outage_subscribers(outage: Outage) -> list[int]:
    """Ids of the users with a subscription the outage covers: one query for the street, the
    houses checked in Python (a list of up to a thousand houses)."""
    rows = Subscription.objects.filter(
        settlement_key=outage.settlement_key, street_key=outage.street_key
    ).values_list("user_id", "house_key")
    return sorted({user_id for user_id, house in rows if outage.covers(house)})


def outage_notify(outage_id: int) -> int:
    """Notifies every subscriber of a published outage once (dedup_key per outage and user)."""
    from django.contrib.auth import get_user_model

    outage = Outage.objects.filter(pk=outage_id, published=True).first()
    if outage is None:
        return 0
    ids = outage_subscribers(outage)
    start = timezone.localtime(outage.starts_at)
    end = timezone.localtime(outage.ends_at)
    title = _("Плановое отключение: %(address)s, %(when)s") % {
        "address": f"{outage.settlement}, {outage.street}",
        "when": f"{date_format(start.date(), 'd.m.Y')} {start:%H:%M}–{end:%H:%M}"
        if start.date() == end.date()
        else f"{date_format(start.date(), 'd.m.Y')} {start:%H:%M} – "
        f"{date_format(end.date(), 'd.m.Y')} {end:%H:%M}",
    }
    body = _("Дома: %(houses)s. %(reason)s") % {
        "houses": outage.houses or _("вся улица"),
        "reason": outage.reason,
    }
    query = urlencode({"settlement": outage.settlement, "street": outage.street})
    url = f"{reverse('outages:list')}?{query}"
    sent = 0
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk")
    for user in users.iterator(chunk_size=500):
        notify(
            user,
            topic="outages",
            title=title,
            body=body.strip(),
            url=url,
            dedup_key=f"outage:{outage.pk}:{user.pk}",
        )
        sent += 1
    return sent
