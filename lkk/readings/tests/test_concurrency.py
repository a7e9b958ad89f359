"""M6 under real concurrency: twenty threads post the same form at once (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from lkk.readings.models import Reading, Submission

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 20


@pytest.fixture(autouse=True)
def _needs_postgres():
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "run: make test-postgres"
    assert connection.vendor == "postgresql"


def test_twenty_identical_submissions_make_one_reading(customer_a, settings):
    settings.LKK_READING_WINDOW = "1-31"
    meter = customer_a.meter
    Reading.objects.filter(meter=meter).update(read_on=dt.date(2000, 1, 1))
    url = reverse("readings:submit_meter", args=[meter.pk])
    token = str(uuid.uuid4())
    data = {"token": token, f"m{meter.pk}_total": "1300"}
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def post() -> None:
        client = Client()
        client.force_login(customer_a.user)
        try:
            barrier.wait(timeout=30)
            response = client.post(url, data)
            results.append((response.status_code, response.get("Location", "")))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(results) == THREADS
    submission = Submission.objects.get(token=token)
    receipt = reverse("readings:receipt", args=[submission.pk])
    assert results == [(302, receipt)] * THREADS, "every request gets the one receipt"
    assert Reading.objects.filter(meter=meter, value=1300).count() == 1
    assert Reading.objects.filter(submission=submission).count() == 1
