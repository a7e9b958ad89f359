from django.core.management.base import BaseCommand

from lkk.notifications.outbox import outbox_drain_due


class Command(BaseCommand):
    help = (
        "Delivers the outbox's due messages now, without Celery "
        "(for cron where no beat runs, or by hand)."
    )

    def handle(self, *args: object, **options: object) -> None:
        result = outbox_drain_due()
        self.stdout.write(
            f"sent: {result.sent}, to retry: {result.retried}, failed: {result.failed}"
        )
