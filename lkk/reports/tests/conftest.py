from lkk.billing.tests.conftest import money_a, today  # noqa: F401 — the same fixtures
