"""The production settings plus the floor view's URL and an always-open reading window."""

from lkk.settings import *  # noqa: F403 — the bench runs exactly what production runs

ROOT_URLCONF = "lkk.bench.urls"
# The bench submits readings whatever the day of the month.
LKK_READING_WINDOW = "1-31"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405 — the in-process query counts
