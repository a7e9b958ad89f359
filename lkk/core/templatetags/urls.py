"""`{% url %}` that remembers what it reversed: a builtin of the templates (settings.TEMPLATES).

A list page reverses about sixty URLs (two links per row, the menu), and Django's tag reverses
each one from scratch: some 60 µs a tag, a fifth of a list page's rendering. The same view name
with the same arguments reverses to the same URL as long as the URL configuration, the script
prefix, the current app and the language are the same: those are the cache's key, and only
plain `int` and `str` arguments are cached (anything else goes to Django's `reverse` as before).
Otherwise it is Django's tag: same syntax, same errors, `as var` the same.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.template.base import Parser, Token
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


@functools.lru_cache(maxsize=8192)
def _reversed(view_name: str, args: tuple, kwargs: tuple, current_app: str | None,
              urlconf: str, prefix: str, language: str | None) -> str:  # fmt: skip
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


def _plain(value: object) -> int | str | None:
    """`value` as a plain int or str for the cache's key, or None when it is anything else.

    A template's string literal arrives as a SafeString (a str subclass): it is a plain str
    for reversing. bool is an int subclass that reverses differently: it is not plain."""
    if type(value) is int:
        return value
    if isinstance(value, str):
        return str(value)
    return None


def cached_reverse(view_name: object, args: tuple, kwargs: dict, current_app: str | None) -> str:
    name = _plain(view_name)
    plain_args = tuple(_plain(a) for a in args)
    plain_kwargs = tuple(sorted((k, _plain(v)) for k, v in kwargs.items()))
    if (
        isinstance(name, str)
        and None not in plain_args
        and all(v is not None for _, v in plain_kwargs)
    ):
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        return _reversed(name, plain_args, plain_kwargs, current_app,
                         str(urlconf), get_script_prefix(), get_language())  # fmt: skip
    return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


_MISSING = object()


class CachedURLNode(defaulttags.URLNode):
    def render(self, context: template.Context) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        # As Django's tag, without raising and catching an AttributeError for every URL.
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", _MISSING)
        if current_app is _MISSING:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = ""
        try:
            url = cached_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> CachedURLNode:
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
