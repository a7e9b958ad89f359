"""The WSGI module gunicorn loads (lkk/wsgi.py): the portal it serves, its startup objects left
out of the garbage collector's full passes (issue 13: an upload spent 100–240 ms in them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, io, json, sys
import lkk.wsgi
frozen = gc.get_freeze_count()
answers = []
environ = {
    "REQUEST_METHOD": "GET", "PATH_INFO": "/accounts/login/", "QUERY_STRING": "",
    "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "wsgi.url_scheme": "http",
    "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "HTTP_HOST": "127.0.0.1",
}
body = b"".join(lkk.wsgi.application(environ, lambda status, headers: answers.append(status)))
print(json.dumps([frozen, answers[0], "Вход" in body.decode()]))
"""


def test_the_wsgi_application_serves_with_its_startup_objects_frozen(tmp_path):
    """No database is touched: the login page of a visitor without a session."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lkk.settings",
        "SECRET_KEY": "test-only",
        "SQLITE_PATH": str(tmp_path / "wsgi.sqlite3"),
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }
    done = subprocess.run(  # noqa: S603 — our own interpreter
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    frozen, status, login = json.loads(done.stdout)
    # Django, the apps and the views: far more than a bare interpreter's few thousand objects.
    assert int(frozen) > 50_000, done.stdout
    assert (status, login) == ("200 OK", True), done.stdout
