"""Django's `i18n` template library, with a `{% translate %}` that remembers what it translated.

Registered under the name `i18n` (settings.TEMPLATES' "libraries"), so `{% load i18n %}` loads
it: every other tag and filter is Django's own. A list row of «Договоры» holds five
`{% translate %}`s; Django's tag goes through a lazy string, the active translation's lookups and
escaping every time — about a quarter of the page's rendering (issue 13). The text of a
`{% translate "literal" %}` depends only on the literal, its `context`, the active language and
the catalogs: those (and the autoescaping) are the cache's key, and the catalogs do not change
while the process runs (a test that changes LOCALE_PATHS or LANGUAGES empties it). A tag with a
variable or a filter (`{% translate var %}`, `"x"|upper`) is translated every time, as before.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, Parser, Token
from django.templatetags import i18n as django_i18n
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

_cache: dict[tuple, str] = {}


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting in {"LOCALE_PATHS", "LANGUAGES", "LANGUAGE_CODE", "INSTALLED_APPS"}:
        _cache.clear()


def _literal(expression: FilterExpression) -> str | None:
    """The string a filter expression always gives (a quoted literal without filters), or None."""
    if expression.filters:
        return None
    var = expression.var
    if isinstance(var, str):  # a constant, already resolved by the parser
        return str(var)
    literal = getattr(var, "literal", None)
    return str(literal) if isinstance(literal, str) else None


class CachedTranslateNode(django_i18n.TranslateNode):
    """Django's TranslateNode; a literal without filters is translated once per language."""

    def __init__(self, node: django_i18n.TranslateNode) -> None:
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        expression = self.filter_expression
        literal = _literal(expression)
        context = self.message_context
        context_literal = None if context is None else _literal(context)
        self.key = None
        if literal is not None and (context is None or context_literal is not None):
            self.key = (literal, self.noop, context_literal)

    def _value(self, context: template.Context) -> str:
        """What Django's TranslateNode renders (without its `as var`)."""
        self.filter_expression.var.translate = not self.noop
        if self.message_context:
            self.filter_expression.var.message_context = self.message_context.resolve(context)
        output = self.filter_expression.resolve(context)
        value = django_i18n.render_value_in_context(output, context)
        is_safe = isinstance(value, SafeData)
        value = value.replace("%%", "%")
        return mark_safe(value) if is_safe else value  # noqa: S308 — Django's own handling

    def render(self, context: template.Context) -> str:
        if self.key is None:
            value = self._value(context)
        else:
            key = (self.key, get_language(), context.autoescape)
            value = _cache.get(key)
            if value is None:
                value = _cache[key] = self._value(context)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Parser, token: Token) -> CachedTranslateNode:
    return CachedTranslateNode(django_i18n.do_translate(parser, token))
