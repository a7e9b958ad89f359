"""Charge lines and tariff components become billing's rows keyed by billing_id (I1: the
exchange's charge_lines and tariff_components files).

Rows that exist get the ids the demo seed gives (lkk/demo/money.py): a line
`<charge's billing_id>-<zone>`, a component `TC-<contract's billing_id>-<ГГГГММ>-<kind>`; where
that would be longer than 64 characters, `CL-<id>` / `TC-<id>`. One UPDATE per table.
"""

import django.core.validators
import django.utils.timezone
from decimal import Decimal

from django.db import migrations, models

LINES = {
    "postgresql": """
        UPDATE billing_chargeline l SET billing_id = CASE
            WHEN length(c.billing_id) + 1 + length(l.zone) <= 64 THEN c.billing_id || '-' || l.zone
            ELSE 'CL-' || l.id END
        FROM billing_charge c WHERE c.id = l.charge_id
    """,
    "sqlite": """
        UPDATE billing_chargeline SET billing_id = (
            SELECT CASE
                WHEN length(c.billing_id) + 1 + length(billing_chargeline.zone) <= 64
                THEN c.billing_id || '-' || billing_chargeline.zone
                ELSE 'CL-' || billing_chargeline.id END
            FROM billing_charge c WHERE c.id = billing_chargeline.charge_id)
    """,
}
COMPONENTS = {
    "postgresql": """
        UPDATE billing_tariffcomponent t SET billing_id = CASE
            WHEN length(k.billing_id) + 12 + length(t.kind) <= 64
            THEN 'TC-' || k.billing_id || '-' || to_char(t.period, 'YYYYMM') || '-' || t.kind
            ELSE 'TC-' || t.id END
        FROM customers_contract k WHERE k.id = t.contract_id
    """,
    "sqlite": """
        UPDATE billing_tariffcomponent SET billing_id = (
            SELECT CASE
                WHEN length(k.billing_id) + 12 + length(billing_tariffcomponent.kind) <= 64
                THEN 'TC-' || k.billing_id || '-' || strftime('%Y%m', billing_tariffcomponent.period)
                     || '-' || billing_tariffcomponent.kind
                ELSE 'TC-' || billing_tariffcomponent.id END
            FROM customers_contract k WHERE k.id = billing_tariffcomponent.contract_id)
    """,
}


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in LINES:
        raise NotImplementedError(vendor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(LINES[vendor])
        cursor.execute(COMPONENTS[vendor])


NON_NEGATIVE = [django.core.validators.MinValueValidator(Decimal("0"))]


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_charge_lines_tariff_components"),
        ("customers", "0003_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="chargeline",
            name="billing_id",
            field=models.CharField(max_length=64, null=True, verbose_name="ID в биллинге"),
        ),
        migrations.AddField(
            model_name="chargeline",
            name="synced_at",
            field=models.DateTimeField(
                auto_now=True,
                default=django.utils.timezone.now,
                verbose_name="получено из биллинга",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="tariffcomponent",
            name="billing_id",
            field=models.CharField(max_length=64, null=True, verbose_name="ID в биллинге"),
        ),
        migrations.AddField(
            model_name="tariffcomponent",
            name="synced_at",
            field=models.DateTimeField(
                auto_now=True,
                default=django.utils.timezone.now,
                verbose_name="получено из биллинга",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="chargeline",
            name="billing_id",
            field=models.CharField(max_length=64, unique=True, verbose_name="ID в биллинге"),
        ),
        migrations.AlterField(
            model_name="tariffcomponent",
            name="billing_id",
            field=models.CharField(max_length=64, unique=True, verbose_name="ID в биллинге"),
        ),
        migrations.AlterField(
            model_name="chargeline",
            name="amount",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=NON_NEGATIVE,
                verbose_name="сумма с НДС, ₽",
            ),
        ),
        migrations.AlterField(
            model_name="chargeline",
            name="kwh",
            field=models.DecimalField(
                decimal_places=3,
                max_digits=16,
                validators=NON_NEGATIVE,
                verbose_name="объём, кВт·ч",
            ),
        ),
        migrations.AlterField(
            model_name="chargeline",
            name="price",
            field=models.DecimalField(
                decimal_places=5,
                max_digits=12,
                validators=NON_NEGATIVE,
                verbose_name="цена без НДС, ₽/кВт·ч",
            ),
        ),
        migrations.AlterField(
            model_name="chargeline",
            name="vat_amount",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=NON_NEGATIVE,
                verbose_name="сумма НДС, ₽",
            ),
        ),
        migrations.AlterField(
            model_name="chargeline",
            name="vat_rate",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=5,
                validators=NON_NEGATIVE,
                verbose_name="ставка НДС, %",
            ),
        ),
    ]
