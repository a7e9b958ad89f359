"""Shared fixtures: customer A, customer B (an outsider to A), an operator and an admin."""

from __future__ import annotations

import copy
import os
import uuid
from dataclasses import dataclass

import hypothesis
import pytest
from django.utils import translation

from lkk.customers.models import AccessGrant, Contract, Counterparty
from lkk.customers.tests import factories
from lkk.readings.models import Submission


@dataclass
class Customer:
    user: object
    counterparty: Counterparty
    contract: Contract
    meter: object
    submission: object


def _customer(username: str, name: str) -> Customer:
    user = factories.UserFactory(username=username)
    meter = factories.MeterFactory(
        metering_point__consumption_object__contract__counterparty__short_name=name
    )
    contract = meter.metering_point.contract
    AccessGrant.objects.create(user=user, counterparty=contract.counterparty)
    submission = Submission.objects.create(
        token=uuid.uuid4(),
        counterparty=contract.counterparty,
        submitted_by=user,
        channel=Submission.Channel.FORM,
    )
    factories.ReadingFactory(meter=meter, submission=submission, submitted_by=user)
    return Customer(
        user=user,
        counterparty=contract.counterparty,
        contract=contract,
        meter=meter,
        submission=submission,
    )


# Hypothesis' 200 ms deadline per example measures the machine, not the code: on a loaded
# 2-core runner a correct validator missed it. Examples are still bounded by max_examples.
hypothesis.settings.register_profile("lkk", deadline=None)
hypothesis.settings.load_profile("lkk")


@pytest.fixture
def customer_a(db) -> Customer:
    return _customer("customer_a", "ООО «Альфа»")


@pytest.fixture
def customer_b(db) -> Customer:
    return _customer("customer_b", "ООО «Бета»")


@pytest.fixture
def operator(db):
    from lkk.accounts.services import roles_ensure

    user = factories.UserFactory(username="operator1", is_staff=True)
    user.groups.add(roles_ensure())
    return user


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="admin1", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _own_cache(settings) -> None:
    """Rate limits and lockouts keep counters in the cache: every test gets keys of its own.

    A fresh key prefix rather than `cache.clear()`: in the PostgreSQL pass both test workers
    share one Redis, and a clear by one would wipe the other's counters in the middle of a test.
    """
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _language_of_the_next_test_is_the_default() -> None:
    """A request through the test client leaves its language active in this thread (the
    portal's LanguageMiddleware activates it; gunicorn's next request activates its own): a test
    that asked a page in English must not leave the next test's gettext and number formats in
    English (CI once failed so: a browser test read «Company» for «ЮЛ»)."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_hasher(settings) -> None:
    """Argon2 is deliberately slow; tests that do not test hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _static_manifest(django_db_blocker) -> None:
    """Pages render with the production static storage, which needs collectstatic's manifest.

    Collected again only when a source file changed (the mark holds a fingerprint of every
    file the finders see: path, size, mtime): collecting with compression takes a while, and
    make test's second pass finds the first pass's files. Parallel workers share STATIC_ROOT,
    so the first one collects under a lock and the others find the mark and go on.
    """
    import fcntl
    import hashlib

    from django.apps import apps
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    # The patterns collectstatic itself ignores by default.
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    digest = hashlib.sha256(str(settings.STORAGES["staticfiles"]).encode())
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            full = storage.path(path)
            stat = os.stat(full)
            digest.update(f"{full}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    fingerprint = digest.hexdigest()
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    mark = settings.STATIC_ROOT / ".collected-from"
    with open(settings.STATIC_ROOT / ".collect.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not mark.exists() or mark.read_text() != fingerprint:
            with django_db_blocker.unblock():
                call_command("collectstatic", interactive=False, verbosity=0)
            mark.write_text(fingerprint)


def pytest_terminal_summary(terminalreporter) -> None:
    """«axe: N pages checked …, M serious/critical» after a run with the accessibility pass.

    tests/browser/test_a11y.py records its counts as user properties of each test's report;
    they reach this hook from every xdist worker (a subdirectory's conftest would not be loaded
    in the xdist controller, hence the hook lives here).
    """
    checks = pages = blocking = 0
    for reports in terminalreporter.stats.values():
        for report in reports:
            # The teardown report carries every property of the test (the walk records its
            # counts when it ends).
            if getattr(report, "when", None) != "teardown":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if name == "axe_checks":
                    checks += value
                elif name == "axe_pages":
                    pages += value
                elif name == "axe_blocking":
                    blocking += value
    if checks:
        terminalreporter.write_line(
            f"axe: {pages} pages checked at 1280 and 360 px ({checks} checks, WCAG 2.1 AA), "
            f"{blocking} serious/critical"
        )
