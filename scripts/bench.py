"""`make bench`: the table of issue 13 measured over HTTP, as ratios to a floor view.

Run by `make bench` inside `scripts/services.py --postgres --redis --keep-data var/bench-pg`:

1. migrates and loads `seed_demo --scale large` (idempotent: only the first run loads);
2. logs `big_demo` in (a session row, whose cookie wrk sends) and starts gunicorn with two sync
   workers and `lkk.bench.settings` (the production settings plus the floor view);
3. for each batch of pages runs wrk (4 connections) on the floor view, then on every page of the
   batch and the floor again, in rounds; a page's ratio is its requests per second divided by
   the floor's over the same rounds, so the noise of a shared machine cancels out as far as it
   can;
4. the readings form: wrk POSTs one meter's reading per request (a new one-time token each
   time); accepted readings per second ÷ the floor;
5. the bulk upload: a 3,000-row XLSX posted to gunicorn, its time against a COPY of the very
   readings it wrote (rows/s ÷ COPY rows/s = COPY time ÷ upload time);
6. the seed: `seed_demo --scale large` of the baseline commit and of this tree, each on a fresh
   cluster, one after the other (BENCH_SEED=0 skips it: it takes minutes);
7. prints the table with p50/p99 latencies and query counts (counted in-process with Django's
   test client), and writes everything to var/bench/last.json.

Knobs: BENCH_SECONDS (per page, default 8), BENCH_ROUNDS (4), BENCH_UPLOAD_ROUNDS (3),
BENCH_SEED (1), BENCH_ONLY (comma-separated batch names, e.g. "lists,deep").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "lkk.bench.settings"
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from lkk.accounts.models import User  # noqa: E402
from lkk.bench.urls import FLOOR_PATH  # noqa: E402
from lkk.core.bulk import insert_rows, vacuum  # noqa: E402
from lkk.customers.models import (  # noqa: E402
    ConsumptionObject,
    Contract,
    Counterparty,
    Meter,
    MeteringPoint,
)
from lkk.readings.models import BulkUpload, Reading, Submission  # noqa: E402
from lkk.readings.selectors import zone_histories  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
#: Floor and pages alternate in this many rounds of SECONDS / ROUNDS each (noise drifts slowly).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
#: Pages of a second or more: two rounds of SECONDS each, or too few requests to count.
SLOW_GROUPS = {"template"}
#: Batches whose result is one page against another (page 100 ÷ page 1), a few per cent
#: apart: twice the rounds, to halve the noise's variance (2 s windows moved ±5 %).
PAIRED_GROUPS = {"deep"}
#: Each page of a batch (and the floor) under wrk for this long before the batch is measured.
WARM_SECONDS = float(os.environ.get("BENCH_WARM_SECONDS", "1.5"))
UPLOAD_ROUNDS = int(os.environ.get("BENCH_UPLOAD_ROUNDS", "3"))
RUN_SEED = os.environ.get("BENCH_SEED", "1") != "0"
ONLY = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
CONNECTIONS = 4
THREADS = 2
WORKERS = 2
HOST = "127.0.0.1"
USERNAME = "big_demo"
CSRF = "benchcsrfbenchcsrfbenchcsrf01234"  # 32 characters: Django's unmasked secret
OUT = ROOT / "var" / "bench" / "last.json"
#: The last commit before issue 13's work: its seed is "today's" in the seed row.
SEED_BASELINE = "c318f2b"
UPLOAD_ROWS = 3000

#: The table of issue 13: the "now" it reported and the goal.
GOALS = {
    "main": ("0.11–0.12", 0.35),
    "lists": ("0.14–0.21", 0.40),
    "deep": ("0.045–0.06", 0.9),
    "search": ("0.07–0.09", 0.30),
    "template": ("0.003", 0.015),
    "upload": ("0.022", 0.12),
    "form": ("0.13", 0.30),
    "seed": ("1", 2.5),
}


@dataclass
class Run:
    """One wrk run."""

    url: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


@dataclass
class Row:
    group: str
    title: str
    ratio: float | None = None
    goal: float | None = None
    now: str = ""
    p50_ms: float | None = None
    p99_ms: float | None = None
    queries: int | None = None
    rps: float | None = None
    floor_rps: float | None = None
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        if self.ratio is None or self.goal is None:
            return None
        return self.ratio >= self.goal


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- wrk ----------------------------------------------------------------------------------

REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def wrk(url: str, cookie: str, *, script: str = "", seconds: float = SECONDS) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + REPORT_LUA)
    try:
        # wrk takes whole seconds only ("-d2.5s" is refused).
        duration = max(1, round(seconds))
        argv = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "60s"]
        argv += ["-H", f"Cookie: {cookie}", "-s", lua.name, url]
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        os.unlink(lua.name)
    match = re.search(r"BENCH-RESULT (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if match is None:
        raise RuntimeError(f"wrk said:\n{out}")
    requests, duration_us, p50, p99, errors = map(int, match.groups())
    return Run(
        url=url,
        rps=requests / (duration_us / 1e6),
        p50_ms=p50 / 1000,
        p99_ms=p99 / 1000,
        requests=requests,
        errors=errors,
    )


# --- gunicorn -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(cookie: str) -> Iterator[str]:
    port = free_port()
    argv = [str(ROOT / ".venv" / "bin" / "gunicorn"), "lkk.wsgi:application"]
    argv += ["--bind", f"{HOST}:{port}", "--workers", str(WORKERS), "--worker-class", "sync"]
    argv += ["--timeout", "300", "--log-level", "warning"]
    proc = subprocess.Popen(argv, cwd=ROOT, env=dict(os.environ), start_new_session=True)  # noqa: S603
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _body, _headers = http_get(base + "/" + FLOOR_PATH, cookie)
                if status != 200:
                    raise RuntimeError(f"the floor view answered {status}: is the session valid?")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http_get(url: str, cookie: str) -> tuple[int, bytes, dict[str, str]]:
    return http(urllib.request.Request(url, headers={"Cookie": cookie}))  # noqa: S310


def http(request: urllib.request.Request) -> tuple[int, bytes, dict[str, str]]:
    try:
        with _opener.open(request, timeout=300) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
        return error.code, error.read(), dict(error.headers)


# --- in-process -----------------------------------------------------------------------------


def query_count(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def login_cookie(user: User) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return client, f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}"


def bench_cleanup(user: User) -> None:
    """What earlier bench runs submitted (readings, receipts, uploads) goes, so meters are free."""
    submissions = Submission.objects.filter(submitted_by=user)
    Reading.objects.filter(submission__in=submissions).delete()
    BulkUpload.objects.filter(uploaded_by=user).delete()
    submissions.delete()


# --- pages ------------------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    title: str
    path: str
    params: dict[str, str] = field(default_factory=dict)

    def url(self, base: str) -> str:
        query = urllib.parse.urlencode(self.params)
        return f"{base}{self.path}" + (f"?{query}" if query else "")


def pages_for(user: User) -> dict[str, list[Page]]:
    point = MeteringPoint.objects.visible_to(user).order_by("-code").first()
    meter = Meter.objects.visible_to(user).filter(is_automatic=False).order_by("pk").first()
    return {
        "main": [
            Page("home", "«Главная»", "/"),
            Page("contracts", "«Договоры»", "/contracts/"),
        ],
        "lists": [
            Page("objects", "«Объекты»", "/objects/"),
            Page("points", "«Точки учёта»", "/points/"),
            Page("meters", "«Приборы учёта»", "/meters/"),
            Page("readings_start", "«Передача показаний»", "/readings/"),
            Page(
                "readings_contract",
                "«Передача показаний» по договору",
                f"/readings/contract/{point.contract_id}/",
            ),
            Page("readings_history", "«История показаний»", f"/readings/meter/{meter.pk}/history/"),
            Page("notifications", "«Уведомления»", "/notifications/"),
            Page("applications", "«Поданные заявки»", "/applications/"),
            Page("application_new", "«Новая заявка»: жалоба", "/applications/new/complaint/"),
            Page("appointments", "«Мои записи»", "/appointments/"),
            Page("appointments_new", "«Запись на приём»", "/appointments/new/"),
            Page("outages", "«Плановые отключения»", "/outages/", {"street": "ленина"}),
            Page("outage_subscriptions", "«Подписка на отключения»", "/outages/subscriptions/"),
            Page("news", "«Новости»", "/info/news/"),
            Page("surveys", "«Опросы»", "/surveys/"),
            Page("help", "«Помощь»", "/info/help/"),
            Page("calculator", "«Калькулятор присоединения»", "/connection/calculator/"),
            Page("finance", "«Финансы»", "/finance/"),
            Page(
                "finance_contract", "«Финансы» договора", f"/finance/contracts/{point.contract_id}/"
            ),
            Page("documents", "«Документы»", "/finance/documents/"),
        ],
        "deep": [
            Page("points_1", "«Точки учёта» стр. 1", "/points/"),
            Page("points_100", "«Точки учёта» стр. 100", "/points/", {"page": "100"}),
            Page("meters_1", "«Приборы учёта» стр. 1", "/meters/"),
            Page("meters_100", "«Приборы учёта» стр. 100", "/meters/", {"page": "100"}),
        ],
        "search": [
            Page("points_search", "«Точки учёта» поиск по коду", "/points/", {"q": point.code}),
            Page("points_power", "«Точки учёта» сорт. по мощности", "/points/", {"sort": "-power"}),
        ],
        "template": [
            Page("template", "Шаблон XLSX, 3 000 приборов", "/readings/upload/template.xlsx"),
        ],
    }


def drained(run: Run) -> Run:
    """Wait for the requests wrk left in flight, so that they do not slow the next run."""
    if run.p99_ms > 100:
        time.sleep(min(30.0, 2 * run.p99_ms / 1000))
    return run


def merged(runs: list[Run]) -> Run:
    """Rounds of one URL as one run: requests over total time; median p50, worst p99."""
    duration = sum(r.requests / r.rps for r in runs if r.rps)
    requests = sum(r.requests for r in runs)
    return Run(
        url=runs[0].url,
        rps=requests / duration if duration else 0.0,
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=max(r.p99_ms for r in runs),
        requests=requests,
        errors=sum(r.errors for r in runs),
    )


def measure_batch(
    group: str, pages: list[Page], base: str, cookie: str, client: Client
) -> tuple[list[Row], dict[str, Run]]:
    """Floor, every page, floor, … in ROUNDS rounds, ending with the floor: a page's ratio is
    its requests per second ÷ the floor's over the same stretch of time."""
    floor_url = f"{base}/{FLOOR_PATH}"
    for page in pages:  # check the page answers
        status, _body, _headers = http_get(page.url(base), cookie)
        if status != 200:
            raise RuntimeError(f"{page.url(base)} answered {status}")
    slow = group in SLOW_GROUPS
    if slow:
        for page in pages:
            for _ in range(WORKERS * 2 - 1):
                http_get(page.url(base), cookie)
    else:
        # Warm both workers: requests one after another may all reach the same worker, and
        # the other then warms up inside the first measurement (measured: «Главная»'s first
        # 12 s under wrk had p99 1.8 s and 108 req/s, the next 47 ms and 123 req/s).
        for url in [floor_url, *(page.url(base) for page in pages)]:
            wrk(url, cookie, seconds=WARM_SECONDS)
    rounds = 2 if slow else ROUNDS * (2 if group in PAIRED_GROUPS else 1)
    seconds = SECONDS if slow else SECONDS / ROUNDS
    floors = [wrk(floor_url, cookie, seconds=SECONDS / ROUNDS)]
    page_runs: dict[str, list[Run]] = {page.key: [] for page in pages}
    for round_number in range(rounds):
        # Every other round in reverse: a drift of the machine's speed during a round then
        # weighs on the batch's first and last pages alike.
        for page in pages if round_number % 2 == 0 else pages[::-1]:
            page_runs[page.key].append(drained(wrk(page.url(base), cookie, seconds=seconds)))
        floors.append(wrk(floor_url, cookie, seconds=SECONDS / ROUNDS))
    floor = merged(floors)
    runs = {key: merged(value) for key, value in page_runs.items()}
    now, goal = GOALS[group]
    rows = []
    for page in pages:
        run = runs[page.key]
        if run.errors:
            raise RuntimeError(f"{page.url(base)}: {run.errors} errors under wrk")
        rows.append(
            Row(
                group=group,
                title=page.title,
                ratio=run.rps / floor.rps,
                goal=goal,
                now=now,
                p50_ms=run.p50_ms,
                p99_ms=run.p99_ms,
                queries=query_count(client, page.path, page.params),
                rps=run.rps,
                floor_rps=floor.rps,
                extra={"floors": [f.rps for f in floors]},
            )
        )
    log(f"  {group}: floor {' → '.join(f'{f.rps:.0f}' for f in floors)} req/s")
    return rows, runs


