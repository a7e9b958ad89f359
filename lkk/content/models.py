"""News, pages «Информация для клиента», the FAQ and downloadable instructions (S2, S5).

None of them is customer data: everyone sees what is published, so they carry no CONTRACT_PATH
and are outside the isolation guard. Rich text is stored already cleaned (`sanitize.rich_text`)
and cleaned again when shown.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class News(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        PUBLISHED = "published", _("Опубликована")

    title = models.CharField(_("заголовок"), max_length=200)
    summary = models.CharField(_("кратко"), max_length=500)
    body = models.TextField(_("текст"))
    status = models.CharField(
        _("состояние"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("дата публикации"), default=timezone.now)
    # Set once, by the first publication: the customers were told then, never again.
    announced_at = models.DateTimeField(_("разослана"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        verbose_name = _("новость")
        verbose_name_plural = _("новости")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="content_news_published",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="content_news_status_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def public(cls):
        """What visitors see: published, and not dated in the future."""
        return cls.objects.filter(status=cls.Status.PUBLISHED, published_at__lte=timezone.now())


class InfoPage(models.Model):
    title = models.CharField(_("заголовок"), max_length=200)
    slug = models.SlugField(_("адрес страницы"), max_length=80, unique=True)
    body = models.TextField(_("текст"))
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)
    is_published = models.BooleanField(_("опубликована"), default=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        verbose_name = _("страница информации")
        verbose_name_plural = _("информация для клиента")
        ordering = ["order", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class FaqItem(models.Model):
    category = models.CharField(_("раздел"), max_length=100, default="Общие вопросы")
    question = models.CharField(_("вопрос"), max_length=300)
    answer = models.TextField(_("ответ"))
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)
    is_published = models.BooleanField(_("опубликован"), default=True)

    class Meta:
        verbose_name = _("вопрос и ответ")
        verbose_name_plural = _("частые вопросы")
        ordering = ["category", "order", "pk"]

    def __str__(self) -> str:
        return self.question


def _instruction_path(instance: Instruction, filename: str) -> str:
    """A server-generated name: nothing of the uploaded file's name reaches the disk."""
    return f"help/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class Instruction(models.Model):
    """A PDF instruction; `is_public` ones are for anonymous visitors too (the login page)."""

    title = models.CharField(_("название"), max_length=200)
    slug = models.SlugField(
        _("код"),
        max_length=80,
        unique=True,
        help_text=_("Например, «registration»: по нему ссылается страница входа."),
    )
    file = models.FileField(upload_to=_instruction_path, max_length=200)
    file_name = models.CharField(_("имя файла"), max_length=200)
    size = models.PositiveIntegerField(_("размер"), default=0)
    is_public = models.BooleanField(_("доступна без входа"), default=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        verbose_name = _("инструкция")
        verbose_name_plural = _("инструкции")
        ordering = ["order", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class SupportPhone(models.Model):
    """A support line on «Помощь»: the contact centre, an emergency line, an office."""

    title = models.CharField(_("назначение"), max_length=200)
    phone = models.CharField(_("телефон"), max_length=40)
    hours = models.CharField(_("часы работы"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)

    class Meta:
        verbose_name = _("телефон поддержки")
        verbose_name_plural = _("телефоны поддержки")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.title}: {self.phone}"
