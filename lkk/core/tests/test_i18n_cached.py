"""`{% load i18n %}` loads lkk/core/templatetags/i18n_cached.py: its `{% translate %}` renders
what Django's renders, in the active language, and remembers only literals."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

from lkk.core.templatetags import i18n_cached

CASES = [
    ('{% translate "Главная" %}', {}),
    ('{% translate "Главная" as home %}[{{ home }}]', {}),
    ('{% translate "Май" context "месяц" %}', {}),
    ("{% translate title %}", {"title": "Главная"}),
    ("{% translate title %}", {"title": "Договоры"}),
    ('{% translate "Главная"|upper %}', {}),
    ('{% translate "<b>&%" %}', {}),
    ("{% translate title %}", {"title": "<script>"}),
    ('{% translate "Главная" noop %}', {}),
]


@pytest.mark.parametrize(("source", "context"), CASES)
@pytest.mark.parametrize("language", ["ru", "en"])
def test_renders_what_djangos_tag_renders(source, context, language):
    ours = engines["django"].from_string("{% load i18n %}" + source)
    django = Engine(libraries={"i18n": "django.templatetags.i18n"}).from_string(
        "{% load i18n %}" + source
    )
    with translation.override(language):
        expected = django.render(Context(context))
        assert ours.render(context) == expected
        assert ours.render(context) == expected  # the second time from the cache


def test_the_language_is_part_of_the_key():
    template = engines["django"].from_string('{% load i18n %}{% translate "Главная" %}')
    seen = []
    for language in ("ru", "en", "ru", "en"):
        with translation.override(language):
            seen.append(template.render({}))
    assert seen == ["Главная", "Home", "Главная", "Home"]


def test_only_literals_are_remembered():
    i18n_cached._cache.clear()
    engines["django"].from_string("{% load i18n %}{% translate title %}").render({"title": "x"})
    assert i18n_cached._cache == {}
    engines["django"].from_string('{% load i18n %}{% translate "x" %}').render({})
    assert len(i18n_cached._cache) == 1


def test_other_tags_are_djangos():
    html = engines["django"].from_string(
        "{% load i18n %}{% get_current_language as L %}{{ L }} "
        "{% blocktranslate count n=2 %}{{ n }} a{% plural %}{{ n }} b{% endblocktranslate %}"
    )
    with translation.override("en"):
        assert html.render({}) == "en 2 b"


def test_i18n_is_the_only_library_name_used_twice():
    """templates.W003 is silenced (settings) for our `i18n` alone: any other clash still shows."""
    warnings = engines["django"]._check_for_template_tags_with_the_same_name()
    assert [w.msg.split(" is used")[0] for w in warnings] == ["'i18n'"]
    assert "lkk.core.templatetags.i18n_cached" in warnings[0].msg