def deep_rows(rows: list[Row]) -> list[Row]:
    """Page 100 against page 1 of the same list, measured side by side."""
    by_title = {row.title: row for row in rows}
    result = []
    for name in ("«Точки учёта»", "«Приборы учёта»"):
        first, deep = by_title[f"{name} стр. 1"], by_title[f"{name} стр. 100"]
        deep.extra["ratio_to_floor"] = deep.ratio
        deep.ratio = deep.rps / first.rps
        deep.note = f"÷ стр. 1 ({deep.extra['ratio_to_floor']:.2f} ÷ {first.ratio:.2f} пола)"
        first.goal = None  # page 1 is the reference of this row, not a goal of its own
        first.now = ""
        result += [first, deep]
    return result


# --- the readings form --------------------------------------------------------------------------


def _next_value(previous: Decimal | None) -> str:
    """A value just above the previous one, a whole number so any meter's decimals accept it."""
    base = int(previous) if previous is not None else 0
    return str(base + 1)


def form_meters(user: User) -> list[tuple[Meter, dict[str, str]]]:
    meters = list(
        Meter.objects.visible_to(user)
        .filter(removed_on__isnull=True, is_automatic=False)
        .exclude(metering_point__contract__status=Contract.Status.TERMINATED)
        .select_related("metering_point__contract")
        .order_by("pk")
    )
    today = dt.date.today()
    histories = zone_histories(meters=meters, today=today)
    result = []
    for meter in meters:
        values = {}
        for zone in meter.zones:
            previous = histories[(meter.pk, zone)].previous
            values[zone] = _next_value(previous.value if previous else None)
        result.append((meter, values))
    return result


