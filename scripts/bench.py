"""Server-side timings of the customer pages for the big business customer.

Run by `make bench`: a PostgreSQL cluster kept in var/bench-pg is started, the large demo data is
loaded once (`seed_demo --scale large`, idempotent), then each page is requested through Django's
full stack (middleware, views, templates, database) in this process, and the median and 95th
percentile of the time per request are printed with the number of SQL queries.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lkk.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from lkk.accounts.models import User  # noqa: E402
from lkk.customers.models import Meter, MeteringPoint  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
settings_overrides = {"LKK_READING_WINDOW": "1-31"}


def main() -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    for name, value in settings_overrides.items():
        setattr(settings, name, value)
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("seed_demo", scale="large", quiet_logins=True)
    print(f"seed_demo (already loaded → only the check): {time.monotonic() - started:.1f} s")
    call_command("collectstatic", interactive=False, verbosity=0)
    user = User.objects.get(username="big_demo")
    point = MeteringPoint.objects.visible_to(user).order_by("-code").first()
    meter = Meter.objects.visible_to(user).filter(is_automatic=False).order_by("pk").first()
    pages = [
        ("Главная", "/", {}),
        ("Главная, стр. 10", "/", {"page": "10"}),
        ("Точки учёта", "/points/", {}),
        ("Точки учёта, стр. 100", "/points/", {"page": "100"}),
        ("Точки учёта, поиск", "/points/", {"q": point.code}),
        ("Точки учёта, сорт. по мощности", "/points/", {"sort": "-power"}),
        ("Приборы учёта", "/meters/", {}),
        ("Договоры", "/contracts/", {}),
        ("Объекты потребления", "/objects/", {}),
        ("Передача показаний по договору", f"/readings/contract/{point.contract_id}/", {}),
        ("История показаний прибора", f"/readings/meter/{meter.pk}/history/", {}),
        ("Шаблон XLSX на 3000 приборов", "/readings/upload/template.xlsx", {}),
    ]
    client = Client()
    client.force_login(user)
    print(f"{'page':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for title, url, params in pages:
        client.get(url, params)  # warm-up
        times = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url, params)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(
            f"{title:<34} {statistics.median(times):>10.1f} {p95:>8.1f} "
            f"{len(ctx.captured_queries):>8}"
        )


if __name__ == "__main__":
    main()
