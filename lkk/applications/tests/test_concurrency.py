"""Registration numbers under real concurrency (PostgreSQL): twenty customers submit at once,
and the numbers are unique and gap-free — the counter row is locked for each submit."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from lkk.applications import services
from lkk.applications.kinds import KINDS
from lkk.applications.models import Application, Status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 20


@pytest.fixture(autouse=True)
def _needs_postgres():
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "run: make test-postgres"
    assert connection.vendor == "postgresql"


def test_concurrent_submits_get_unique_gap_free_numbers(customer_a):
    drafts = [
        services.application_save(
            user=customer_a.user,
            kind=KINDS["complaint"],
            counterparty=customer_a.counterparty,
            contract=customer_a.contract,
            data={"topic": "other", "text": f"Обращение {n}"},
            files={},
        )
        for n in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(app: Application) -> None:
        client = Client()
        client.force_login(customer_a.user)
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(reverse("applications:submit", args=[app.pk])).status_code)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(app,)) for app in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert not errors, errors
    assert statuses == [302] * THREADS
    numbers = sorted(
        Application.objects.filter(status=Status.SUBMITTED).values_list("number", flat=True)
    )
    year = numbers[0][2:6]
    assert numbers == [f"З-{year}-{n:06d}" for n in range(1, THREADS + 1)]
