"""S3: addresses in their comparable form, search by street and house, entry and CSV import by
operators, notices to the subscribers an outage covers, subscriptions."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lkk.audit.models import AuditEvent
from lkk.core.errors import ApplicationError
from lkk.notifications.models import Notification
from lkk.outages import addresses, selectors, services
from lkk.outages.models import Outage, Subscription

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
START = dt.datetime(2026, 12, 3, 9, 0, tzinfo=MSK)


def _outage(street: str = "ул. Ленина", houses: str = "1-15, 17, 19а", **extra) -> Outage:
    fields = {
        "settlement": "г. Рязань",
        "street": street,
        "houses": houses,
        "starts_at": START,
        "ends_at": START + dt.timedelta(hours=8),
        "reason": "Ремонт ТП-12",
        "published": True,
        **extra,
    }
    outage = Outage(**fields)
    outage.save()
    return outage


# --- Addresses --------------------------------------------------------------------------------


def test_keys_ignore_case_yo_and_type_words():
    assert addresses.name_key("Ул. Лёни  Голикова") == "лени голикова"
    assert addresses.name_key("г.Рязань") == "рязань"
    assert addresses.house_key("Д. 19 А") == "19а"
    assert addresses.house_key("корпус") == ""
    assert addresses.split_address("Рязанская обл., г. Рязань, ул. Ленина, д. 5") == (
        "г. Рязань",
        "ул. Ленина",
        "5",
    )


def test_houses_list_with_ranges_and_letters():
    assert addresses.parse_houses("1-3, 17, 19а; 2") == ["1", "2", "3", "17", "19а"]
    assert addresses.parse_houses("") == []
    for bad, reason in (("15-1", "неверен"), ("1-x", "двух номеров"), ("абв", "не номер дома")):
        with pytest.raises(ValueError, match=reason):
            addresses.parse_houses(bad)


@given(
    low=st.integers(1, 300),
    span=st.integers(0, 50),
    letter=st.sampled_from(["", "а", "б", "А"]),
    extra=st.integers(1, 999),
)
def test_a_house_in_the_list_is_found_and_others_are_not(low, span, letter, extra):
    houses = addresses.parse_houses(f"{low}-{low + span}, {extra}{letter}")
    tokens = addresses.house_tokens(houses)
    for number in (low, low + span, low + span // 2):
        assert f"|{addresses.house_key(str(number))}|" in tokens
    assert f"|{addresses.house_key(f'{extra}{letter}')}|" in tokens
    outside = low + span + 1
    if outside != extra or letter:
        assert f"|{outside}|" not in tokens
    if letter:
        assert f"|{low}{letter.lower()}|" not in tokens or extra == low


# --- Search -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_by_street_and_house():
    listed = _outage()
    whole = _outage(street="ул. Садовая", houses="")
    _outage(street="ул. Ленина", houses="40-50")
    _outage(street="ул. Ленина", houses="", published=False)

    def found(**query) -> set[int]:
        return set(selectors.outages_search(**query).values_list("pk", flat=True))

    assert listed.pk in found(street="ленин", house="7")
    assert found(street="ЛЕНИНА", house="16") == set()
    assert found(street="Ленина", house="19 А") == {listed.pk}
    assert found(street="ленина", house="19б") == set()
    assert found(street="садовая", house="250") == {whole.pk}
    assert found(settlement="рязань", street="Садовая") == {whole.pk}
    assert found(street="Ленина", house="нет такого") == set()
    assert found(date_from=dt.date(2026, 12, 4)) == set()
    assert found(date_to=dt.date(2026, 12, 3), street="садов") == {whole.pk}


@pytest.mark.django_db
def test_public_list_is_open_and_its_query_count_is_fixed(client):
    _outage()
    url = reverse("outages:list")
    response = client.get(url, {"street": "лЕнина", "house": "19а"})
    assert response.status_code == 200
    assert "Ремонт ТП-12" in response.content.decode()
    counts = []
    for n in (1, 60):
        Outage.objects.bulk_create(
            Outage(
                settlement="г. Рязань",
                street=f"ул. №{i}",
                starts_at=START,
                ends_at=START + dt.timedelta(hours=1),
                published=True,
            )
            for i in range(n)
        )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"page": "2"}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == 2


# --- Operators --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_outage_save_checks_houses_and_audits(operator):
    data = {
        "district": "",
        "settlement": "г. Рязань",
        "street": "ул. Ленина",
        "houses": "1-15, кв",
        "starts_at": START,
        "ends_at": START + dt.timedelta(hours=2),
        "reason": "",
        "published": False,
    }
    with pytest.raises(ApplicationError, match="«кв» — не номер дома") as error:
        services.outage_save(actor=operator, data=data)
    assert error.value.field == "houses"
    outage = services.outage_save(actor=operator, data={**data, "houses": "1-15"})
    assert AuditEvent.objects.filter(actor=operator, details__action="outage_add").exists()
    assert outage.created_by == operator


CSV = (
    "район;населённый пункт;улица;дома;начало;окончание;причина\n"
    "Советский;г. Рязань;ул. Ленина;1-15, 17;01.12.2026 09:00;01.12.2026 17:00;Ремонт\n"
    "Советский;г. Рязань;ул. Ленина;15-1;01.12.2026 09:00;01.12.2026 17:00;Ремонт\n"
    "Советский;г. Рязань;;1;01.12.2026 09:00;01.12.2026 17:00;Ремонт\n"
    "Советский;г. Рязань;ул. Мира;;завтра;01.12.2026 17:00;Ремонт\n"
    "Советский;г. Рязань;ул. Мира;;2026-12-02 10:00;2026-12-02 12:00;Замена опор\n"
)


@pytest.mark.django_db(transaction=True)
def test_csv_import_takes_good_rows_and_names_bad_lines(operator, customer_a):
    Subscription.objects.create(user=customer_a.user, settlement="Рязань", street="Мира")
    result = services.outages_import(actor=operator, data=CSV.encode("cp1251"), publish=True)
    assert [o.street for o in result.added] == ["ул. Ленина", "ул. Мира"]
    assert [line for line, _ in result.rejected] == [3, 4, 5]
    assert "неверен" in result.rejected[0][1]
    assert "Укажите улицу" in result.rejected[1][1]
    assert "ДД.ММ.ГГГГ" in result.rejected[2][1]
    notice = Notification.objects.get(user=customer_a.user, topic="outages")
    assert "ул. Мира" in notice.title


@pytest.mark.django_db
def test_csv_with_wrong_head_is_refused(operator):
    with pytest.raises(ApplicationError, match="Скачайте шаблон"):
        services.outages_import(actor=operator, data=b"a;b;c\n1;2;3\n", publish=False)
    assert not Outage.objects.exists()
    assert services.csv_template().startswith("район;населённый пункт;улица")


# --- Notices ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_published_outage_notifies_the_subscribers_it_covers_once(operator, customer_a, customer_b):
    Subscription.objects.create(
        user=customer_a.user, settlement="Рязань", street="Ленина", house="19А"
    )
    Subscription.objects.create(
        user=customer_b.user, settlement="Рязань", street="Ленина", house="16"
    )
    data = {
        "district": "",
        "settlement": "г. Рязань",
        "street": "ул. Лёнина".replace("ё", "е"),
        "houses": "1-15, 17, 19а",
        "starts_at": START,
        "ends_at": START + dt.timedelta(hours=8),
        "reason": "Ремонт",
        "published": True,
    }
    outage = services.outage_save(actor=operator, data=data)
    services.outage_save(actor=operator, data=data, outage=outage)
    assert Notification.objects.filter(user=customer_a.user, topic="outages").count() == 1
    assert not Notification.objects.filter(user=customer_b.user).exists()
    customer_a.user.refresh_from_db()
    assert customer_a.user.unread_notifications == 1


@pytest.mark.django_db
def test_notify_reads_the_subscribers_in_one_query(operator, django_user_model):
    outage = _outage(houses="")
    users = [django_user_model.objects.create(username=f"s{i}") for i in range(30)]
    Subscription.objects.bulk_create(
        Subscription(
            user=u,
            settlement="Рязань",
            street="Ленина",
            settlement_key="рязань",
            street_key="ленина",
            house_key=str(i),
        )
        for i, u in enumerate(users)
    )
    with CaptureQueriesContext(connection) as ctx:
        ids = services.outage_subscribers(outage)
    assert len(ids) == 30 and len(ctx.captured_queries) == 1


# --- Subscriptions ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_subscribe_to_my_objects_and_to_any_address(client, customer_a, customer_b):
    client.force_login(customer_a.user)
    url = reverse("outages:subscriptions")
    client.post(url, {"action": "objects"})
    assert list(
        Subscription.objects.filter(user=customer_a.user).values_list(
            "settlement", "street", "house"
        )
    ) == [("г. Рязань", "ул. Садовая", "5")]
    client.post(url, {"action": "objects"})
    assert Subscription.objects.filter(user=customer_a.user).count() == 1
    bad = client.post(url, {"action": "add", "settlement": "Рязань", "street": "", "house": ""})
    assert "Укажите улицу." in bad.content.decode()
    client.post(url, {"action": "add", "settlement": "Касимов", "street": "Мира", "house": ""})
    assert Subscription.objects.filter(user=customer_a.user).count() == 2
    own = Subscription.objects.filter(user=customer_a.user).first()
    client.force_login(customer_b.user)
    delete = reverse("outages:subscription_delete", args=[own.pk])
    assert client.post(delete).status_code == 404
    assert client.get(delete).status_code == 405
    assert "Касимов" not in client.get(url).content.decode()
    client.force_login(customer_a.user)
    assert client.post(delete).status_code == 302
    assert not Subscription.objects.filter(pk=own.pk).exists()


@pytest.mark.django_db
def test_csv_import_survives_hostile_bytes(operator):
    head = "район;населённый пункт;улица;дома;начало;окончание;причина\n"
    row = ";г. Рязань;ул. Ми\x00ра;;01.12.2026 09:00;01.12.2026 10:00;\n"
    result = services.outages_import(actor=operator, data=(head + row).encode(), publish=False)
    assert [o.street for o in result.added] == ["ул. Мира"]
    with pytest.raises(ApplicationError):
        services.outages_import(actor=operator, data=b"\x89PNG\r\n\x1a\n\x00\x00", publish=False)
