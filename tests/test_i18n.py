"""The English translation: complete, in sync with the source, and actually served.

Russian is the source language (msgids are Russian) and the default; English comes from
lkk/locale/en/LC_MESSAGES/django.po. The page tests need the compiled catalogue
(`make messages`, i.e. `manage.py compilemessages`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LKK = ROOT / "lkk"
PO_PATH = LKK / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")

#: {% translate "..." %} / {% trans '...' %}, with an optional `noop`, `as var`, `context ...`.
TEMPLATE_TRANSLATE = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<s>.*?)(?P=q)(?P<rest>[^%]*)%\}"""
)
#: _("...") on one line: in Python files and in template filter arguments (`default:_("...")`).
CALL = re.compile(
    r"""(?<![\w.])(?:_|gettext|gettext_lazy|gettext_noop)\("""
    r"""[ \t]*(?P<q>["'])(?P<s>[^"'\n\\]*?)(?P=q)[ \t]*[,)]"""
)

LOGIN_URL = "/accounts/login/"
LOGIN_TITLE_RU = "Вход в личный кабинет"


@cache
def _po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _entries() -> list[polib.POEntry]:
    return [e for e in _po() if not e.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _en(msgid: str) -> str:
    entry = _po().find(msgid)
    assert entry is not None, f"{msgid!r} is not in {PO_PATH.name}"
    assert entry.msgstr, f"{msgid!r} has no English translation"
    return entry.msgstr


def _ignored(path: Path) -> bool:
    """What `make makemessages` skips."""
    parts = set(path.relative_to(ROOT).parts)
    return bool(parts & {"tests", "migrations", "node_modules", ".venv", "var"})


def _source_msgids() -> dict[str, str]:
    """Literal single-line msgids in the source → where the first one was found."""
    found: dict[str, str] = {}

    def add(msgid: str, path: Path) -> None:
        # Strings with template variables or format markers are blocktranslate territory.
        if msgid and not re.search(r"\{\{|\{%|%", msgid):
            found.setdefault(msgid, str(path.relative_to(ROOT)))

    for path in sorted(LKK.rglob("*")):
        if path.suffix not in {".html", ".txt", ".py"} or _ignored(path):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            for m in CALL.finditer(text):
                add(m["s"], path)
            continue
        for m in TEMPLATE_TRANSLATE.finditer(text):
            if "context" not in m["rest"].split():
                add(m["s"], path)
        for m in CALL.finditer(text):
            add(m["s"], path)
    return found


# -- The catalogue ------------------------------------------------------------------------------


def test_po_header_is_english_utf8_with_english_plurals() -> None:
    po = _po()
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "en"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "charset=UTF-8" in po.metadata["Content-Type"]


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    entries = _entries()
    assert len(entries) > 100, "the English catalogue looks truncated"
    untranslated = [e.msgid for e in entries if not all(s.strip() for s in _translations(e))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_plural_entries_have_both_english_forms() -> None:
    plurals = [e for e in _entries() if e.msgid_plural]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid


RU_PO_PATH = LKK / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_every_plural_has_the_three_russian_forms() -> None:
    """A msgid has two forms; without the Russian catalogue's three, gettext would choose by the
    English rule («2 минут», «21 знаков»)."""
    russian = polib.pofile(str(RU_PO_PATH))
    assert russian.metadata["Plural-Forms"].startswith("nplurals=3;")
    by_id = {(e.msgid, e.msgid_plural): e for e in russian if not e.obsolete}
    for entry in (e for e in _entries() if e.msgid_plural):
        found = by_id.get((entry.msgid, entry.msgid_plural))
        assert found is not None, f"{entry.msgid!r}: no Russian plural forms in {RU_PO_PATH.name}"
        forms = _translations(found)
        assert len(forms) == 3 and all(forms), entry.msgid
        expected = set(PLACEHOLDER.findall(entry.msgid))
        assert all(set(PLACEHOLDER.findall(f)) == expected for f in forms), entry.msgid


@pytest.mark.parametrize(
    ("n", "minutes", "places"),
    [
        (1, "1 минуту", "Не больше 1 знака после запятой."),
        (2, "2 минуты", "Не больше 2 знаков после запятой."),
        (5, "5 минут", "Не больше 5 знаков после запятой."),
        (11, "11 минут", "Не больше 11 знаков после запятой."),
        (21, "21 минуту", "Не больше 21 знака после запятой."),
        (24, "24 минуты", "Не больше 24 знаков после запятой."),
    ],
)
@pytest.mark.usefixtures("_compiled_catalogue")
def test_russian_plural_forms_are_served(n: int, minutes: str, places: str) -> None:
    from django.utils import translation
    from django.utils.translation import ngettext

    with translation.override("ru"):
        assert ngettext("%(count)d минуту", "%(count)d минут", n) % {"count": n} == minutes
        text = ngettext(
            "Не больше %(places)s знака после запятой.",
            "Не больше %(places)s знаков после запятой.",
            n,
        )
        assert text % {"places": n} == places


def test_no_translation_is_left_in_russian() -> None:
    leftovers = {e.msgid: s for e in _entries() for s in _translations(e) if CYRILLIC.search(s)}
    assert not leftovers, f"Cyrillic in English translations: {leftovers}"


def test_translations_keep_placeholders_and_edge_whitespace() -> None:
    problems = []
    for entry in _entries():
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        expected = set().union(*(PLACEHOLDER.findall(s) for s in sources))
        for translation in _translations(entry):
            if set(PLACEHOLDER.findall(translation)) != expected:
                problems.append((entry.msgid, translation))
            if translation.strip() != translation and entry.msgid.strip() == entry.msgid:
                problems.append((entry.msgid, translation))
    assert not problems, problems


def test_po_has_every_msgid_used_in_the_source() -> None:
    source = _source_msgids()
    # Guard against the scan silently finding nothing after a regex or layout change.
    assert LOGIN_TITLE_RU in source
    assert "Неверный логин или пароль." in source
    in_po = {e.msgid for e in _entries()}
    missing = {msgid: where for msgid, where in source.items() if msgid not in in_po}
    assert not missing, f"run `make makemessages` and translate: {missing}"


# -- The pages ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _compiled_catalogue() -> None:
    """The served .mo must match the .po, or the page tests would test a stale translation."""
    if not MO_PATH.exists():
        pytest.fail(f"{MO_PATH.relative_to(ROOT)} is missing: run `make messages`")
    mo = {(e.msgid, e.msgid_plural): e for e in polib.mofile(str(MO_PATH))}
    stale = []
    for entry in _entries():
        compiled = mo.get((entry.msgid, entry.msgid_plural))
        if compiled is None or _translations(compiled) != _translations(entry):
            stale.append(entry.msgid)
    if stale:
        pytest.fail(f"{MO_PATH.name} is out of date ({stale[:3]}…): run `make messages`")


def _html_lang(content: str) -> str:
    match = re.search(r"<html\b[^>]*\blang=\"([^\"]*)\"", content)
    assert match, "no <html lang=...>"
    return match[1]


def _switch(client, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": LOGIN_URL})
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL


page_test = pytest.mark.usefixtures("db", "_compiled_catalogue")


@page_test
def test_login_page_is_russian_even_for_an_english_browser(client) -> None:
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    content = response.content.decode()
    assert response.status_code == 200
    assert _html_lang(content) == "ru"
    assert LOGIN_TITLE_RU in content
    assert _en(LOGIN_TITLE_RU) not in content
    assert response["Content-Language"] == "ru"


@page_test
def test_language_switch_to_english_and_back(client) -> None:
    _switch(client, "en")
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="ru-RU,ru")
    content = response.content.decode()
    assert response.status_code == 200
    assert _html_lang(content) == "en"
    assert response["Content-Language"] == "en"
    assert _en(LOGIN_TITLE_RU) in content
    assert LOGIN_TITLE_RU not in content
    # The button, the form labels (lazy strings in forms.py) and the chrome are English too.
    for msgid in ("Войти", "Пароль", "Запомнить меня", "Логин или email", "Язык"):
        assert _en(msgid) in content, msgid
        assert msgid not in content, msgid

    _switch(client, "ru")
    content = client.get(LOGIN_URL).content.decode()
    assert _html_lang(content) == "ru"
    assert LOGIN_TITLE_RU in content
    assert _en(LOGIN_TITLE_RU) not in content


@page_test
def test_login_error_is_english_after_switching(client) -> None:
    _switch(client, "en")
    response = client.post(LOGIN_URL, {"username": "nobody", "password": "wrong"})
    content = response.content.decode()
    assert response.status_code == 200
    assert _en("Неверный логин или пароль.") in content
    assert "Неверный логин или пароль." not in content


@page_test
def test_unknown_language_falls_back_to_russian(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    content = client.get(LOGIN_URL).content.decode()
    assert _html_lang(content) == "ru"
    assert LOGIN_TITLE_RU in content
