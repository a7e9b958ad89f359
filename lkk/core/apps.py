from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_unicode_case(sender, connection, **kwargs) -> None:
    """SQLite's LOWER() and LIKE fold only ASCII; customers search in Cyrillic.

    Replacing LOWER() with Python's str.lower makes `field__lower__contains` behave the same
    on SQLite as on PostgreSQL.
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "LOWER", 1, lambda s: s.lower() if isinstance(s, str) else s, deterministic=True
        )


class CoreConfig(AppConfig):
    name = "lkk.core"
    verbose_name = "Ядро"

    def ready(self) -> None:
        from django.db.models import CharField, TextField
        from django.db.models.functions import Lower

        CharField.register_lookup(Lower)
        TextField.register_lookup(Lower)
        connection_created.connect(_sqlite_unicode_case)
