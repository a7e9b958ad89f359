"""Celery tasks of S2: telling the customers who asked for news about a published one."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.db.models import Q

#: Users notified by one task run: a long list is split into tasks of this many.
BATCH = 200


@shared_task(name="content.news_announce", ignore_result=True)
def news_announce(news_id: int) -> int:
    """Splits the customers who want news («Новости» by email or SMS) into batches."""
    from lkk.accounts.models import NotificationPreferences

    wanted = Q(news_email=True) | Q(news_sms=True)
    ids = list(
        NotificationPreferences.objects.filter(wanted, user__is_active=True, user__is_staff=False)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        news_announce_batch.delay(news_id, ids[start : start + BATCH])
    return len(ids)


@shared_task(name="content.news_announce_batch", ignore_result=True)
def news_announce_batch(news_id: int, user_ids: list[int]) -> int:
    """One notice per user; the dedup key (news + user) makes a retried batch notify once."""
    from django.urls import reverse

    from lkk.accounts.models import User
    from lkk.content.models import News
    from lkk.notifications.services import notify

    news = News.objects.filter(pk=news_id, status=News.Status.PUBLISHED).first()
    if news is None:
        return 0
    url = reverse("content:news_detail", args=[news.pk])
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        with transaction.atomic():
            notify(
                user,
                topic="news",
                title=news.title,
                body=news.summary,
                url=url,
                dedup_key=f"news:{news.pk}:{user.pk}",
            )
        sent += 1
    return sent
