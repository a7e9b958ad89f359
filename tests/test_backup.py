"""Backup and restore as docs/deploy.md tells them, on PostgreSQL (SECURITY.md)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from lkk.customers.models import Contract, Meter
from lkk.readings.models import Reading

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _dsn(dbname: str) -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST']}:{s['PORT']}/{dbname}"


def test_pg_dump_and_pg_restore_give_back_every_row(customer_a, tmp_path):
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "run: make test-postgres"
    assert connection.vendor == "postgresql"
    source = connection.settings_dict["NAME"]
    target = f"{source}_restored"
    dump = tmp_path / "lkk.dump"
    subprocess.run(  # noqa: S603 — PostgreSQL's own tools on the test cluster
        [PG_BIN / "pg_dump", "--format=custom", f"--file={dump}", _dsn(source)], check=True
    )
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(  # noqa: S603
            [PG_BIN / "pg_restore", "--no-owner", f"--dbname={_dsn(target)}", dump], check=True
        )
        with psycopg.connect(_dsn(target)) as restored:
            for model in (Contract, Meter, Reading):
                table = model._meta.db_table
                count = restored.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                assert count == model.objects.count() > 0
            number = restored.execute(
                'SELECT number FROM "customers_contract" WHERE id = %s', [customer_a.contract.pk]
            ).fetchone()[0]
            assert number == customer_a.contract.number
    finally:
        with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
