"""Applications and appeals (Q1, T1) in the app: the kinds, the user's applications, a new one
(a draft or submitted at once), the thread of messages and the attached files.

Nothing is validated twice: the kinds come from `Kind.describe()` and a new application's fields
go through the site's own form (`application_form_class(kind)`) and services; the form's errors
come back in the API's JSON shape, tied to the fields.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from lkk.api import serializers as s
from lkk.api.schema import ErrorSerializer
from lkk.api.views.base import CustomerViewSet
from lkk.applications import services
from lkk.applications.forms import MessageForm, application_form_class
from lkk.applications.kinds import DOCUMENT_TYPES, KINDS, kinds_all
from lkk.applications.models import Application, Attachment, Message


def _form_errors(form) -> serializers.ValidationError:
    errors = {
        ("non_field_errors" if field == "__all__" else field): list(messages)
        for field, messages in form.errors.items()
    }
    return serializers.ValidationError(errors)


class KindListView(APIView):
    @extend_schema(summary="Виды заявок и обращений", responses=s.KindSerializer(many=True))
    def get(self, request):
        return Response([kind.describe() for kind in kinds_all()])


@extend_schema_view(
    list=extend_schema(summary="Мои заявки и обращения"),
    retrieve=extend_schema(summary="Заявка", responses=s.ApplicationDetailSerializer),
)
class ApplicationViewSet(CustomerViewSet):
    model = Application
    serializer_class = s.ApplicationSerializer
    query_parameters = {"contract": ("contract_id", "Только заявки по этому договору")}
    ordering = ("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ApplicationDetailSerializer
        return super().get_serializer_class()

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("attachments")
        return queryset

    @extend_schema(
        summary="Новая заявка: черновик или подать сразу",
        description=(
            "Поля вида (GET /application-kinds/) проверяются той же формой, что на сайте; "
            "ошибки — в errors по именам полей. Файлы к заявке через API не прикладываются: "
            "вид с обязательными вложениями подаётся на сайте."
        ),
        request=s.ApplicationCreateSerializer,
        responses={
            201: s.ApplicationDetailSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Заявка не принята"),
        },
    )
    def create(self, request):
        envelope = s.ApplicationCreateSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        given = envelope.validated_data
        kind = KINDS.get(given["kind"])
        if kind is None:
            raise serializers.ValidationError({"kind": [_("Выберите вид заявки из списка.")]})
        data = dict(given.get("fields") or {})
        for name in ("contract", "counterparty"):
            if given.get(name) is not None:
                data[name] = str(given[name])
        form = application_form_class(kind)(data=data, files={}, user=request.user)
        if not form.is_valid():
            raise _form_errors(form)
        with transaction.atomic():  # a refused submission leaves no draft behind
            application = services.application_save(
                user=request.user,
                kind=kind,
                counterparty=form.cleaned_data["counterparty"],
                contract=form.cleaned_data.get("contract"),
                data=form.values(),
                files=form.files_by_slot(),
            )
            if given["submit"]:
                application = services.application_submit(
                    application=application, user=request.user
                )
        found = self.base_queryset().prefetch_related("attachments").get(pk=application.pk)
        return Response(s.ApplicationDetailSerializer(found).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Сообщения по заявке",
        request=None,
        responses=s.MessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Написать сообщение по заявке",
        request=s.MessageCreateSerializer,
        responses={
            201: s.MessageSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Сообщение не отправлено"),
        },
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request, pk=None):
        application = self.get_object()
        if request.method == "GET":
            found = Message.objects.filter(application=application).prefetch_related(
                Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
            )
            return Response(s.MessageSerializer(found, many=True).data)
        given = s.MessageCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = MessageForm(data={"text": given.validated_data["text"]}, files={})
        if not form.is_valid():
            raise _form_errors(form)
        message = services.message_post(
            application=application,
            author=request.user,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["documents"],
            by_operator=False,
        )
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Файлы заявок"), retrieve=extend_schema(summary="Файл заявки")
)
class ApplicationAttachmentViewSet(CustomerViewSet):
    # The files of the applications the user sees (of the form, the messages, the stages).

    model = Attachment
    serializer_class = s.AttachmentSerializer
    query_parameters = {"application": ("application_id", "Только файлы этой заявки")}
    ordering = ("created_at", "id")

    def base_queryset(self) -> QuerySet:
        visible = Application.objects.visible_to(self.request.user).values("pk")
        return Attachment.objects.filter(application_id__in=visible)

    def perform_content_negotiation(self, request, force=False):
        # The file answers whatever Accept asks; its errors are JSON like every other.
        return super().perform_content_negotiation(request, force=force or self.action == "file")

    @extend_schema(
        summary="Скачать файл заявки",
        responses={
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="Файл")
                for content_type in DOCUMENT_TYPES
            },
            404: OpenApiResponse(ErrorSerializer, description="Нет файла"),
        },
    )
    @action(detail=True, methods=["get"], url_path="file")
    def file(self, request, pk=None):
        attachment = self.get_object()
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
