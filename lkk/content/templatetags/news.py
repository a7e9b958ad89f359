"""«Главная»'s newest news, rendered once for everyone and kept in the cache.

The three cards are the same for every visitor in a language: rendering them (a query, three
cards, their links) cost ~3.5 ms of a ~35 ms page, on every request. The rendered block is kept
in the shared cache per language until a news item is saved or deleted (lkk/content/signals.py
forgets it), until the next news item dated in the future comes due, and at most `KEEP_SECONDS`
(a safety net for a change made around the ORM's signals, e.g. a queryset update).

Each process also keeps what it got for `LOCAL_SECONDS` (never past the moment the shared
cache's block expires): asking Redis cost ~0.4 ms of «Главная»'s ~10 ms on every request. A
change made through another process shows here within `LOCAL_SECONDS`; one made here, at once.
"""

import datetime as dt

from django import template
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db.models import Min
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from lkk.content.models import News

register = template.Library()

#: News items on «Главная».
LATEST = 3
KEEP_SECONDS = 60
LOCAL_SECONDS = 5

#: Language → (the block, until when this process shows it without asking the shared cache).
_local: dict[str | None, tuple[SafeString, dt.datetime]] = {}


def cache_key(language: str | None) -> str:
    # v2: the cached value is (block, expiry), not the block alone.
    return f"lkk:home-news:v2:{language}"


def forget_local() -> None:
    _local.clear()


@receiver(setting_changed)
def _cache_changed(*, setting: str, **kwargs: object) -> None:
    if setting == "CACHES":  # another cache (a test's): what this process kept is not in it
        forget_local()


def _seconds_to_keep() -> int:
    """Until the next news item dated in the future is due (it must appear then), at most
    KEEP_SECONDS; at least 1."""
    now = timezone.now()
    due = News.objects.filter(status=News.Status.PUBLISHED, published_at__gt=now).aggregate(
        next=Min("published_at")
    )["next"]
    if due is None:
        return KEEP_SECONDS
    return max(1, min(KEEP_SECONDS, int((due - now).total_seconds())))


@register.simple_tag
def latest_news() -> SafeString:
    """The newest published news for «Главная» (one query of three rows when not cached)."""
    language = get_language()
    now = timezone.now()
    kept = _local.get(language)
    if kept is not None and now < kept[1]:
        return kept[0]
    key = cache_key(language)
    found = cache.get(key)
    if found is None:
        rows = list(News.public().only("pk", "title", "summary", "published_at")[:LATEST])
        html = render_to_string("content/latest_news.html", {"latest_news": rows})
        seconds = _seconds_to_keep()
        found = (html, now + dt.timedelta(seconds=seconds))
        cache.set(key, found, timeout=seconds)
    html, expires = found
    block = mark_safe(html)  # noqa: S308 — rendered by our template, autoescaped there
    _local[language] = (block, min(expires, now + dt.timedelta(seconds=LOCAL_SECONDS)))
    return block
