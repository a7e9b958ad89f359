"""Issue 8 («A finished look»), points 1, 2, 3 and 7, as a customer sees them in Chromium.

1. Every form renders through one template pack: text inputs are Bootstrap's full-width
   `form-control`, as wide as the password fields beside them.
2. The show-password button is an icon of the bootstrap-icons font served by the app, no emoji.
3. Error pages (400, 403, 404, 405, 500) are inside the layout, in Russian or English, with a way
   back; a GET of the logout link shows the «Выйти» button.
7. After failed logins the form keeps «Неверный логин или пароль.» beside the captcha.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

PASSWORD = "correct-horse-42"  # the factories' password
#: Emoji and pictographs (the 👁 of the old show-password button among them).
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f]")


@pytest.fixture
def customer(transactional_db, customer_a):
    return customer_a


def _log_in(page: Page, username: str = "customer_a", password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")


def _width(locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["width"]


# --- 1. One way to render forms -----------------------------------------------------------------


FORMS = {
    "login": "/accounts/login/",
    "register_ul": "/accounts/register/ul/",
    "register_contract": "/accounts/register/contract/",
    "signup": "/accounts/register/signup/",
    "steps": "/accounts/register/steps/",
    "recovery": "/accounts/password/reset/",
}


def _check_form_fields(page: Page) -> int:
    """Every text field of the page's form is a full-width form-control; so is every password
    field together with its button. Returns the count of text fields checked."""
    form = page.locator("main form[novalidate]").first
    form_width = _width(form)
    texts = form.locator("input[type=text], input[type=email], input[type=file], textarea")
    for i in range(texts.count()):
        field = texts.nth(i)
        name = field.get_attribute("name")
        expect(field).to_have_class(re.compile(r"\bform-control\b"))
        assert abs(_width(field) - form_width) <= 1, (name, _width(field), form_width)
    passwords = form.locator("input[type=password]")
    for i in range(passwords.count()):
        group = passwords.nth(i).locator("xpath=..")
        expect(group).to_have_class(re.compile(r"\binput-group\b"))
        assert abs(_width(group) - form_width) <= 1, (i, _width(group), form_width)
    return texts.count()


@pytest.mark.parametrize("name", list(FORMS))
def test_text_fields_are_as_wide_as_password_fields(transactional_db, page: Page, name) -> None:
    page.goto(FORMS[name])
    assert _check_form_fields(page) >= 1


def test_binding_form_fields_fill_the_form(customer, page: Page) -> None:
    _log_in(page)
    page.goto("/accounts/binding/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Привязать договор")
    assert _check_form_fields(page) == 3


def test_errors_are_tied_to_their_fields(transactional_db, page: Page) -> None:
    page.goto("/accounts/register/ul/")
    page.get_by_role("textbox", name="ИНН", exact=True).fill("123")
    page.get_by_role("button", name="Зарегистрироваться", exact=True).click()
    inn = page.get_by_role("textbox", name="ИНН", exact=True)
    expect(inn).to_have_attribute("aria-invalid", "true")
    expect(inn).to_have_class(re.compile(r"\bis-invalid\b"))
    described = (inn.get_attribute("aria-describedby") or "").split()
    assert described == ["id_inn_helptext", "id_inn_error"], described
    expect(page.locator("#id_inn_error")).to_be_visible()
    expect(page.locator("#id_inn_helptext")).to_have_text("10 цифр")
    # Required fields are marked, for sighted users only (the input itself says «required»).
    mark = page.locator("label[for=id_inn] [aria-hidden=true]")
    expect(mark).to_have_text("*")
    expect(page.locator("label[for=id_ogrn] [aria-hidden=true]")).to_have_count(0)


# --- 2. Icons, no emoji ---------------------------------------------------------------------------


def test_show_password_is_an_icon_and_works(transactional_db, page: Page) -> None:
    page.goto("/accounts/login/")
    assert not EMOJI.search(page.locator("body").inner_text())
    button = page.get_by_role("button", name="Показать пароль")
    icon = button.locator("i.bi")
    expect(icon).to_have_class(re.compile(r"\bbi-eye\b"))
    # The glyph comes from the icon font the app serves itself.
    glyph = icon.evaluate("i => getComputedStyle(i, '::before').content")
    font = icon.evaluate("i => getComputedStyle(i, '::before').fontFamily")
    assert glyph not in ("", "none", "normal") and "bootstrap-icons" in font, (glyph, font)
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px bootstrap-icons')")
    assert _width(icon) > 0

    field = page.locator("#id_password")
    field.fill("секрет")
    button.click()
    expect(field).to_have_attribute("type", "text")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(icon).to_have_class(re.compile(r"\bbi-eye-slash\b"))
    button.click()
    expect(field).to_have_attribute("type", "password")
    expect(icon).to_have_class(re.compile(r"\bbi-eye\b"))


# --- 3. Error pages ------------------------------------------------------------------------------


def _expect_error_page(page: Page, title: str, home: str = "На главную") -> None:
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("link", name=home)).to_be_visible()
    expect(page.locator("footer")).to_contain_text("Контактный центр")


def test_a_dead_link_is_a_russian_404_in_the_layout(transactional_db, page: Page) -> None:
    response = page.goto("/no/such/page/")
    assert response.status == 404
    _expect_error_page(page, "Страница не найдена")
    expect(page.get_by_role("link", name="Вход в личный кабинет")).to_be_visible()
    page.get_by_role("link", name="На главную").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в личный кабинет")


def test_another_customers_object_is_a_404_in_the_layout_and_in_english(
    customer, customer_b, english_catalog, page: Page
) -> None:
    _log_in(page)
    response = page.goto(f"/contracts/{customer_b.contract.pk}/")
    assert response.status == 404
    _expect_error_page(page, "Страница не найдена")
    expect(page.get_by_test_id("who")).to_be_visible()  # the header of the logged-in customer
    assert customer_b.contract.number not in page.content()

    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")


def test_get_logout_shows_the_button(customer, page: Page) -> None:
    _log_in(page)
    response = page.goto("/accounts/logout/")
    assert response.status == 200
    button = page.get_by_role("main").get_by_role("button", name="Выйти")
    expect(button).to_be_visible()
    button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в личный кабинет")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в личный кабинет")


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.browser.error_urls"


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (400, "Неверный запрос"),
        (403, "Доступ запрещён"),
        (405, "Действие недоступно"),
        (500, "Ошибка на сервере"),
    ],
)
def test_error_pages_in_the_layout(
    transactional_db, failing_urls, page: Page, status: int, title: str
) -> None:
    response = page.goto(f"/test-errors/{status}/")
    assert response.status == status
    _expect_error_page(page, title)
    # Bootstrap's stylesheet applies: the way back is a button.
    background = page.get_by_role("link", name="На главную").evaluate(
        "a => getComputedStyle(a).backgroundColor"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background


def test_the_500_page_in_english(transactional_db, failing_urls, english_catalog, page: Page):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    response = page.goto("/test-errors/500/")
    assert response.status == 500
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Server error")
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()


# --- 7. The login error stays beside the captcha -------------------------------------------------


def test_four_failed_logins_show_the_error_and_the_captcha(customer, page: Page) -> None:
    page.goto("/accounts/login/")
    for _ in range(4):
        page.locator("#id_username").fill("customer_a")
        page.locator("#id_password").fill("not-the-password")
        page.get_by_role("button", name="Войти", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Вход в личный кабинет")
    expect(page.get_by_role("alert").filter(has_text="Неверный логин или пароль.")).to_be_visible()
    expect(page.get_by_role("img", name="Код на картинке")).to_be_visible()
    captcha = page.get_by_role("textbox", name="Введите то, что видите на картинке")
    expect(captcha).to_be_visible()
    expect(captcha).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_captcha_error")).to_have_text("Введите код с картинки.")
