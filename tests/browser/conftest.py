"""Browser tests: headless Debian Chromium driven by Playwright against a live server.

Playwright never downloads a browser here: it drives /usr/bin/chromium (Debian's package).
Every test gets a fresh browser context (cookies, storage) and a live server with a fresh
transactional database; demo data is loaded per test by the `demo` fixture.
"""

from __future__ import annotations

import io
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000
DESKTOP = {"width": 1280, "height": 800}
HERE = Path(__file__).resolve().parent
PO_FILE = HERE.parents[1] / "lkk" / "locale" / "en" / "LC_MESSAGES" / "django.po"
RU_PO_FILE = HERE.parents[1] / "lkk" / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session; each test opens its own context."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium "
            "(apt-get install chromium, or `make system-packages`); Playwright must not "
            "download its own browser.",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in this thread from start() to
    # stop(), and Django refuses ORM calls while a loop runs (SynchronousOnlyOperation). The
    # ORM is still used synchronously here (fixtures, the live server's database flush), so
    # the check is switched off for as long as Playwright runs, and restored afterwards.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        with sync_playwright() as playwright:
            # launch() gives Chromium a fresh temporary --user-data-dir of its own (and removes
            # it on close); passing one in the args is refused by Playwright.
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _app_serves_static(application):
    """No static handler in front of the app: WhiteNoise serves /static/ as in production."""
    return application


@pytest.fixture(scope="session")
def live_server(request, django_db_setup, _static_manifest) -> Iterator[object]:
    """pytest-django's live server, with static files served by the app itself.

    pytest-django puts Django's finder-based StaticFilesHandler in front of the server; it
    knows only the unhashed source files, so every page of the app (which runs with the
    production CompressedManifestStaticFilesStorage) would get 404 for its CSS and JS. Here
    the app's own WhiteNoise serves the collected, hashed files from STATIC_ROOT.
    """
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _app_serves_static
    _sqlite_readers_do_not_lock()
    server.start()
    yield server
    server.stop()


def _read_uncommitted(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        # The raw sqlite3 connection: Django's cursor is blocked outside a db fixture.
        connection.connection.execute("PRAGMA read_uncommitted = 1")


def _sqlite_readers_do_not_lock() -> None:
    """The live server and the app's own threads (a report built in the background) share the
    test's in-memory SQLite in shared-cache mode, where a reader locks the table it reads: the
    progress poll reading `reports_report` made the build's progress write fail with «database
    table is locked». A production SQLite is a file in WAL mode (readers never block the
    writer), so here readers read uncommitted data instead of locking — the same effect."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_read_uncommitted, dispatch_uid="lkk-read-uncommitted")
    for connection in connections.all():
        if connection.vendor == "sqlite" and connection.connection is not None:
            _read_uncommitted(None, connection)


@pytest.fixture
def viewport() -> dict[str, int]:
    """The page's viewport; a test overrides it with `@pytest.mark.parametrize("viewport", ...)`."""
    return DESKTOP


@pytest.fixture
def page(browser, live_server, viewport, request, tmp_path_factory) -> Iterator[object]:
    """A page in a new browser context whose relative URLs go to the live server."""
    context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="ru-RU")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    if request.node.stash.get(_CALL_FAILED, False):
        shot = tmp_path_factory.mktemp("screenshots") / f"{request.node.name}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failed page: {shot} ({page.url})")
        except Exception as exc:  # a screenshot must not hide the test's own failure
            print(f"no screenshot: {exc}")
    context.close()


#: The in-memory SQLite database right after the demo seed, per day (the seed's dates follow
#: today), kept by each test worker: a later test copies it back in milliseconds instead of
#: seeding again (~11 s of CPU each time for 70,000 readings).
_DEMO_SNAPSHOTS: dict[object, sqlite3.Connection] = {}


@pytest.fixture
def demo(transactional_db) -> None:
    """The `small` demo data (ul_demo, ip_demo, fl_demo, big_demo, operator, admin)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import caches
    from django.db import connection
    from django.utils import timezone

    from lkk.demo.seed import seed

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        seed(scale="small", stream=io.StringIO())
        return
    connection.ensure_connection()
    day = timezone.localdate()
    snapshot = _DEMO_SNAPSHOTS.get(day)
    if snapshot is None:
        seed(scale="small", stream=io.StringIO())
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _DEMO_SNAPSHOTS[day] = snapshot
        return
    snapshot.backup(connection.connection)
    # Row ids repeat from one test to the next now: nothing cached by id may survive.
    ContentType.objects.clear_cache()
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def english_catalog(settings, tmp_path) -> polib.POFile:
    """The English catalog as the .po file has it, compiled for this test's live server.

    The .mo files are build output (`make messages`, git-ignored); compiling the current .po
    into a temporary LOCALE_PATHS keeps the test independent of a stale or missing build.
    """
    catalog = polib.pofile(str(PO_FILE))
    target = tmp_path / "locale" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    catalog.save_as_mofile(str(target / "django.mo"))
    # The Russian catalogue too: it holds the three plural forms of the Russian pages.
    russian = tmp_path / "locale" / "ru" / "LC_MESSAGES"
    russian.mkdir(parents=True)
    polib.pofile(str(RU_PO_FILE)).save_as_mofile(str(russian / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    return catalog