FORM_LUA = """
local meters = {%(meters)s}
local csrf = "%(csrf)s"
local nthreads = %(threads)d
local counter = 0
setup = function(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
init = function(args)
  idx = tid
  math.randomseed(os.time() * 100 + tid)
  headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%%x", math.random(0, 15)) end
  return table.concat(t)
end
request = function()
  local m = meters[(idx %% #meters) + 1]
  idx = idx + nthreads
  local token = hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" .. hex(12)
  local body = "csrfmiddlewaretoken=" .. csrf .. "&token=" .. token .. "&" .. m[2]
  return wrk.format("POST", m[1], headers, body)
end
"""


def form_fields(meter: Meter, values: dict[str, str]) -> str:
    return "&".join(f"m{meter.pk}_{zone}={value}" for zone, value in values.items())


def measure_form(base: str, cookie: str, client: Client, user: User) -> list[Row]:
    meters = form_meters(user)
    # One meter is kept for the in-process query count.
    counted_meter, counted_values = meters.pop()
    bench_cleanup(user)
    entries = ",".join(
        f'{{"/readings/meter/{m.pk}/", "{form_fields(m, values)}"}}' for m, values in meters
    )
    script = FORM_LUA % {"meters": entries, "csrf": CSRF, "threads": THREADS}
    floor_url = f"{base}/{FLOOR_PATH}"
    before = wrk(floor_url, cookie)
    started = Submission.objects.filter(submitted_by=user).count()
    run = drained(wrk(f"{base}/readings/", cookie, script=script))
    accepted = Submission.objects.filter(submitted_by=user).count() - started
    after = wrk(floor_url, cookie)
    floor_rps = (before.rps + after.rps) / 2
    if accepted > len(meters) * 0.9:
        log("  form: warning — nearly every meter was used; raise the meter count or cut seconds")
    accepted_rps = accepted / (run.requests / run.rps) if run.requests else 0.0
    # The query count of one accepted submission, in-process.
    data = {"token": str(uuid.uuid4())}
    data.update({f"m{counted_meter.pk}_{z}": v for z, v in counted_values.items()})
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/readings/meter/{counted_meter.pk}/", data)
    assert response.status_code == 302, response.status_code
    bench_cleanup(user)
    now, goal = GOALS["form"]
    log(f"  form: floor {before.rps:.0f} → {after.rps:.0f} req/s, {accepted} accepted")
    return [
        Row(
            group="form",
            title="Форма показаний: принятых/с ÷ пол",
            ratio=accepted_rps / floor_rps,
            goal=goal,
            now=now,
            p50_ms=run.p50_ms,
            p99_ms=run.p99_ms,
            queries=len(ctx.captured_queries),
            rps=accepted_rps,
            floor_rps=floor_rps,
            note=f"{accepted} accepted in {run.requests / run.rps:.1f} s",
            extra={"floor_before": before.rps, "floor_after": after.rps},
        )
    ]


