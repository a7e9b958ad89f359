"""The schema and Swagger UI, both served by the portal (no CDN, no inline script)."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders


def test_schema_and_local_swagger_ui(client, db):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    wanted = ["readings/", "reports/{id}/file/", "offices/{id}/slots/", "appointments/{id}/move/",
              "outages/", "outage-subscriptions/", "surveys/{id}/answer/",
              "applications/{id}/attachments/", "applications/{id}/rate/"]  # fmt: skip
    for path in wanted:
        assert f"/api/v1/{path}" in paths, path
    upload = paths["/api/v1/applications/{id}/attachments/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)  # CSP: no inline script
    assert "vendor/swagger-ui/swagger-ui-bundle" in html and "lkk/api/swagger-init" in html
    assert "http" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', html))
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert finders.find("vendor/swagger-ui/swagger-ui-bundle.js")
