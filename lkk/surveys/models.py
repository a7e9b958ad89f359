"""Surveys (S4): an operator builds one, aims it at all customers or a category (ЮЛ/ИП/ФЛ),
opens and closes it; a customer answers once (the database holds it: one response per survey
and user)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Survey(models.Model):
    class Audience(models.TextChoices):
        ALL = "all", _("Все клиенты")
        LEGAL = "ul", _("Юридические лица")
        ENTREPRENEUR = "ip", _("Индивидуальные предприниматели")
        PERSON = "fl", _("Физические лица")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        OPEN = "open", _("Открыт")
        CLOSED = "closed", _("Закрыт")

    title = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    audience = models.CharField(
        _("для кого"), max_length=4, choices=Audience.choices, default=Audience.ALL
    )
    status = models.CharField(
        _("состояние"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opened_at = models.DateTimeField(_("открыт"), null=True, blank=True)
    closed_at = models.DateTimeField(_("закрыт"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("опрос")
        verbose_name_plural = _("опросы")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]),
                name="surveys_survey_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["all", "ul", "ip", "fl"]),
                name="surveys_survey_audience_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Один вариант")
        MULTIPLE = "multiple", _("Несколько вариантов")
        SCALE = "scale", _("Оценка от 1 до 5")
        TEXT = "text", _("Свободный ответ")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("порядок"), default=1)
    text = models.CharField(_("вопрос"), max_length=500)
    kind = models.CharField(_("тип"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    required = models.BooleanField(_("обязательный"), default=True)
    options = models.TextField(
        _("варианты ответа"),
        blank=True,
        help_text=_("Для вопросов с вариантами: по одному в строке."),
    )

    class Meta:
        verbose_name = _("вопрос")
        verbose_name_plural = _("вопросы")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def option_list(self) -> list[str]:
        if self.kind == self.Kind.SCALE:
            return ["1", "2", "3", "4", "5"]
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class Response(models.Model):
    """One customer's answers to a survey: at most one per survey and user."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_responses"
    )
    # The category the customer answered as (for the operator's breakdown); no customer data.
    category = models.CharField(_("категория"), max_length=4, blank=True)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("ответ на опрос")
        verbose_name_plural = _("ответы на опросы")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="surveys_response_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.user_id}"


class Answer(models.Model):
    """One chosen option (its number from 1; the score for a scale) or one free text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["question", "option"], name="surveys_answer_q_opt")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option or self.text[:40]}"
