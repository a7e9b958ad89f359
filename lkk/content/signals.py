"""A news item saved or deleted: «Главная»'s cached news block is forgotten in every language
(here and in the shared cache)."""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lkk.content.models import News
from lkk.content.templatetags.news import cache_key, forget_local


@receiver(post_save, sender=News)
@receiver(post_delete, sender=News)
def forget_home_news(**kwargs: object) -> None:
    cache.delete_many([cache_key(code) for code, _name in settings.LANGUAGES])
    forget_local()
