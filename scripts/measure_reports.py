"""Issue 9 acceptance: build time of «Отчёт о потреблении» (R1) for big_demo, 12 months.

Run against a database holding `seed_demo --scale large`, e.g.::

    python scripts/services.py --postgres --keep-data var/measure-pg -- \
      sh -c 'DEMO_MODE=1 uv run python manage.py migrate -v0 &&
             DEMO_MODE=1 uv run python manage.py seed_demo --scale large --quiet-logins &&
             DEMO_MODE=1 uv run python scripts/measure_reports.py 300 1000 3000'

For each target N it takes big_demo's contracts in number order until their metering points add
up to at least N, then times, separately, the builder (builders.BUILDERS["consumption"], every
read through visible_to(big_demo), as report_build does), render.to_json, render.xlsx and
render.pdf over the last 12 months that have readings. MEASURE_ROUNDS (default 1) repeats each
step and reports the best round.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lkk.settings")
os.environ.setdefault("DEMO_MODE", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.utils import translation  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from lkk.billing.selectors import month_start  # noqa: E402
from lkk.customers.models import Contract, MeteringPoint  # noqa: E402
from lkk.readings.models import Reading  # noqa: E402
from lkk.reports import builders, render  # noqa: E402

ROUNDS = int(os.environ.get("MEASURE_ROUNDS", "1"))


def best(func):
    """((wall, CPU) seconds of the best round, result of the last round). CPU is this process's
    only (not PostgreSQL's): on a loaded machine it shows the work, the wall time the wait."""
    times, result = [], None
    for _ in range(ROUNDS):
        t0, c0 = time.perf_counter(), time.process_time()
        result = func()
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    return min(times), result


def main(targets: list[int]) -> None:
    translation.activate("ru")
    user = get_user_model().objects.get(username="big_demo")
    contracts = list(
        Contract.objects.visible_to(user)
        .annotate(points=Count("metering_points"))
        .order_by("number")
        .values_list("pk", "number", "counterparty_id", "points")
    )
    counterparty_id = contracts[0][2]
    contracts = [c for c in contracts if c[2] == counterparty_id]
    all_points = sum(c[3] for c in contracts)
    last = Reading.objects.visible_to(user).aggregate(m=Max("read_on"))["m"]
    end = month_start(last)
    start = month_start(end, 11)
    print(
        f"big_demo: {len(contracts)} contracts, {all_points} points; period "
        f"{start:%m.%Y}–{end:%m.%Y}; {connection.vendor}; rounds {ROUNDS}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    build = builders.BUILDERS["consumption"]
    print("| points | contracts | rows in report | build, s (CPU) | json, s | XLSX, s (CPU) "
          "| XLSX KB | PDF, s (CPU) | PDF KB | PDF pages | load avg (1 min) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for target in targets:
        chosen, points = [], 0
        for pk, _number, _cp, n in contracts:
            if points >= target:
                break
            chosen.append(pk)
            points += n
        params = builders.Params(start, end, tuple(chosen))
        t_build, built = best(lambda p=params: build(user, counterparty_id, p))
        t_json, data = best(lambda b=built: render.to_json(b))
        t_xlsx, xlsx = best(lambda d=data: render.xlsx(d))
        t_pdf, pdf = best(lambda d=data: render.pdf(d))
        rows = sum(len(s.rows) for s in built.sections)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        assert MeteringPoint.objects.filter(contract_id__in=chosen).count() == points
        print(
            f"| {points} | {len(chosen)} | {rows} | {t_build[0]:.2f} ({t_build[1]:.2f}) "
            f"| {t_json[0]:.3f} | {t_xlsx[0]:.2f} ({t_xlsx[1]:.2f}) | {len(xlsx) // 1024} "
            f"| {t_pdf[0]:.2f} ({t_pdf[1]:.2f}) | {len(pdf) // 1024} | {pages} "
            f"| {os.getloadavg()[0]:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300, 1000, 3000])
