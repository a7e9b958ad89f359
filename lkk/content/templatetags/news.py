from django import template

from lkk.content.models import News

register = template.Library()

#: News items on «Главная».
LATEST = 3


@register.inclusion_tag("content/latest_news.html")
def latest_news() -> dict:
    """The newest published news for «Главная»: one query of three rows (an index covers it)."""
    rows = list(News.public().only("pk", "title", "summary", "published_at")[:LATEST])
    return {"latest_news": rows}
