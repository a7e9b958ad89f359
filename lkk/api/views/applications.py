"""Applications and appeals (Q1, T1) in the app: the kinds, the user's applications, a new one
(a draft or submitted at once), the thread of messages and the attached files.

Nothing is validated twice: the kinds come from `Kind.describe()` and a new application's fields
go through the site's own form (`application_form_class(kind)`) and services; the form's errors
come back in the API's JSON shape, tied to the fields.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from lkk.api import serializers as s
from lkk.api.parsers import CleanJSONParser, CleanMultiPartParser
from lkk.api.schema import ErrorSerializer
from lkk.api.views.base import CustomerViewSet, form_errors
from lkk.applications import services
from lkk.applications.forms import MessageForm, RateForm, application_form_class
from lkk.applications.kinds import DOCUMENT_TYPES, KINDS, kinds_all
from lkk.applications.models import Application, Attachment, Message, Status
from lkk.core.errors import ApplicationError


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
            "ошибки — в errors по именам полей. Файлы прикладываются к черновику отдельно "
            "(POST /applications/{id}/attachments/), затем черновик подаётся "
            "(POST /applications/{id}/submit/); без обязательных файлов заявка не подаётся."
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
        form = self._form(request, kind, given, None)
        with transaction.atomic():  # a refused submission leaves no draft behind
            application = self._save(request, kind, form, None)
            if given["submit"]:
                application = services.application_submit(
                    application=application, user=request.user
                )
        return self._detail(application, status.HTTP_201_CREATED)

    def _form(self, request, kind, given: dict, application: Application | None):
        """The site's form of the kind, bound to the app's values. Files come separately
        (POST /applications/{id}/attachments/): the slots are not required here, the submit
        service refuses an application without its required files."""
        data = dict(given.get("fields") or {})
        for name in ("contract", "counterparty"):
            if given.get(name) is not None:
                data[name] = str(given[name])
        form = application_form_class(kind)(
            data=data, files={}, user=request.user, application=application
        )
        for spec in kind.attachments:
            form.fields[spec.name].required = False
        if not form.is_valid():
            raise form_errors(form)
        return form

    def _save(self, request, kind, form, application: Application | None) -> Application:
        return services.application_save(
            user=request.user,
            kind=kind,
            counterparty=form.cleaned_data["counterparty"],
            contract=form.cleaned_data.get("contract"),
            data=form.values(),
            files={},
            application=application,
        )

    def _detail(self, application: Application, code: int = 200) -> Response:
        found = self.base_queryset().prefetch_related("attachments").get(pk=application.pk)
        return Response(s.ApplicationDetailSerializer(found).data, status=code)

    @extend_schema(
        summary="Изменить черновик",
        description=(
            "Все поля вида заново (как форма на сайте); вид заявки не меняется. Поданную "
            "заявку изменить нельзя."
        ),
        request=s.ApplicationUpdateSerializer,
        responses={
            200: s.ApplicationDetailSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Черновик не сохранён"),
        },
    )
    def update(self, request, pk=None):
        application = self.get_object()
        envelope = s.ApplicationUpdateSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        if application.status != Status.DRAFT:
            raise ApplicationError(_("Поданную заявку изменить нельзя."))
        kind = application.kind_spec
        form = self._form(request, kind, envelope.validated_data, application)
        application = self._save(request, kind, form, application)
        return self._detail(application)

    @extend_schema(
        summary="Удалить черновик",
        responses={
            204: None,
            400: OpenApiResponse(ErrorSerializer, description="Не черновик"),
        },
    )
    def destroy(self, request, pk=None):
        services.application_delete(application=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Подать черновик",
        request=None,
        responses={
            200: s.ApplicationDetailSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Заявка не подана"),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = services.application_submit(application=self.get_object(), user=request.user)
        return self._detail(application)

    @extend_schema(
        summary="Оценить выполненную заявку (один раз)",
        request=s.RateSerializer,
        responses={
            200: s.ApplicationDetailSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Оценка не принята"),
        },
    )
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        application = self.get_object()
        given = s.RateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = RateForm({k: str(v) for k, v in given.validated_data.items()})
        if not form.is_valid():
            raise form_errors(form)
        application = services.application_rate(
            application=application,
            user=request.user,
            quality=form.cleaned_data["quality"],
            availability=form.cleaned_data["availability"],
        )
        return self._detail(application)

    @extend_schema(
        summary="Приложить файлы к черновику",
        description=(
            "multipart/form-data: slot — поле вложений вида (GET /application-kinds/, "
            "attachments[].name), files — один или несколько файлов (PDF, JPEG, PNG, DOCX, "
            "XLSX; проверяются по содержимому, как на сайте; размер и общий объём файлов "
            "ограничены)."
        ),
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={
            201: s.AttachmentSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="Файлы не приняты"),
            413: OpenApiResponse(ErrorSerializer, description="Запрос слишком большой"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[CleanMultiPartParser],
        pagination_class=None,
    )
    def attachments(self, request, pk=None):
        application = self.get_object()
        slot = request.data.get("slot", "")
        files = request.FILES.getlist("files")
        spec = next((a for a in application.kind_spec.attachments if a.name == slot), None)
        if spec is None:
            raise serializers.ValidationError(
                {"slot": [_("У заявки этого вида нет такого поля вложений.")]}
            )
        field = application_form_class(application.kind_spec).base_fields[spec.name]
        try:
            uploads = field.clean(files)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"files": list(exc.messages)}) from None
        if not uploads:
            raise serializers.ValidationError({"files": [_("Выберите файлы.")]})
        try:
            saved = services.application_attach(
                application=application, user=request.user, slot=spec.name, uploads=uploads
            )
        except ApplicationError as exc:
            if exc.field == "documents":
                exc.field = "files"
            raise
        return Response(s.AttachmentSerializer(saved, many=True).data, status=201)

    @extend_schema(
        methods=["GET"],
        summary="Сообщения по заявке",
        request=None,
        responses=s.MessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Написать сообщение по заявке",
        description="JSON с текстом, или multipart/form-data с текстом и файлами (files).",
        request={
            "application/json": s.MessageCreateSerializer,
            "multipart/form-data": s.MessageUploadSerializer,
        },
        responses={
            201: s.MessageSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Сообщение не отправлено"),
            413: OpenApiResponse(ErrorSerializer, description="Запрос слишком большой"),
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        parser_classes=[CleanJSONParser, CleanMultiPartParser],
    )
    def messages(self, request, pk=None):
        application = self.get_object()
        if request.method == "GET":
            found = Message.objects.filter(application=application).prefetch_related(
                Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
            )
            return Response(s.MessageSerializer(found, many=True).data)
        text = request.data.get("text") if isinstance(request.data, dict) else None
        given = s.MessageCreateSerializer(data={} if text is None else {"text": text})
        given.is_valid(raise_exception=True)
        files = MultiValueDict({"documents": request.FILES.getlist("files")})
        form = MessageForm(data={"text": given.validated_data["text"]}, files=files)
        if not form.is_valid():
            errors = form_errors(form)
            raise serializers.ValidationError(
                {("files" if k == "documents" else k): v for k, v in errors.detail.items()}
            )
        try:
            message = services.message_post(
                application=application,
                author=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["documents"],
                by_operator=False,
            )
        except ApplicationError as exc:
            if exc.field == "documents":
                exc.field = "files"
            raise
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
