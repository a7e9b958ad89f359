"""Submitting readings: every rule of M2, the receipt (M3), corrections, one-time tokens (M6)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from lkk.customers.models import Contract, TariffZones
from lkk.customers.tests.factories import MeterFactory, ReadingFactory
from lkk.readings.models import Correction, Reading, Submission

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _open_window(settings):
    settings.LKK_READING_WINDOW = "15-25"


@pytest.fixture
def travel():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def meter(customer_a):
    """A two-zone meter of customer A with three monthly readings per zone."""
    meter = MeterFactory(
        metering_point__consumption_object__contract=customer_a.contract,
        tariff_zones=TariffZones.TWO,
        digit_capacity=6,
        decimal_places=1,
        transformation_ratio=1,
        serial_number="TWO-ZONE-1",
    )
    for month, (day, night) in zip(
        (8, 9, 10), ((1000, 400), (1100, 440), (1200, 480)), strict=True
    ):
        ReadingFactory(
            meter=meter, zone="day", value=Decimal(day), read_on=dt.date(2026, month, 25)
        )
        ReadingFactory(
            meter=meter, zone="night", value=Decimal(night), read_on=dt.date(2026, month, 25)
        )
    return meter


def _page(client, meter):
    response = client.get(reverse("readings:submit_meter", args=[meter.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    return html, re.search(r'name="token" value="([^"]+)"', html).group(1)


def _post(client, meter, values: dict[str, str], *, token=None, confirm=False):
    if token is None:
        _, token = _page(client, meter)
    data = {"token": token, **{f"m{meter.pk}_{z}": v for z, v in values.items()}}
    if confirm:
        data[f"m{meter.pk}_confirm"] = "on"
    return client.post(reverse("readings:submit_meter", args=[meter.pk]), data)


@pytest.fixture
def as_a(client, customer_a):
    client.force_login(customer_a.user)
    return client


def _errors(response) -> str:
    html = response.content.decode()
    return " ".join(re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]*)<', html))


# --- M1: the form ---------------------------------------------------------------------------


def test_form_shows_a_field_per_zone_with_the_previous_reading(as_a, meter, travel):
    html, _ = _page(as_a, meter)
    assert "Т1 (День)" in html and "Т2 (Ночь)" in html
    # The meter's one decimal, digits grouped with a narrow no-break space.
    assert "1\u202f200,0" in html and "480,0" in html and "25.10.2026" in html


def test_contract_page_lists_all_meters_of_the_contract(as_a, meter, customer_a, travel):
    html = as_a.get(
        reverse("readings:submit_contract", args=[customer_a.contract.pk])
    ).content.decode()
    assert "TWO-ZONE-1" in html and customer_a.meter.serial_number in html


# --- M3: receipt -----------------------------------------------------------------------------


def test_accepted_reading_gives_a_receipt_with_consumption(as_a, meter, travel):
    response = _post(as_a, meter, {"day": "1300,5", "night": "520"})
    assert response.status_code == 302
    submission = Submission.objects.get(readings__read_on=TODAY, readings__zone="day")
    assert response.url == reverse("readings:receipt", args=[submission.pk])
    day = Reading.objects.get(meter=meter, zone="day", read_on=TODAY)
    assert day.value == Decimal("1300.5") and day.consumption == Decimal("100.5")
    assert day.to_export and day.exported_at is None
    receipt = as_a.get(response.url).content.decode()
    assert f"Квитанция № {submission.number}" in receipt
    assert "100,5" in receipt and "40" in receipt and "Принято" in receipt


def test_consumption_uses_the_transformation_ratio(as_a, meter, travel):
    meter.transformation_ratio = 40
    meter.save()
    _post(as_a, meter, {"day": "1210", "night": "481"})
    assert Reading.objects.get(meter=meter, zone="day", read_on=TODAY).consumption == 400
    assert Reading.objects.get(meter=meter, zone="night", read_on=TODAY).consumption == 40


# --- M2: validation, one test per rule --------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("abc", "Введите показание числом"),
        ("-5", "не может быть отрицательным"),
        ("1234567", "Не больше 6 знаков до запятой"),
        ("1300,55", "Не больше 1 знака после запятой."),
        ("1e5", "Введите показание числом"),
    ],
)
def test_value_must_fit_the_meter(as_a, meter, travel, day, message):
    response = _post(as_a, meter, {"day": day, "night": "500"})
    assert response.status_code == 200
    assert message in _errors(response)
    assert not Reading.objects.filter(read_on=TODAY).exists()


def test_all_zones_are_required(as_a, meter, travel):
    response = _post(as_a, meter, {"day": "1300", "night": ""})
    assert "по всем зонам" in _errors(response)


def test_value_below_previous_is_refused(as_a, meter, travel):
    response = _post(as_a, meter, {"day": "1150", "night": "500"})
    assert "не может быть меньше предыдущего: 1\u202f200,0 от 25.10.2026" in _errors(response)
    assert not Reading.objects.filter(read_on=TODAY).exists()


def test_rollover_asks_for_confirmation_then_counts_through_zero(as_a, meter, travel):
    Reading.objects.filter(meter=meter, zone="day", read_on=dt.date(2026, 10, 25)).update(
        value=Decimal("999950")
    )
    token = _page(as_a, meter)[1]
    response = _post(as_a, meter, {"day": "30", "night": "500"}, token=token)
    assert "перешёл через ноль" in _errors(response)
    assert f'name="m{meter.pk}_confirm"' in response.content.decode()
    response = _post(as_a, meter, {"day": "30", "night": "500"}, token=token, confirm=True)
    assert response.status_code == 302
    day = Reading.objects.get(meter=meter, zone="day", read_on=TODAY)
    assert day.rolled_over and day.consumption == Decimal("80")


def test_replaced_meter_is_not_compared_with_the_old_one(as_a, customer_a, travel):
    old = customer_a.meter
    Reading.objects.filter(meter=old).update(value=Decimal("88000"))
    old.removed_on = dt.date(2026, 11, 1)
    old.save()
    new = MeterFactory(
        metering_point=old.metering_point, installed_on=dt.date(2026, 11, 1), serial_number="NEW-1"
    )
    html, token = _page(as_a, new)
    assert "Прибор заменён" in html
    response = _post(as_a, new, {"total": "12"}, token=token)
    assert response.status_code == 302
    assert Reading.objects.get(meter=new).consumption is None


def test_a_jump_far_above_usual_asks_for_confirmation(as_a, meter, travel):
    token = _page(as_a, meter)[1]
    response = _post(as_a, meter, {"day": "9000", "night": "500"}, token=token)
    assert "намного больше обычного" in _errors(response)
    assert not Reading.objects.filter(read_on=TODAY).exists()
    assert (
        _post(as_a, meter, {"day": "9000", "night": "500"}, token=token, confirm=True).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("today", "opens"),
    [
        (dt.date(2026, 11, 10), "15.11.2026"),
        (dt.date(2026, 11, 26), "15.12.2026"),
        (dt.date(2026, 12, 31), "15.01.2027"),
    ],
)
def test_outside_the_window_the_form_says_when_it_opens(as_a, customer_a, meter, today, opens):
    with time_machine.travel(dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC), tick=False):
        as_a.force_login(customer_a.user)
        html, token = _page(as_a, meter)
        assert f"Следующий приём начнётся {opens}" in html
        response = _post(as_a, meter, {"day": "1300", "night": "500"}, token=token)
    assert "Приём показаний открыт с 15 по 25 число месяца" in _errors(response)
    assert not Reading.objects.filter(meter=meter, read_on=today).exists()


@pytest.mark.parametrize("day", [15, 25])
def test_window_edges_are_open(as_a, customer_a, meter, day):
    with time_machine.travel(dt.datetime(2026, 11, day, 12, tzinfo=dt.UTC), tick=False):
        as_a.force_login(customer_a.user)
        assert _post(as_a, meter, {"day": "1300", "night": "500"}).status_code == 302


def test_automatic_meter_refuses_manual_input(as_a, meter, travel):
    meter.is_automatic = True
    meter.save()
    html, token = _page(as_a, meter)
    assert "АСКУЭ" in html and f'name="m{meter.pk}_day"' not in html
    response = _post(as_a, meter, {"day": "1300", "night": "500"}, token=token)
    assert response.status_code == 200
    assert "поступают автоматически" in response.content.decode()
    assert not Reading.objects.filter(read_on=TODAY).exists()


def test_closed_contract_refuses_readings(as_a, meter, customer_a, travel):
    Contract.objects.filter(pk=customer_a.contract.pk).update(status=Contract.Status.TERMINATED)
    response = _post(as_a, meter, {"day": "1300", "night": "500"})
    assert response.status_code == 200
    assert "Договор № T" in response.content.decode() and "расторгнут" in response.content.decode()
    assert not Reading.objects.filter(read_on=TODAY).exists()


def test_overdue_verification_accepts_with_a_warning(as_a, meter, travel):
    meter.next_verification_on = dt.date(2026, 10, 1)
    meter.save()
    assert "Срок поверки прибора учёта истёк 01.10.2026" in _page(as_a, meter)[0]
    response = _post(as_a, meter, {"day": "1300", "night": "500"})
    assert response.status_code == 302
    assert "Срок поверки прибора учёта истёк" in as_a.get(response.url).content.decode()


def test_second_submission_the_same_day_points_to_the_receipt(as_a, meter, travel):
    assert _post(as_a, meter, {"day": "1300", "night": "500"}).status_code == 302
    response = _post(as_a, meter, {"day": "1301", "night": "501"})
    assert "уже переданы" in _errors(response)
    assert Reading.objects.filter(meter=meter, read_on=TODAY).count() == 2


def test_empty_form_says_what_to_do(as_a, meter, travel):
    response = _post(as_a, meter, {"day": "", "night": ""})
    assert "хотя бы одного прибора учёта" in response.content.decode()


def test_tampered_token_is_refused_plainly(as_a, meter, travel):
    response = _post(as_a, meter, {"day": "1300", "night": "500"}, token="not-a-uuid")
    assert "Форма устарела" in response.content.decode()
    assert not Reading.objects.filter(read_on=TODAY).exists()


# --- M6: one-time token -------------------------------------------------------------------------


def test_double_submission_creates_one_reading_and_the_same_receipt(as_a, meter, travel):
    token = _page(as_a, meter)[1]
    first = _post(as_a, meter, {"day": "1300", "night": "500"}, token=token)
    second = _post(as_a, meter, {"day": "1300", "night": "500"}, token=token)
    assert first.url == second.url
    assert Reading.objects.filter(read_on=TODAY).count() == 2  # day and night, once
    assert Submission.objects.filter(token=token).count() == 1


def test_another_users_token_does_not_reveal_their_receipt(
    client, customer_a, customer_b, meter, travel
):
    client.force_login(customer_a.user)
    token = _page(client, meter)[1]
    _post(client, meter, {"day": "1300", "night": "500"}, token=token)
    client.force_login(customer_b.user)
    response = client.post(
        reverse("readings:submit_meter", args=[customer_b.meter.pk]),
        {"token": token, f"m{customer_b.meter.pk}_total": "1300"},
    )
    assert response.status_code == 200
    assert "Форма устарела" in response.content.decode()


# --- correction --------------------------------------------------------------------------------


def test_correction_until_billing_takes_it(as_a, meter, travel):
    receipt_url = _post(as_a, meter, {"day": "1300", "night": "500"}).url
    submission = Submission.objects.get(readings__meter=meter, readings__zone="day")
    day = Reading.objects.get(meter=meter, zone="day", read_on=TODAY)
    night = Reading.objects.get(meter=meter, zone="night", read_on=TODAY)
    Reading.objects.filter(pk=day.pk).update(exported_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    url = reverse("readings:receipt_correct", args=[submission.pk])
    response = as_a.post(url, {f"r{day.pk}": "1250", f"r{night.pk}": "500"})
    assert response.status_code == 302 and response.url == receipt_url
    day.refresh_from_db()
    assert day.value == 1250 and day.consumption == 50
    assert day.exported_at is None, "billing must get the corrected value"
    assert Correction.objects.get(reading=day).old_value == 1300
    assert "исправлены" in as_a.get(receipt_url).content.decode()
    # A correction follows the same rules.
    response = as_a.post(url, {f"r{day.pk}": "1100", f"r{night.pk}": "500"})
    assert "не может быть меньше предыдущего" in _errors(response)
    # Once billing has taken the readings, the receipt says so and refuses.
    Reading.objects.filter(submission=submission).update(status=Reading.Status.TAKEN)
    assert "исправить их нельзя" in as_a.get(receipt_url).content.decode()
    response = as_a.post(url, {f"r{day.pk}": "1260", f"r{night.pk}": "500"}, follow=True)
    assert "исправить их нельзя" in response.content.decode()
    day.refresh_from_db()
    assert day.value == 1250


def test_a_previous_value_past_the_meters_range_is_no_rollover(as_a, meter, travel):
    """Billing may hold a value the display cannot show; a lower value is then just lower."""
    Reading.objects.filter(meter=meter, zone="day", read_on=dt.date(2026, 10, 25)).update(
        value=Decimal("1003411.5")
    )
    response = _post(as_a, meter, {"day": "30", "night": "500"}, confirm=True)
    assert "не может быть меньше предыдущего" in _errors(response)
    assert not Reading.objects.filter(read_on=TODAY).exists()
