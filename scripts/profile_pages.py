"""Where a page's milliseconds go, in-process: `big_demo`'s pages through Django's test client.

Run against the bench's data (after `make bench` loaded it once):

    uv run python scripts/services.py --postgres --redis --keep-data var/bench-pg -- \
      uv run python scripts/profile_pages.py [PAGE ...] [--profile] [--n 60]

For each page (default: «Главная», «Договоры», «Точки учёта» and the floor) it prints the
median time of a request, the part of it spent in SQL and the query count; `--profile` adds a
pyinstrument tree of the page's requests (pyinstrument is a dev dependency).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "lkk.bench.settings"
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from lkk.accounts.models import User  # noqa: E402
from lkk.bench.urls import FLOOR_PATH  # noqa: E402

PAGES = {
    "floor": "/" + FLOOR_PATH,
    "home": "/",
    "contracts": "/contracts/",
    "objects": "/objects/",
    "points": "/points/",
    "meters": "/meters/",
    "points_search": "/points/?q=",
    "points_power": "/points/?sort=-power",
    "readings": "/readings/",
    "notifications": "/notifications/",
    "help": "/info/help/",
}


class SqlTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="*", default=["floor", "home", "contracts", "points"])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--language", default="ru")
    args = parser.parse_args()
    user = User.objects.get(username="big_demo")
    client = Client(HTTP_ACCEPT_LANGUAGE=args.language)
    client.force_login(user)
    from lkk.customers.models import MeteringPoint

    code = MeteringPoint.objects.visible_to(user).order_by("-code").first().code
    urls = {}
    for name in args.pages:
        url = PAGES.get(name, name)
        if url.endswith("q="):
            url += code
        for _ in range(5):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        urls[name] = (url, len(response.content))
    # Round robin: a noisy machine slows every page alike, so the ratios to the floor hold.
    times = {name: [] for name in urls}
    sql = {name: [] for name in urls}
    queries = {}
    for _ in range(args.n):
        for name, (url, _size) in urls.items():
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                client.get(url)
                times[name].append(time.perf_counter() - started)
            sql[name].append(timer.seconds)
            queries[name] = timer.queries
    floor = statistics.median(times["floor"]) if "floor" in times else None
    for name, (_url, size) in urls.items():
        median = statistics.median(times[name])
        ratio = f"  floor ÷ page {floor / median:5.3f}" if floor else ""
        print(
            f"{name:16} {median * 1000:7.2f} ms  sql {statistics.median(sql[name]) * 1000:6.2f}"
            f" ms  queries {queries[name]}  {size:7d} bytes{ratio}"
        )
    if not args.profile:
        return
    from pyinstrument import Profiler

    for name, (url, _size) in urls.items():
        print(f"--- {name}")
        profiler = Profiler(interval=0.001)
        profiler.start()
        for _ in range(args.n):
            client.get(url)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
