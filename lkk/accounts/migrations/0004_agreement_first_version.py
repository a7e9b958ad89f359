"""The first published version of the user agreement, so that a new deployment can ask for consent
from the start. Later versions are added in the admin."""

import datetime as dt
import hashlib

from django.db import migrations

from lkk.accounts.agreement_text import TEXT, TITLE, VERSION


def publish(apps, schema_editor):
    Agreement = apps.get_model("accounts", "Agreement")
    Agreement.objects.get_or_create(
        version=VERSION,
        defaults={
            "title": TITLE,
            "text": TEXT,
            "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
            "published_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),  # as agreement_ensure_first()
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_consent")]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
