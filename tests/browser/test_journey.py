"""What a customer sees in a real browser: the journeys through the portal end to end."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from lkk.core.demo import DEMO_PASSWORD

LOGIN_PATH = "/accounts/login/"
MENU = ("Контрагент", "Договоры", "Объекты потребления", "Точки учёта", "Приборы учёта")


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(LOGIN_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в личный кабинет")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_label("Запомнить меня").check()
    page.get_by_role("button", name="Войти", exact=True).click()


def menu(page: Page):
    """The top menu, in whatever language the page speaks."""
    return page.locator("header").get_by_role("navigation")


def menu_link(page: Page, title: str):
    """A menu item, made visible: an item of a group («Объекты и приборы») opens its group."""
    link = menu(page).get_by_role("link", name=title, exact=True, include_hidden=True)
    # `has` looks inside each group: the inner locator starts there, not at the page.
    inner = page.get_by_role("link", name=title, exact=True, include_hidden=True)
    group = menu(page).locator(".dropdown").filter(has=inner)
    if group.count() and not link.is_visible():
        group.get_by_role("button").click()
    return link


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def rows(page: Page):
    return page.locator("main table tbody tr")


def test_big_customer_journey(demo, page: Page, english_catalog) -> None:
    from lkk.customers.models import Contract, MeteringPoint

    points = MeteringPoint.objects.filter(contract__counterparty__billing_id="DEMO-BIG")
    point_total = points.count()
    pages_of_points = -(-point_total // 25)
    last_code = points.order_by("-code").values_list("code", flat=True).first()
    # A point far from the first page, so that only the search can bring it up.
    wanted_code = points.order_by("code").values_list("code", flat=True)[point_total // 2]
    contract = Contract.objects.get(number="790004123")
    english_points = english_catalog.find("Точки учёта")

    log_in(page, "big_demo")

    # «Главная»: the active contracts on the left, who is logged in top left.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    expect(page.get_by_role("heading", name="Действующие договоры")).to_be_visible()
    contracts = page.locator("[data-testid=contracts]")
    expect(contracts.get_by_role("link")).to_have_count(25)
    expect(contracts.get_by_role("link").first).to_contain_text("Договор № 790004001")
    expect(page.get_by_text("Страница 1 из 12")).to_be_visible()
    who = page.locator("[data-testid=who]")
    expect(who.locator(".lkk-who-name")).to_have_text("Лебедев Игорь")
    expect(who.locator(".lkk-who-category")).to_have_text("ЮЛ")
    expect(who.locator(".lkk-who-category")).to_have_attribute("title", "Юридическое лицо")
    expect(who.locator(".lkk-who-counterparty")).to_have_text("АО «Промтехкомплекс»")
    expect(who.get_by_role("button", name="Выйти")).to_be_visible()
    expect(page.get_by_role("heading", name="Договор № 790004001 от")).to_be_visible()

    # Every section of the menu, opened the way a person does: by clicking.
    for title in MENU:
        menu_link(page, title).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        current = menu(page).get_by_role("link", name=title, exact=True, include_hidden=True)
        expect(current).to_have_attribute("aria-current", "page")

    # «Точки учёта»: the next page, a sort, a search.
    menu_link(page, "Точки учёта").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Точки учёта")
    expect(rows(page)).to_have_count(25)
    first_on_page_1 = rows(page).first.locator("td").first.inner_text()
    page.get_by_role("link", name="Вперёд").first.click()
    expect(page.get_by_text(f"Страница 2 из {pages_of_points}")).to_be_visible()
    assert query_of(page)["page"] == ["2"]
    expect(rows(page)).to_have_count(25)
    expect(rows(page).first.locator("td").first).not_to_have_text(first_on_page_1)
    expect(page.get_by_role("link", name="Назад")).to_be_visible()

    code_header = page.get_by_role("columnheader", name="Код ТУ")
    expect(code_header).to_have_attribute("aria-sort", "ascending")
    code_header.get_by_role("link").click()
    expect(code_header).to_have_attribute("aria-sort", "descending")
    assert query_of(page)["sort"] == ["-code"]
    assert "page" not in query_of(page)
    expect(rows(page).first.locator("td").first).to_have_text(last_code)
    expect(page.get_by_text(f"Страница 1 из {pages_of_points}")).to_be_visible()

    search = page.locator("main").get_by_role("searchbox")
    search.fill(wanted_code)
    page.get_by_role("button", name="Найти").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.locator("td").first).to_have_text(wanted_code)
    expect(page.get_by_text("Найдена 1 запись")).to_be_visible()
    expect(search).to_have_value(wanted_code)

    # «Договоры»: find a contract by its number and open it.
    menu(page).get_by_role("link", name="Договоры", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Договоры")
    page.locator("main").get_by_role("searchbox").fill(contract.number)
    page.get_by_role("button", name="Найти").click()
    expect(rows(page)).to_have_count(1)
    # As in seed 000's app: the number opens the contract's menu, «Подробнее» its details.
    page.get_by_role("button", name=contract.number, exact=True).click()
    page.get_by_role("link", name="Подробнее", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Договор № {contract.number} от {contract.signed_on:%d.%m.%Y}"
    )
    expect(page.get_by_role("link", name="АО «Промтехкомплекс»")).to_be_visible()

    # English and back.
    assert english_points is not None and english_points.msgstr, (
        "lkk/locale/en/LC_MESSAGES/django.po has no English for «Точки учёта»"
    )
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))
    expect(menu(page).get_by_text("Точки учёта", exact=True)).to_have_count(0)
    expect(menu_link(page, english_points.msgstr)).to_be_visible()

    page.get_by_role("button", name="RU", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(menu_link(page, "Точки учёта")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Договор № {contract.number}")

    # «Выйти»: back to the login page, and the portal is closed again.
    page.locator("[data-testid=who]").get_by_role("button", name="Выйти").click()
    expect(page).to_have_url(re.compile(rf"{LOGIN_PATH}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в личный кабинет")
    expect(page.locator("[data-testid=who]")).to_have_count(0)
    page.goto("/")
    assert path_of(page) == LOGIN_PATH
    expect(page.get_by_role("button", name="Войти", exact=True)).to_be_visible()


def no_horizontal_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{path_of(page)} scrolls sideways: {scroll_width}px > {width}px"


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}], ids=["phone"])
def test_phone_layout(demo, page: Page) -> None:
    log_in(page, "fl_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    expect(page.locator("[data-testid=who]")).to_contain_text("Петров Сергей Николаевич")
    expect(page.locator("[data-testid=who]")).to_contain_text("ФЛ")
    no_horizontal_scroll(page)

    # The menu is folded behind the toggler.
    meters_link = menu(page).get_by_role("link", name="Приборы учёта", exact=True)
    expect(meters_link).to_be_hidden()
    toggler = page.get_by_role("button", name="Меню")
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu_link(page, "Приборы учёта")).to_be_visible()
    no_horizontal_scroll(page)
    meters_link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Приборы учёта")
    expect(meters_link).to_be_hidden()  # the menu is folded again on the new page
    table = page.locator("main .table-responsive table")
    expect(table).to_be_visible()
    expect(rows(page)).to_have_count(1)
    no_horizontal_scroll(page)

    # The table's row is a card: every column, with its name, within the screen's width.
    expect(page.get_by_role("columnheader", name="Следующая поверка")).to_be_hidden()
    last = rows(page).first.locator("td").last
    expect(last).to_have_attribute("data-label", "Следующая поверка")
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport(ratio=1)
    assert page.evaluate("window.scrollX") == 0
    no_horizontal_scroll(page)
    serial = rows(page).first.get_by_role("link").first
    serial.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Прибор учёта")
    no_horizontal_scroll(page)


def test_no_inline_scripts_and_assets_local(demo, page: Page, live_server) -> None:
    server = urlsplit(live_server.url)
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and failed.append(f"{response.url}: {response.status}")
        ),
    )

    def check(response) -> None:
        assert response is not None and response.ok, response
        csp = response.headers.get("content-security-policy", "")
        directives = {}
        for part in filter(None, (p.strip() for p in csp.split(";"))):
            name, _, sources = part.partition(" ")
            directives[name] = sources.split()
        assert directives.get("script-src") == ["'self'"], csp
        assert "unsafe-inline" not in csp, csp
        assert "unsafe-eval" not in csp, csp
        scripts = page.locator("script")
        assert scripts.count() > 0
        for src in scripts.evaluate_all("els => els.map(e => e.getAttribute('src'))"):
            assert src and src.startswith("/static/"), f"inline or foreign script: {src!r}"
        handlers = page.locator("[onclick], [onload], [onsubmit], [onchange], [oninput]")
        assert handlers.count() == 0, "inline event handler attributes"
        sheets = page.locator("link[rel=stylesheet]").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        assert sheets
        for href in sheets:
            assert href.startswith("/static/"), f"foreign stylesheet: {href!r}"
        assert page.locator("style").count() == 0, "inline <style>"

    check(page.goto(LOGIN_PATH))
    page.locator("#id_username").fill("ul_demo")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Войти", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    check(navigation.value)  # «Главная», where the login redirected to
    page.wait_for_load_state("networkidle")

    assert any("/static/" in url for url in requested)
    assert failed == [], f"requests that failed: {failed}"
    # The stylesheets did load: Bootstrap styles the button a person presses.
    button = page.locator("[data-testid=who]").get_by_role("button", name="Выйти")
    assert button.evaluate("e => getComputedStyle(e).cursor") == "pointer"
    foreign = [
        url
        for url in requested
        if not url.startswith("data:") and urlsplit(url).netloc != server.netloc
    ]
    assert foreign == [], f"requests that leave {server.netloc}: {foreign}"


def test_wrong_password_message(transactional_db, page: Page) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("ivanov", "ivanov@example.ru", "correct-horse-42")
    page.goto(LOGIN_PATH)
    page.locator("#id_username").fill("ivanov")
    page.locator("#id_password").fill("wrong-horse-42")
    page.get_by_role("button", name="Войти", exact=True).click()

    expect(page.get_by_role("alert")).to_have_text("Неверный логин или пароль.")
    assert path_of(page) == LOGIN_PATH
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в личный кабинет")
    expect(page.locator("#id_username")).to_have_value("ivanov")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("[data-testid=who]")).to_have_count(0)
