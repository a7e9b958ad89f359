"""«Главная»'s newest news, rendered once for everyone and kept in the cache.

The three cards are the same for every visitor in a language: rendering them (a query, three
cards, their links) cost ~3.5 ms of a ~35 ms page, on every request. The rendered block is kept
in the shared cache per language until a news item is saved or deleted (lkk/content/signals.py
forgets it), until the next news item dated in the future comes due, and at most `KEEP_SECONDS`
(a safety net for a change made around the ORM's signals, e.g. a queryset update).
"""

from django import template
from django.core.cache import cache
from django.db.models import Min
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from lkk.content.models import News

register = template.Library()

#: News items on «Главная».
LATEST = 3
KEEP_SECONDS = 60


def cache_key(language: str | None) -> str:
    return f"lkk:home-news:{language}"


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
    key = cache_key(get_language())
    html = cache.get(key)
    if html is None:
        rows = list(News.public().only("pk", "title", "summary", "published_at")[:LATEST])
        html = render_to_string("content/latest_news.html", {"latest_news": rows})
        cache.set(key, html, timeout=_seconds_to_keep())
    return mark_safe(html)  # noqa: S308 — rendered by our template, autoescaped there
