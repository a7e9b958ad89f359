"""Accessibility in a real browser (issue 8, point 9): axe-core on every page type; the keyboard.

axe-core comes from npm (pinned in package.json, installed into node_modules by `make assets`)
and is put into every page by the browser context itself (an init script), never from a CDN.
Every page type is checked at 1280 and 360 px against WCAG 2.1 A and AA (axe's tags wcag2a,
wcag2aa, wcag21a, wcag21aa): a violation of impact «serious» or «critical» fails the test, which
lists all of them (page, width, rule, elements) at the end of its walk. At 360 px a page must
not scroll sideways either.

Every page checked is also saved as var/screenshots/<page>-<width>.png (var/ is not committed),
so that anyone can look at the portal at both widths as the tests saw it.

One browser context per user: each user logs in once and walks through all of their pages.
The run ends with the line «axe: N pages checked …» (the hook is in the root conftest.py: it
sums what each test records as `axe_checks`, also across xdist workers).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from lkk.core.demo import DEMO_PASSWORD
from tests.browser.conftest import TIMEOUT_MS

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (1280, 360)
PHONE = 360
HEIGHT = 800
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


@dataclass
class Walk:
    """One user's pages, each checked by axe at both widths and saved as a screenshot."""

    page: Page
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def visit(self, name: str, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None
        self.check(name)

    def check(self, name: str) -> None:
        """The page as it is now, at 1280 and 360 px (the viewport changes, the page stays)."""
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": HEIGHT})
            self.check_at(name, width)

    def check_at(self, name: str, width: int) -> None:
        where = f"{name} ({self.page.url}) at {width} px"
        for violation in self.page.evaluate(RUN_AXE, AXE_TAGS):
            if violation["impact"] in BLOCKING:
                self.problems.append(
                    f"{where}: [{violation['impact']}] {violation['id']} — {violation['help']}: "
                    + "; ".join(violation["nodes"])
                )
        if width == PHONE:
            scroll_width = self.page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                self.problems.append(f"{where}: the page scrolls sideways ({scroll_width} px)")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        self.checked.append(f"{name}@{width}")


@pytest.fixture
def walk(page: Page, record_property) -> Iterator[Walk]:
    """The test's page with axe-core in it; records what was checked for the session summary."""
    page.context.add_init_script(path=str(AXE_JS))
    walk = Walk(page)
    yield walk
    record_property("axe_checks", len(walk.checked))
    record_property("axe_pages", len({check.split("@")[0] for check in walk.checked}))
    record_property("axe_blocking", len(walk.problems))


def _assert_clean(walk: Walk) -> None:
    assert walk.checked, "no page was checked"
    assert not walk.problems, (
        f"{len(walk.problems)} serious/critical accessibility violations or sideways scrolls "
        f"in {len(walk.checked)} page checks:\n" + "\n".join(walk.problems)
    )


def _log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


# --- Before the login -----------------------------------------------------------------------


def test_axe_pages_before_login(transactional_db, walk: Walk, settings) -> None:
    settings.DEMO_MODE = True  # the login page then lists the demo logins too
    page = walk.page
    walk.visit("login", "/accounts/login/")
    page.locator("#id_username").fill("nobody")
    page.locator("#id_password").fill("wrong-password-1")
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    walk.check("login-error")
    walk.visit("recovery", "/accounts/password/reset/")
    walk.visit("register", "/accounts/register/")
    walk.visit("register-contract", "/accounts/register/contract/")
    for form in ("ul", "ip", "fl"):
        walk.visit(f"register-{form}", f"/accounts/register/{form}/")
    walk.visit("register-steps", "/accounts/register/steps/")
    walk.visit("register-signup", "/accounts/register/signup/")
    # An empty form sent: the errors beside their fields.
    page.get_by_test_id("signup-form").get_by_role("button", name="Зарегистрироваться").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    walk.check("register-signup-errors")
    walk.visit("outages-public", "/outages/?street=Полонского&house=19а")
    walk.visit("offline", "/offline/")  # the installable app's offline page (P2)
    page.goto("/no-such-page/")
    walk.check("error-404")
    _assert_clean(walk)


# --- A customer ---------------------------------------------------------------------------------


def test_axe_customer_pages(
    demo, walk: Walk, browser: Browser, live_server, settings, tmp_path
) -> None:
    from lkk.customers.models import ConsumptionObject, Contract, Meter, MeteringPoint
    from lkk.readings.models import Reading
    from lkk.readings.tests.test_bulk import filled

    settings.LKK_READING_WINDOW = "1-31"  # the readings form takes values whatever the date
    page = walk.page
    user = _user("ul_demo")
    contract = Contract.objects.visible_to(user).order_by("number").first()
    obj = ConsumptionObject.objects.visible_to(user).filter(contract=contract).first()
    point = MeteringPoint.objects.visible_to(user).filter(consumption_object=obj).first()
    meter = Meter.objects.visible_to(user).filter(metering_point=point).first()

    _log_in(page, "ul_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    walk.check("home")
    # The phone's folded menu, unfolded.
    page.set_viewport_size({"width": PHONE, "height": HEIGHT})
    page.get_by_role("button", name="Меню").click()
    page.locator("header").get_by_role("button", name="Объекты и приборы").click()
    expect(page.locator("header").get_by_role("link", name="Приборы учёта")).to_be_visible()
    walk.check_at("home-menu", PHONE)

    for name, path in (
        ("counterparties", "/counterparties/"),
        ("contracts", "/contracts/"),
        ("objects", "/objects/"),
        ("points", "/points/"),
        ("meters", "/meters/"),
    ):
        walk.visit(name, path)
    walk.visit("counterparty", f"/counterparties/{contract.counterparty_id}/")
    walk.visit("contract", f"/contracts/{contract.pk}/")
    walk.visit("object", f"/objects/{obj.pk}/")
    walk.visit("point", f"/points/{point.pk}/")
    walk.visit("meter", f"/meters/{meter.pk}/")
    walk.visit("history", f"/readings/meter/{meter.pk}/history/")
    page.get_by_text("Расход по месяцам таблицей").click()
    expect(page.get_by_test_id("monthly")).to_be_visible()
    walk.check("history-monthly-table")
    walk.visit("finance", "/finance/")
    walk.visit("finance-contract", f"/finance/contracts/{contract.pk}/")
    walk.visit("documents", f"/finance/documents/?contract={contract.pk}")

    # «Передача показаний»: the list, the form, the form with an error, the receipt.
    walk.visit("readings", "/readings/")
    walk.visit("readings-form", f"/readings/contract/{contract.pk}/")
    field_name = f"m{meter.pk}_{meter.zones[0]}"
    page.locator(f"input[name={field_name}]").fill("-1")
    page.get_by_role("button", name="Передать показания").click()
    expect(page.locator(f"input[name={field_name}]")).to_have_attribute("aria-invalid", "true")
    walk.check("readings-form-errors")
    last = Reading.objects.filter(meter=meter).order_by("-read_on").first()
    page.locator(f"input[name={field_name}]").fill(str(int(last.value) + 10))
    page.get_by_role("button", name="Передать показания").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Квитанция №")
    walk.check("receipt")
    page.get_by_role("link", name="Исправить показания").click()
    walk.check("receipt-correct")
    walk.visit("upload", "/readings/upload/")
    # The upload's result, with rejected rows (a value that is no number, the АСКУЭ meters).
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачайте шаблон (.xlsx)").click()
    content, _ = filled(Path(download.value.path()).read_bytes(), bad={1: "abc"})
    upload = tmp_path / "pokazaniya.xlsx"
    upload.write_bytes(content)
    page.get_by_label("Файл с показаниями (.xlsx)").set_input_files(str(upload))
    page.get_by_role("button", name="Загрузить", exact=True).click()
    expect(page.get_by_test_id("rejected-rows")).to_be_visible()
    walk.check("upload-result")

    # «Активные сеансы» with an app's login, and the Web Push opt-in (P1, P2).
    from django.test import RequestFactory

    from lkk.api.services import token_issue

    token_issue(request=RequestFactory().get("/"), user=user)
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = "a11y-walk"
    walk.visit("profile", "/accounts/profile/")
    walk.visit("profile-password", "/accounts/profile/password/")
    walk.visit("profile-email", "/accounts/profile/email/")
    walk.visit("profile-phone", "/accounts/profile/phone/")
    walk.visit("profile-notifications", "/accounts/profile/notifications/")
    walk.visit("binding", "/accounts/binding/")
    walk.visit("notifications", "/notifications/")
    _walk_visits_and_outages(walk, user)
    walk.visit("error-404-logged-in", "/contracts/999999999/")
    walk.visit("logout-page", "/accounts/logout/")

    # The big customer's lists (300 contracts, 3000 points), in a context of its own.
    big = browser.new_context(base_url=live_server.url, locale="ru-RU")
    big.set_default_timeout(TIMEOUT_MS)
    big.add_init_script(path=str(AXE_JS))
    try:
        big_walk = Walk(big.new_page())
        _log_in(big_walk.page, "big_demo")
        expect(big_walk.page.get_by_role("heading", level=1)).to_have_text("Главная")
        big_walk.check("big-home")
        for name in ("contracts", "points", "meters"):
            big_walk.visit(f"big-{name}", f"/{name}/")
    finally:
        big.close()
    walk.checked += big_walk.checked
    walk.problems += big_walk.problems
    _assert_clean(walk)


def _walk_visits_and_outages(walk: Walk, user) -> None:
    """S1 and S3 as a customer: the booking steps, a visit, its move, «Мои записи», outages."""
    from lkk.appointments import services as visits
    from lkk.appointments.models import Office

    office = Office.objects.order_by("pk").first()
    service = office.services.order_by("pk").first()
    slot = visits.free_slots(office=office).first()
    day = timezone.localtime(slot.starts_at).date().isoformat()
    walk.visit("appointments-new", "/appointments/new/")
    walk.visit("appointments-days", f"/appointments/new/?office={office.pk}&service={service.pk}")
    query = f"?office={office.pk}&service={service.pk}&day={day}"
    walk.visit("appointments-times", f"/appointments/new/{query}")
    walk.page.get_by_role("button", name="Записаться").click()
    expect(walk.page.locator("[aria-invalid=true]").first).to_be_visible()
    walk.check("appointments-times-error")
    visit = visits.appointment_book(user=user, office=office, service=service, slot_id=slot.pk)
    walk.visit("appointment", f"/appointments/{visit.pk}/")
    walk.visit("appointment-move", f"/appointments/{visit.pk}/move/?day={day}")
    walk.visit("appointments", "/appointments/")
    walk.visit("outages", "/outages/")
    walk.visit("outage-subscriptions", "/outages/subscriptions/")


# --- The back office ----------------------------------------------------------------------------


def test_axe_back_office_pages(demo, walk: Walk) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lkk.accounts.models import RegistrationRequest
    from lkk.customers.models import Counterparty

    cp = Counterparty.objects.get(billing_id="DEMO-UL")
    contracts = list(cp.contracts.order_by("number"))
    req = RegistrationRequest.objects.create(
        way=RegistrationRequest.Way.STEPS,
        state=RegistrationRequest.State.PENDING,
        username="new-client",
        email="new@client.example",
        channel="email",
        contact="new@client.example",
        first_name="Анна",
        last_name="Смирнова",
        phone="+79120003344",
        company_kind="ul",
        inn=cp.inn,
        kpp=cp.kpp,
        company_name=cp.name,
        existing_counterparty=True,
        contract_numbers=[contracts[0].number, "NOPE-9"],
        counterparty=cp,
    )
    req.contracts.set(contracts[:1])
    device = TOTPDevice.objects.create(user=_user("operator"), name="test", confirmed=True)

    page = walk.page
    _log_in(page, "operator")
    expect(page.get_by_label("Код из приложения")).to_be_visible()
    walk.check("otp")
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Код из приложения").fill(f"{code:06d}")
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_load_state()

    page.wait_for_url("**/backoffice/")
    walk.check("backoffice-home")
    walk.visit("backoffice-queue", "/backoffice/registrations/")
    walk.visit("backoffice-request", f"/backoffice/registrations/{req.pk}/")
    walk.visit("backoffice-office-issue", "/backoffice/accounts/issue/")
    page.get_by_label("ИНН контрагента").fill(cp.inn)
    page.get_by_role("button", name="Найти").click()
    page.get_by_test_id("office-found").get_by_role("link").first.click()
    expect(page.get_by_test_id("office-form")).to_be_visible()
    walk.check("backoffice-office-issue-form")
    from lkk.exchange.models import ImportBatch

    batch = ImportBatch.objects.create(
        entity="contracts", channel="api", source="API", system="billing", status="done",
        rows_total=2, created=1, rejected=1,
        rejected_rows=[{"line": 3, "billing_id": "K2", "reason": "counterparty: нет записи"}],
    )  # fmt: skip
    walk.visit("exchange-batches", "/exchange/batches/")
    walk.visit("exchange-batch", f"/exchange/batches/{batch.pk}/")
    walk.visit("backoffice-office-day", "/appointments/office/")
    walk.visit("backoffice-outages", "/outages/manage/")
    walk.visit("backoffice-outage-new", "/outages/manage/new/")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    walk.check("backoffice-outage-errors")
    walk.visit("backoffice-outage-import", "/outages/manage/import/")
    # Applications and appeals (lkk/applications): the queue, an appeal, a connection.
    from lkk.applications.models import Application
    from lkk.customers.access import scopes_disabled

    with scopes_disabled():
        complaint = Application.objects.filter(kind="complaint").exclude(number="").first()
        connection = Application.objects.filter(kind="connection").exclude(number="").first()
    walk.visit("backoffice-applications", "/applications/staff/")
    walk.visit("backoffice-application", f"/applications/staff/{complaint.pk}/")
    walk.visit("backoffice-connection", f"/applications/staff/{connection.pk}/")
    _assert_clean(walk)


def test_axe_application_pages(demo, walk: Walk) -> None:
    """«Поданные заявки», «Новая заявка», a form with its errors, an application of each
    status and a connection with its stages (the demo has them for ul_demo)."""
    from lkk.applications.models import Application

    user = _user("ul_demo")
    mine = {a.kind: a for a in Application.objects.visible_to(user).order_by("pk")}
    page = walk.page
    _log_in(page, "ul_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    walk.visit("applications", "/applications/")
    walk.visit("application-new", "/applications/new/")
    walk.visit("application-form", "/applications/new/connection/")
    page.get_by_test_id("submit-application").click()
    expect(page.locator("#id_applicant")).to_have_attribute("aria-invalid", "true")
    walk.check("application-form-errors")
    for kind in ("complaint", "reconciliation", "consultation", "general", "connection"):
        walk.visit(f"application-{kind}", f"/applications/{mine[kind].pk}/")
    walk.visit("application-draft-edit", f"/applications/{mine['general'].pk}/edit/")
    _assert_clean(walk)


# --- The keyboard -------------------------------------------------------------------------------

#: What a keyboard user can reach: the elements Tab stops at.
TABBABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), "
    "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]"
)
FOCUS_SHOWN = """e => {
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}"""


def _focused(page: Page) -> dict[str, object]:
    return page.evaluate(
        f"""() => {{
      const e = document.activeElement;
      return {{key: e.dataset.tabKey || "", text: (e.innerText || e.value || "").trim(),
               shown: ({FOCUS_SHOWN})(e)}};
    }}"""
    )


def test_every_action_of_home_is_reached_by_tab_and_the_menu_works_without_a_mouse(
    demo, page: Page
) -> None:
    _log_in(page, "ul_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    # Every visible control of the page gets a key, to compare with where Tab goes.
    wanted = page.evaluate(
        f"""() => {{
      let n = 0;
      const keys = [];
      for (const e of document.querySelectorAll({TABBABLE!r})) {{
        const box = e.getBoundingClientRect();
        if (e.tabIndex < 0 || box.width === 0 || box.height === 0) continue;
        e.dataset.tabKey = String(++n);
        keys.push(e.dataset.tabKey);
      }}
      return keys;
    }}"""
    )
    assert len(wanted) > 10

    # The first Tab shows «Перейти к содержимому».
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Перейти к содержимому")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()

    reached: list[str] = []
    for _ in range(len(wanted) + 10):
        now = _focused(page)
        if now["key"]:
            assert now["shown"], f"no visible focus on {now['text']!r}"
            if now["key"] not in reached:
                reached.append(now["key"])
        page.keyboard.press("Tab")
    missed = [key for key in wanted if key not in reached]
    names = page.evaluate(
        "keys => keys.map(k => document.querySelector(`[data-tab-key='${k}']`).outerHTML"
        ".slice(0, 120))",
        missed,
    )
    assert not missed, f"not reached with Tab: {names}"

    # The menu without a mouse: Tab to the group, Enter opens it, arrows choose, Enter follows.
    page.goto("/")
    group = page.locator("header").get_by_role("button", name="Объекты и приборы")
    for _ in range(30):
        page.keyboard.press("Tab")
        if group.evaluate("e => e === document.activeElement"):
            break
    expect(group).to_be_focused()
    page.keyboard.press("Enter")
    expect(group).to_have_attribute("aria-expanded", "true")
    meters = page.locator("header").get_by_role("link", name="Приборы учёта")
    expect(meters).to_be_visible()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
        if meters.evaluate("e => e === document.activeElement"):
            break
    expect(meters).to_be_focused()
    assert page.evaluate(f"({FOCUS_SHOWN})(document.activeElement)")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Приборы учёта")
    # Escape closes an open group and gives the focus back to it.
    group = page.locator("header").get_by_role("button", name="Объекты и приборы")
    group.focus()
    page.keyboard.press("Enter")
    expect(group).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(group).to_have_attribute("aria-expanded", "false")
    expect(group).to_be_focused()


# --- News, information, help, surveys, the connection calculator (S2, S4, S5, T3) ---------------


def test_axe_content_pages(demo, walk: Walk) -> None:
    from lkk.content.models import News
    from lkk.surveys.models import Survey

    page = walk.page
    news = News.public().first()
    walk.visit("news", "/info/news/")
    walk.visit("news-item", f"/info/news/{news.pk}/")
    walk.visit("info", "/info/")
    walk.visit("info-page", "/info/pages/tariffs/")
    walk.visit("help", "/info/help/")
    walk.visit("calculator", "/connection/calculator/")
    walk.visit(
        "calculator-result",
        "/connection/calculator/?purpose=new&power_kw=150&voltage=0.4&category=3",
    )
    walk.visit("calculator-errors", "/connection/calculator/?purpose=increase&power_kw=0")
    _log_in(page, "ul_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    walk.visit("surveys", "/surveys/")
    survey = Survey.objects.get(title="Качество обслуживания")
    walk.visit("survey", f"/surveys/{survey.pk}/")
    page.get_by_role("button", name="Отправить ответы").click()
    expect(page.get_by_text("Ответьте на этот вопрос.").first).to_be_visible()
    walk.check("survey-errors")
    _assert_clean(walk)


def test_axe_content_back_office(demo, walk: Walk) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lkk.content.models import News
    from lkk.surveys.models import Survey

    device = TOTPDevice.objects.create(user=_user("operator"), name="test", confirmed=True)
    page = walk.page
    _log_in(page, "operator")
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Код из приложения").fill(f"{code:06d}")
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url("**/backoffice/")
    survey = Survey.objects.get(title="Качество обслуживания")
    news = News.objects.first()
    for name, path in (
        ("manage-news", "/info/manage/news/"),
        ("manage-news-form", f"/info/manage/news/{news.pk}/"),
        ("manage-instructions-new", "/info/manage/instructions/new/"),
        ("manage-surveys", "/surveys/manage/"),
        ("manage-survey", f"/surveys/manage/{survey.pk}/"),
        ("manage-survey-results", f"/surveys/manage/{survey.pk}/results/"),
        ("manage-rates", "/connection/manage/rates/"),
        ("manage-rate-new", "/connection/manage/rates/new/"),
    ):
        walk.visit(name, path)
    _assert_clean(walk)
