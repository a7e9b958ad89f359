"""Headers and page hygiene a security review checks (SECURITY.md, sessions and headers)."""

import re
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def _pages(client, customer_a):
    client.force_login(customer_a.user)
    urls = [
        reverse("customers:home"),
        reverse("customers:contract_list"),
        reverse("customers:meter_detail", args=[customer_a.meter.pk]),
    ]
    return [client.get(url) for url in urls]


def test_csp_forbids_inline_scripts(client, customer_a):
    for response in _pages(client, customer_a):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp


def test_pages_have_no_inline_script_or_foreign_asset(client, customer_a):
    login = client.get(reverse("accounts:login"))
    for response in [login, *_pages(client, customer_a)]:
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag, tag
        assert not re.search(r"\son\w+=", html), "inline event handlers are scripts too"
        for url in re.findall(r'(?:src|href)="(https?:)?//[^"]*"', html):
            assert not url, "no asset from another host"


def test_security_headers(client, customer_a):
    for response in _pages(client, customer_a):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_every_form_carries_a_csrf_token(client, customer_a):
    for response in [client.get(reverse("accounts:login")), *_pages(client, customer_a)]:
        html = response.content.decode()
        for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", html, re.S):
            assert "csrfmiddlewaretoken" in form


def test_login_post_without_csrf_token_is_refused(customer_a):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "customer_a", "password": "x"})
    assert response.status_code == 403


def test_production_settings_pass_check_deploy(tmp_path):
    """`manage.py check --deploy` is clean with the settings a deployment uses."""
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "a-long-random-production-like-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "lkk.example.ru",
        "DEBUG": "0",
        "DEMO_MODE": "0",
        "LKK_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "0", "DEMO_MODE": "0", "LKK_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
