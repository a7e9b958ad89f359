"""«Уведомления» in a real browser: the menu's unread count, reading a notice, opening its page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser


def test_a_customer_reads_a_notice_and_the_count_goes(page: Page, demo) -> None:
    from lkk.accounts.models import User
    from lkk.notifications.services import notify

    user = User.objects.get(username="fl_demo")
    before = user.unread_notifications  # the demo's own notices (an outage on fl_demo's street)
    notify(user, topic="applications", title="Заявка № З-2026-000007 в работе", url="/contracts/")
    notify(user, topic="news", title="Офис на ул. Ленина работает в субботу", body="С 9 до 14.")

    log_in(page, "fl_demo")
    badge = page.get_by_test_id("unread-count")
    expect(badge).to_have_text(f"непрочитанных: {before + 2}")
    page.get_by_test_id("menu-notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Уведомления")
    expect(page.get_by_test_id("notification").first).to_be_visible()

    # A notice without a page of its own: open it, read it, mark it read.
    page.get_by_role("link", name="Офис на ул. Ленина работает в субботу").click()
    expect(page.get_by_test_id("notification-body")).to_have_text("С 9 до 14.")
    page.get_by_role("button", name="Отметить прочитанным").click()
    expect(page.get_by_test_id("unread-count")).to_have_text(f"непрочитанных: {before + 1}")

    # A notice about a page: «Открыть» goes there, and nothing is left unread.
    page.get_by_test_id("notification").filter(has_text="З-2026-000007").get_by_role(
        "button", name="Открыть"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Договоры")
    page.get_by_test_id("menu-notifications").click()
    if before:
        expect(page.get_by_test_id("unread-count")).to_have_text(f"непрочитанных: {before}")
        page.get_by_role("button", name="Отметить все прочитанными").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    page.get_by_test_id("notifications-unread").click()
    expect(page.get_by_text("Непрочитанных уведомлений нет.")).to_be_visible()