# --- the bulk upload ---------------------------------------------------------------------------


def upload_file(user: User, counterparty: Counterparty) -> tuple[bytes, int]:
    """A filled template: every meter in service of the counterparty, a value in every zone."""
    from openpyxl import Workbook

    from lkk.readings.bulk import COLUMN, HEADERS

    meters = dict(form_meters(user))
    in_service = list(
        Meter.objects.visible_to(user)
        .filter(counterparty=counterparty, removed_on__isnull=True)
        .select_related("metering_point__contract")
        .order_by("metering_point__contract__number", "metering_point__code", "pk")[:UPLOAD_ROWS]
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Показания")
    sheet.append(list(HEADERS))
    filled = 0
    for number, meter in enumerate(in_service, start=1):
        row: list[object] = [None] * len(HEADERS)
        row[COLUMN["№"]] = number
        row[COLUMN["Договор"]] = meter.metering_point.contract.number
        row[COLUMN["Код ТУ"]] = meter.metering_point.code
        row[COLUMN["Заводской номер"]] = meter.serial_number
        row[COLUMN["ID"]] = meter.pk
        values = meters.get(meter)
        if values is None:  # АСКУЭ: the template's mark, which the upload reads as empty
            row[COLUMN["Т1"]] = "АСКУЭ — не заполнять"
        else:
            filled += 1
            for index, value in enumerate(values.values()):
                row[COLUMN["Т1"] + index] = int(value)
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), filled


def multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    body = "".join(parts).encode() + head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def measure_upload(base: str, cookie: str, client: Client, user: User) -> list[Row]:
    counterparty = Counterparty.objects.visible_to(user).get()
    content, filled = upload_file(user, counterparty)
    upload_times, copy_times, readings = [], [], 0
    queries = None
    for round_number in range(UPLOAD_ROUNDS + 1):
        bench_cleanup(user)
        fields = {"csrfmiddlewaretoken": CSRF, "token": str(uuid.uuid4())}
        fields["counterparty"] = str(counterparty.pk)
        if round_number == 0:  # in-process, for the query count (and a warm-up)
            upload = io.BytesIO(content)
            upload.name = "bench.xlsx"
            with CaptureQueriesContext(connection) as ctx:
                response = client.post("/readings/upload/", {**fields, "file": upload})
            assert response.status_code == 302, response.content[:2000]
            queries = len(ctx.captured_queries)
            continue
        if round_number == 1:
            warm_up_uploads(base, cookie, fields, content)
            bench_cleanup(user)
        started = time.perf_counter()
        status, answer = post_upload(base, cookie, fields, content)
        upload_times.append(time.perf_counter() - started)
        if status != 302:
            raise RuntimeError(f"upload answered {status}: {answer[:2000]!r}")
        record = BulkUpload.objects.filter(uploaded_by=user).get()
        if record.rows_accepted != filled:
            raise RuntimeError(f"{record.rows_accepted} of {filled} rows accepted")
        copy_times.append(_copy_time(record.submission_id))
        readings = Reading.objects.filter(submission_id=record.submission_id).count() or readings
    bench_cleanup(user)
    upload_time, copy_time = statistics.median(upload_times), statistics.median(copy_times)
    now, goal = GOALS["upload"]
    log(f"  upload: {upload_time * 1000:.0f} ms, COPY {copy_time * 1000:.1f} ms")
    return [
        Row(
            group="upload",
            title=f"Загрузка XLSX, {filled} строк: строк/с ÷ COPY",
            ratio=copy_time / upload_time,
            goal=goal,
            now=now,
            p50_ms=upload_time * 1000,
            queries=queries,
            rps=filled / upload_time,
            note=f"upload {upload_time * 1000:.0f} ms, COPY of its {readings} readings "
            f"{copy_time * 1000:.1f} ms",
            extra={"upload_ms": [t * 1000 for t in upload_times], "copy_ms": copy_time * 1000},
        )
    ]


