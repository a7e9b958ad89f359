"""`manage.py purge_expired`: the retention purge now (Celery beat runs it daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lkk.core.retention import retention_purge


class Command(BaseCommand):
    help = "Удаляет данные с истёкшим сроком хранения (коды, черновики заявок, сообщения, журнал)."

    def handle(self, *args: object, **options: object) -> None:
        for name, count in retention_purge().items():
            self.stdout.write(f"{name}: {count}")
