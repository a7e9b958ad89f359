"""`{% path_fragment "name" %}…{% endpath_fragment %}`: a part of the layout rendered once per
path and language, then served from memory (issue 13). `{% fragment %}` is the same for a part
that does not depend on the path either (it sees an empty path).

The customer's main menu is some twenty includes and as many `{% url %}`s on every page, yet it
is the same for every user on a given path: which item is active depends on the path alone, the
titles on the language. Rendering it again on every request cost about a millisecond and a half.

What makes it safe is not the key but what the fragment can see: it is rendered in a context of
its own holding nothing but `request.path` (an object with the path and nothing else), so it
cannot show anything of a user — no name, no grant, no count — and its output is a function of
the key alone: (name, path, language, URL configuration, script prefix, current app). A fragment
that reads anything else gets an empty value, which its own tests see at once (a number missing),
never another user's data. Per-user parts (the unread count, the counterparty switcher, the CSRF
tokens) stay outside the fragment.

In memory of each process, at most `MAX_ENTRIES` (a path holds ids, so the keys are many); not
with DEBUG (templates edited in development are shown at once), forgotten when a setting that
changes the output changes (tests override them).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Node, NodeList, Parser, Token
from django.template.context import Context
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

MAX_ENTRIES = 2048
_cache: dict[tuple, SafeString] = {}
#: Settings whose change changes a fragment's output.
_SETTINGS = {"ROOT_URLCONF", "TEMPLATES", "LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "DEBUG"}


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting in _SETTINGS:
        _cache.clear()


def clear() -> None:
    _cache.clear()


class PathOnly:
    """What a fragment sees of the request: its path (and the app reversing URLs), nothing else."""

    __slots__ = ("current_app", "path")

    def __init__(self, path: str, current_app: str | None) -> None:
        self.path = path
        self.current_app = current_app


def _current_app(context: Context) -> str | None:
    request = getattr(context, "request", None)
    current_app = getattr(request, "current_app", None)
    if current_app is None:
        current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
    return current_app


class PathFragmentNode(Node):
    def __init__(self, name: str, nodelist: NodeList, *, by_path: bool = True) -> None:
        self.name = name
        self.nodelist = nodelist
        self.by_path = by_path

    def render(self, context: Context) -> SafeString:
        request = context.get("request")
        path = getattr(request, "path", None) if self.by_path else ""
        if not isinstance(path, str):
            path = ""
        current_app = _current_app(context)
        key = (
            self.name,
            path,
            get_language(),
            str(get_urlconf() or settings.ROOT_URLCONF),
            get_script_prefix(),
            current_app,
            context.autoescape,
        )
        html = _cache.get(key)
        if html is None:
            html = self.render_isolated(context, PathOnly(path, current_app))
            if not settings.DEBUG:
                if len(_cache) >= MAX_ENTRIES:
                    _cache.clear()
                _cache[key] = html
        return html

    def render_isolated(self, context: Context, request: PathOnly) -> SafeString:
        isolated = Context(
            {"request": request},
            autoescape=context.autoescape,
            use_l10n=context.use_l10n,
            use_tz=context.use_tz,
        )
        isolated.request = request  # what `{% url %}` reads the current app from
        with isolated.bind_template(context.template):
            return mark_safe(self.nodelist.render(isolated))  # noqa: S308 — rendered, escaped


def _fragment(parser: Parser, token: Token, *, by_path: bool) -> PathFragmentNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one quoted name")
    nodelist = parser.parse((f"end{bits[0]}",))
    parser.delete_first_token()
    return PathFragmentNode(bits[1][1:-1], nodelist, by_path=by_path)


@register.tag
def path_fragment(parser: Parser, token: Token) -> PathFragmentNode:
    return _fragment(parser, token, by_path=True)


@register.tag
def fragment(parser: Parser, token: Token) -> PathFragmentNode:
    """`{% fragment "name" %}…{% endfragment %}`: as path_fragment for a part the same on every
    path (the page's head links, the footer's): it does not even see the path."""
    return _fragment(parser, token, by_path=False)
