"""The suite runs on the embedded SQLite (WAL) and, with DATABASE_URL, on PostgreSQL."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_is_the_one_configured():
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            assert int(cursor.fetchone()[0]) >= 150000
    else:
        assert connection.vendor == "sqlite"


def test_embedded_sqlite_uses_wal(tmp_path):
    """A fresh SQLite database file opened with the project's options is in WAL mode."""
    import sqlite3

    from lkk import settings as project

    db = sqlite3.connect(tmp_path / "wal.sqlite3")
    db.executescript(project.SQLITE_OPTIONS["init_command"])
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
