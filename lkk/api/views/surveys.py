"""«Опросы» (S4) in the app: the open surveys meant for the user (the site's audience rule),
a survey's questions, and the answer — once; a second one is a 409 with the site's words."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from lkk.api import serializers as s
from lkk.api.schema import ErrorSerializer
from lkk.api.views.base import (
    Conflict,
    CustomerViewSet,
    form_errors,
    idempotency_parameter,
    idempotent_response,
)
from lkk.core.errors import ApplicationError
from lkk.surveys.forms import AnswerForm
from lkk.surveys.models import Survey
from lkk.surveys.services import already, answered_ids, survey_answer, surveys_listed


@extend_schema_view(
    list=extend_schema(summary="Опросы для меня"),
    retrieve=extend_schema(summary="Опрос с вопросами", responses=s.SurveyDetailSerializer),
)
class SurveyViewSet(CustomerViewSet):
    model = Survey
    serializer_class = s.SurveySerializer
    ordering = ("-opened_at", "-pk")

    def base_queryset(self) -> QuerySet:
        # Open surveys of the user's audience (everyone, or a category he acts for).
        if not self.request.user.is_authenticated:
            return Survey.objects.none()
        return surveys_listed(self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.SurveyDetailSerializer
        return super().get_serializer_class()

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("questions")
        return queryset

    @extend_schema(
        summary="Ответить на опрос",
        description=(
            "Ответ принимается один раз: повторный — 409 «Вы уже ответили на этот опрос». "
            "Заголовок Idempotency-Key (по желанию): повтор запроса с тем же ключом вернёт "
            "первый ответ."
        ),
        parameters=[idempotency_parameter()],
        request=s.SurveyAnswerSerializer,
        responses={
            201: s.SurveyAnsweredSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Ответы не приняты"),
            409: OpenApiResponse(ErrorSerializer, description="Уже отвечали на этот опрос"),
            422: OpenApiResponse(ErrorSerializer, description="Ключ уже использован"),
        },
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        survey = self.get_object()
        return idempotent_response(request, lambda: self._answer(request, survey))

    def _answer(self, request, survey: Survey) -> tuple[int, dict]:
        if answered_ids(request.user, [survey.pk]):
            raise Conflict(already())
        given = s.SurveyAnswerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        answers = given.validated_data["answers"]
        questions = list(survey.questions.all())
        data = {}
        for question in questions:
            value = answers.get(str(question.pk))
            if value is None:
                continue
            data[f"q{question.pk}"] = (
                [str(v) for v in value] if isinstance(value, list) else str(value)
            )
        form = AnswerForm(survey, questions, data)
        if not form.is_valid():
            errors = form_errors(form)
            raise type(errors)(
                {
                    (f"answers.{key[1:]}" if key.startswith("q") else key): messages
                    for key, messages in errors.detail.items()
                }
            )
        try:
            survey_answer(request.user, survey, form.answers())
        except ApplicationError as exc:
            if exc.message == already():
                raise Conflict(exc.message) from None
            raise
        return status.HTTP_201_CREATED, {
            "survey": survey.pk,
            "detail": _("Спасибо! Ваши ответы приняты."),
        }