def post_upload(
    base: str, cookie: str, fields: dict[str, str], content: bytes
) -> tuple[int, bytes]:
    body, content_type = multipart(fields, "bench.xlsx", content)
    request = urllib.request.Request(  # noqa: S310 — our own gunicorn on loopback
        f"{base}/readings/upload/",
        data=body,
        headers={"Cookie": cookie, "Content-Type": content_type},
        method="POST",
    )
    status, answer, _headers = http(request)
    return status, answer


def warm_up_uploads(base: str, cookie: str, fields: dict[str, str], content: bytes) -> None:
    """One upload per gunicorn worker, at the same time, before the measured ones (as the pages
    are warmed): uploads one after another may all reach one worker, and the other's first
    upload was ~0.3 s slower (measured: 939 and 726 ms, then 595–677 ms)."""
    forms = [{**fields, "token": str(uuid.uuid4())} for _ in range(WORKERS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        answers = list(pool.map(lambda form: post_upload(base, cookie, form, content), forms))
    for status, answer in answers:
        if status >= 500:
            raise RuntimeError(f"upload answered {status}: {answer[:2000]!r}")


COPY_COLUMNS = ("meter_id", "zone", "value", "read_on", "source", "status", "submission_id",
                "submitted_by_id", "created_at", "consumption", "rolled_over",
                "rejection_reason", "to_export")  # fmt: skip


def _copy_time(submission_id: int) -> float:
    """The upload's readings deleted and written again by COPY, in one committed transaction."""
    written = Reading.objects.filter(submission_id=submission_id)
    rows = list(written.values_list(*COPY_COLUMNS))
    written.delete()
    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(Reading, COPY_COLUMNS, rows, batch_size=len(rows) + 1)
    return time.perf_counter() - started


# --- the seed ---------------------------------------------------------------------------------


def seed_time(tree: Path) -> float:
    """`seed_demo --scale large` in `tree` on a fresh PostgreSQL cluster: the time it reports."""
    python = str(ROOT / ".venv" / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "lkk.settings"
    env["LKK_VAR_DIR"] = str(tree / "var")
    command = (
        f"{python} manage.py migrate -v0 && "
        f"{python} manage.py seed_demo --scale large --quiet-logins"
    )
    argv = [python, str(ROOT / "scripts" / "services.py"), "--postgres", "--", "sh", "-c", command]
    out = subprocess.run(  # noqa: S603
        argv, cwd=tree, env=env, capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"seed_demo --scale large: ([\d.]+) s", out)
    if match is None:
        raise RuntimeError(f"seed_demo said:\n{out}")
    return float(match.group(1))


def measure_seed() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="lkk-seed-baseline-") as tmp:
        baseline = Path(tmp)
        archive = subprocess.run(  # noqa: S603
            ["git", "archive", "--format=tar", SEED_BASELINE],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(baseline, filter="data")
        log("  seed: baseline on a fresh cluster…")
        old = seed_time(baseline)
    log(f"  seed: baseline {old:.1f} s; this tree on a fresh cluster…")
    new = seed_time(ROOT)
    now, goal = GOALS["seed"]
    return [
        Row(
            group="seed",
            title="seed_demo --scale large: было ÷ стало",
            ratio=old / new,
            goal=goal,
            now=now,
            note=f"{SEED_BASELINE}: {old:.1f} s, now: {new:.1f} s",
            extra={"baseline_s": old, "new_s": new},
        )
    ]


# --- the report ------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    print()
    header = (
        f"{'what (big_demo)':<44} {'issue now':>10} {'ratio':>7} {'goal':>6} {'':2} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'queries':>7}  note"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = f"{row.ratio:.3f}" if row.ratio is not None else "—"
        goal = f"≥{row.goal:g}" if row.goal is not None else ""
        mark = {True: "ok", False: "NO", None: ""}[row.met]
        p50 = f"{row.p50_ms:.1f}" if row.p50_ms is not None else ""
        p99 = f"{row.p99_ms:.1f}" if row.p99_ms is not None else ""
        queries = str(row.queries) if row.queries is not None else ""
        print(
            f"{row.title:<44} {row.now:>10} {ratio:>7} {goal:>6} {mark:2} "
            f"{p50:>8} {p99:>8} {queries:>7}  {row.note}"
        )
    print()


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    if connection.vendor != "postgresql":
        raise SystemExit("the bench runs on PostgreSQL: use `make bench`")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale="large", quiet_logins=True, stdout=io.StringIO())
    log(f"seed_demo (loaded once, then only checked): {time.monotonic() - started:.1f} s")
    # What autovacuum does in time on a live database: a migration that rewrote a table left
    # its pages not all-visible, and the lists' index-only scans would visit the table.
    vacuum(Counterparty, Contract, ConsumptionObject, MeteringPoint, Meter)
    call_command("collectstatic", interactive=False, verbosity=0)
    user = User.objects.get(username=USERNAME)
    bench_cleanup(user)
    client, cookie = login_cookie(user)
    pages = pages_for(user)
    rows: list[Row] = []
    wanted = ONLY or {*pages, "form", "upload", "seed"}
    with gunicorn(cookie) as base:
        for group, batch in pages.items():
            if group not in wanted:
                continue
            log(f"batch {group}…")
            batch_rows, _runs = measure_batch(group, batch, base, cookie, client)
            rows += deep_rows(batch_rows) if group == "deep" else batch_rows
        if "form" in wanted:
            log("batch form…")
            rows += measure_form(base, cookie, client, user)
        if "upload" in wanted:
            log("batch upload…")
            rows += measure_upload(base, cookie, client, user)
    if RUN_SEED and "seed" in wanted:
        log("batch seed…")
        rows += measure_seed()
    print_table(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
        "seconds_per_run": SECONDS,
        "connections": CONNECTIONS,
        "workers": WORKERS,
        "rows": [asdict(row) | {"met": row.met} for row in rows],
    }
    OUT.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
