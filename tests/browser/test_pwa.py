"""The installable app (P2) in Chromium: the manifest and the service worker register, and
with the network gone a navigation shows the offline page."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_manifest_service_worker_and_offline_page(transactional_db, page: Page) -> None:
    page.goto("/accounts/login/")
    manifest = page.locator('link[rel="manifest"]').get_attribute("href")
    assert manifest == "/manifest.webmanifest"
    data = page.evaluate("url => fetch(url).then(r => r.json())", manifest)
    assert data["start_url"] == "/" and len(data["icons"]) == 4
    script = page.evaluate(
        "() => navigator.serviceWorker.ready.then(r => r.active && r.active.scriptURL)"
    )
    assert script.endswith("/sw.js")
    # The worker controls the pages loaded after it activated.
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    try:
        page.goto("/contracts/")
        expect(page.get_by_test_id("offline")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text("Нет соединения с интернетом")
    finally:
        page.context.set_offline(False)
    page.goto("/accounts/login/")
    expect(page.get_by_test_id("offline")).to_have_count(0)
