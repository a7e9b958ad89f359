"""The installable app (P2): manifest, service worker, offline page."""

from __future__ import annotations

import json

from django.contrib.staticfiles import finders


def test_manifest(client, db):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/" and data["display"] == "standalone"
    assert data["name"].startswith("Личный кабинет клиента")
    assert data["theme_color"]
    purposes = {(i["sizes"], i["purpose"]) for i in data["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"),
                        ("512x512", "maskable")}  # fmt: skip
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_served_from_the_root(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert '"/offline/"' in body
    assert 'startsWith("/api/")' in body  # the API is never cached


def test_offline_page_has_nothing_personal(client, customer_a):
    client.force_login(customer_a.user)
    page = client.get("/offline/").content.decode()
    assert "Нет соединения" in page
    assert customer_a.user.username not in page and "ООО «Альфа»" not in page


def test_base_links_the_manifest_and_the_script(client, customer_a):
    client.force_login(customer_a.user)
    page = client.get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert "lkk/pwa" in page
    assert finders.find("lkk/pwa.js")
