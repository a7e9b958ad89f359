"""Celery: on Redis in production; with no REDIS_URL every task runs at once (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lkk.settings")

app = Celery("lkk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
