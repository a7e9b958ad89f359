"""With REDIS_URL set, the cache and Celery's broker are Redis (run by `make test-postgres`)."""

import os
import time
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

from lkk.celery import app

pytestmark = pytest.mark.redis


@pytest.fixture(autouse=True)
def _needs_redis():
    assert os.environ.get("REDIS_URL"), "run with a Redis server: make test-postgres"


@app.task(name="tests.remember")
def remember(key: str, value: str) -> None:
    cache.set(key, value, 60)


def test_cache_is_redis_and_shared():
    import redis

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key = f"lkk-test-{uuid.uuid4()}"
    cache.set(key, "значение", 30)
    # Another client of the same server (another app server) sees it.
    raw = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert any(key in k.decode() for k in raw.keys("*lkk-test-*"))
    assert cache.get(key) == "значение"


def test_celery_task_goes_through_the_redis_broker(settings):
    """A task queued here is run by a worker and its result reaches the shared cache.

    The task goes to a queue of this test's own: in the PostgreSQL pass the other test process
    may run a worker on the default queue at the same time (the outbox tests), and that worker
    would take the task and write the result under its own test's cache prefix.
    """
    from celery.contrib.testing.worker import start_worker

    queue = f"tests-{uuid.uuid4().hex}"
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]
        ):
            key = f"lkk-task-{uuid.uuid4()}"
            remember.apply_async((key, "done"), queue=queue)
            deadline = time.monotonic() + 20
            while cache.get(key) is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert cache.get(key) == "done"
    finally:
        app.conf.task_always_eager = True
        # The next worker of this process consumes the default queue again.
        app.amqp.queues.select([app.conf.task_default_queue])
