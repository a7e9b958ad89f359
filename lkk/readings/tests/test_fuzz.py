"""No input to the readings form makes the server fail (SECURITY.md, Input)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

text = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?\d{0,12}([.,]\d{0,6})?", fullmatch=True),
    st.sampled_from(["", " ", "1e9", "NaN", "inf", "١٢٣", "1,2,3", "0x10", "9" * 40, "\x00"]),
)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=text, token=st.one_of(st.uuids().map(str), text), confirm=st.booleans())
def test_any_input_gives_a_page_not_a_server_error(client, customer_a, value, token, confirm):
    meter = customer_a.meter
    data = {"token": token, f"m{meter.pk}_total": value, "page": value}
    if confirm:
        data[f"m{meter.pk}_confirm"] = value or "on"
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(customer_a.user)
        response = client.post(reverse("readings:submit_meter", args=[meter.pk]), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        body = response.content.decode()
        assert "invalid-feedback" in body or "alert-danger" in body or "alert-warning" in body
