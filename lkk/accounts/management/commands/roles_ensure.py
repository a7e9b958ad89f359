from django.core.management.base import BaseCommand

from lkk.accounts.services import roles_ensure


class Command(BaseCommand):
    help = "Creates or updates the operators' group (read-only access to the billing mirror)."

    def handle(self, *args: object, **options: object) -> None:
        group = roles_ensure()
        self.stdout.write(f"{group.name}: {group.permissions.count()} permissions")
