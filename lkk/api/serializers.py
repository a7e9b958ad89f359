"""What the API shows of each object and reads from the app (P1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lkk.accounts.models import User
from lkk.applications.models import Application
from lkk.appointments.models import Appointment, Office, OfficeHours, Service, Slot
from lkk.billing.models import Charge, Document, Payment
from lkk.customers.models import (
    ConsumptionObject,
    Contract,
    Counterparty,
    Meter,
    MeteringPoint,
    Zone,
)
from lkk.notifications.models import Notification
from lkk.outages.models import Outage
from lkk.outages.models import Subscription as OutageSubscription
from lkk.readings.models import Reading, Submission
from lkk.reports.models import Report
from lkk.surveys.models import Question, Survey

# --- Authentication -----------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Логин или email"), max_length=254)
    password = serializers.CharField(label=_("Пароль"), max_length=4096, trim_whitespace=False)
    captcha_key = serializers.CharField(
        required=False,
        max_length=64,
        help_text="Ключ картинки: выдаётся в ответе 400, когда требуется код с картинки",
    )
    captcha = serializers.CharField(required=False, max_length=32, help_text="Код с картинки")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Ключ доступа: заголовок Authorization: Bearer <ключ>")
    expires_at = serializers.DateTimeField()


class TokenErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    captcha_key = serializers.CharField(required=False, help_text="Когда требуется код с картинки")
    captcha_image = serializers.CharField(required=False, help_text="Адрес картинки")


class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "phone", "unread_notifications"]


# --- The billing mirror -------------------------------------------------------------------------


class CounterpartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Counterparty
        fields = ["id", "kind", "name", "short_name", "inn", "kpp", "ogrn", "ogrnip",
                  "legal_address", "postal_address"]  # fmt: skip


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = ["id", "counterparty", "number", "signed_on", "kind", "status", "price_category",
                  "voltage_level", "max_power_kw", "valid_from", "valid_to", "balance",
                  "balance_on"]  # fmt: skip


class ConsumptionObjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsumptionObject
        fields = ["id", "contract", "name", "kind", "address"]


class MeteringPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeteringPoint
        fields = ["id", "contract", "consumption_object", "code", "name", "address",
                  "voltage_level", "max_power_kw"]  # fmt: skip


class MeterSerializer(serializers.ModelSerializer):
    zones = serializers.ListField(
        child=serializers.ChoiceField(choices=Zone.choices),
        read_only=True,
        help_text="Зоны (регистры) прибора: их показания передаются",
    )

    class Meta:
        model = Meter
        fields = ["id", "metering_point", "serial_number", "model", "digit_capacity",
                  "decimal_places", "transformation_ratio", "tariff_zones", "zones",
                  "installed_on", "removed_on", "verified_on", "next_verification_on",
                  "is_automatic"]  # fmt: skip


class ReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reading
        fields = ["id", "meter", "zone", "value", "read_on", "consumption", "source", "status",
                  "rejection_reason", "submission"]  # fmt: skip


class ReceiptSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text="Номер квитанции")
    readings = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = ["id", "number", "counterparty", "channel", "created_at", "corrected_at",
                  "readings"]  # fmt: skip

    @extend_schema_field(ReadingSerializer(many=True))
    def get_readings(self, submission: Submission) -> list[dict]:
        # Only the readings the user may see (prefetched through visible_to by the view).
        return ReadingSerializer(submission.visible_readings, many=True).data


class ChargeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Charge
        fields = ["id", "contract", "period", "kwh", "amount"]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "contract", "paid_on", "amount", "document_number", "purpose"]


class DocumentSerializer(serializers.ModelSerializer):
    has_file = serializers.SerializerMethodField(help_text="Есть файл для скачивания")

    class Meta:
        model = Document
        fields = ["id", "contract", "kind", "number", "issued_on", "period", "amount", "has_file"]

    def get_has_file(self, document: Document) -> bool:
        return bool(document.file)


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "topic", "title", "body", "url", "created_at", "read_at", "is_read"]


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="Сколько уведомлений отмечено прочитанными")


# --- Submitting readings ------------------------------------------------------------------------


class MeterReadingInputSerializer(serializers.Serializer):
    meter = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("Прибор учёта"))
    values = serializers.DictField(
        child=serializers.CharField(max_length=30, allow_blank=True),
        allow_empty=False,
        help_text='Зона → показание, например {"day": "1234,5", "night": "567"}',
    )
    confirmed = serializers.BooleanField(
        default=False, help_text="Подтверждаю необычно большой расход"
    )

    def validate_values(self, values: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(values) - set(Zone.values))
        if unknown:
            raise serializers.ValidationError(
                _("Неизвестная зона: %(zones)s.") % {"zones": ", ".join(unknown)}
            )
        return values


class ReadingsSubmitSerializer(serializers.Serializer):
    readings = MeterReadingInputSerializer(many=True, allow_empty=False, max_length=500)

    def validate_readings(self, items: list[dict]) -> list[dict]:
        meters = [item["meter"] for item in items]
        if len(set(meters)) != len(meters):
            raise serializers.ValidationError(_("Каждый прибор учёта — один раз."))
        return items


# --- Applications and appeals (Q1, T1) ----------------------------------------------------------


class KindFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["text", "textarea", "choice", "decimal", "integer", "date", "email", "phone"]
    )
    required = serializers.BooleanField()
    choices = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="[[значение, подпись], …] для поля type=choice",
    )
    max_length = serializers.IntegerField()


class KindAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()


class KindSerializer(serializers.Serializer):
    """A kind as `Kind.describe()` gives it (lkk/applications/kinds.py): the one source."""

    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    contract = serializers.ChoiceField(
        choices=["required", "optional", "none"],
        help_text="required — договор обязателен, optional — договор или контрагент, none — "
        "только контрагент",
    )
    fields = KindFieldSerializer(many=True)
    attachments = KindAttachmentSerializer(many=True)
    stages = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    rateable = serializers.BooleanField()


class ApplicationSerializer(serializers.ModelSerializer):
    kind_title = serializers.CharField(source="get_kind_display", read_only=True)
    status_title = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Application
        fields = ["id", "kind", "kind_title", "status", "status_title", "number", "counterparty",
                  "contract", "summary", "created_at", "registered_at", "due_on", "closed_at",
                  "stage"]  # fmt: skip
        read_only_fields = fields


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    slot = serializers.CharField(help_text="Поле вложений вида заявки; пусто — файл сообщения")
    message = serializers.IntegerField(source="message_id", allow_null=True)
    created_at = serializers.DateTimeField()


class ApplicationValueSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class ApplicationDetailSerializer(ApplicationSerializer):
    data = serializers.DictField(child=serializers.JSONField(), read_only=True)
    values = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    can_rate = serializers.BooleanField(read_only=True, help_text="Можно оценить (T4)")

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "data", "values", "attachments",
                  "can_rate", "rating_quality", "rating_availability", "rated_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ApplicationValueSerializer(many=True))
    def get_values(self, application) -> list[dict[str, str]]:
        return [
            {"label": label, "value": value}
            for label, value in application.kind_spec.display(application.data)
        ]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, application) -> list[dict]:
        return AttachmentSerializer(application.attachments.all(), many=True).data


class ApplicationCreateSerializer(serializers.Serializer):
    """The envelope only: the fields are checked by the kind's own form (the site's)."""

    kind = serializers.CharField(max_length=40, help_text="slug из GET /application-kinds/")
    contract = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    counterparty = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    fields = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=10000),
        required=False,
        help_text="Значения полей вида: {имя: значение}; даты — ГГГГ-ММ-ДД",
    )
    submit = serializers.BooleanField(
        default=False, help_text="true — подать заявку сразу, false — сохранить черновик"
    )


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    by_operator = serializers.BooleanField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentSerializer(many=True)


class MessageCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10000, allow_blank=True)


# --- Reports (R1–R4) ----------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    kind_title = serializers.CharField(source="get_kind_display", read_only=True)
    status_title = serializers.CharField(source="get_status_display", read_only=True)
    start = serializers.SerializerMethodField(help_text="Первый месяц периода, ГГГГ-ММ-ДД")
    end = serializers.SerializerMethodField(help_text="Последний месяц периода, ГГГГ-ММ-ДД")
    contracts_count = serializers.SerializerMethodField(
        help_text="Сколько договоров выбрано при заказе; 0 — все договоры контрагента"
    )

    class Meta:
        model = Report
        fields = ["id", "kind", "kind_title", "counterparty", "start", "end", "contracts_count",
                  "status", "status_title", "progress", "error", "created_at", "finished_at",
                  "expires_at"]  # fmt: skip
        read_only_fields = fields

    def get_start(self, report) -> str:
        return str(report.params.get("start", ""))

    def get_end(self, report) -> str:
        return str(report.params.get("end", ""))

    def get_contracts_count(self, report) -> int:
        return len(report.params.get("contracts") or [])


class ReportDetailSerializer(ReportSerializer):
    contracts = serializers.ListField(
        child=serializers.CharField(),
        source="contract_numbers",
        read_only=True,
        help_text="Номера выбранных договоров (пусто — все договоры контрагента)",
    )
    result = serializers.DictField(
        read_only=True, help_text="Что показывает отчёт: заголовок, разделы со строками, итоги"
    )
    files = serializers.SerializerMethodField(help_text="Форматы, в которых отчёт скачивается")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "contracts", "result", "files"]
        read_only_fields = fields

    def get_files(self, report) -> list[str]:
        if report.status != Report.Status.DONE:
            return []
        return [kind for kind in ("xlsx", "pdf") if getattr(report, kind)]


class ReportStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Report.Status.choices)
    status_title = serializers.CharField()
    progress = serializers.IntegerField(help_text="Готовность, %")


class ReportOrderSerializer(serializers.Serializer):
    """The envelope: the values are checked by the site's own order form."""

    kind = serializers.ChoiceField(choices=Report.Kind.choices, label=_("Вид отчёта"))
    counterparty = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Контрагент; можно не указывать, если он у пользователя один",
    )
    start = serializers.DateField(label=_("С месяца"), help_text="ГГГГ-ММ-ДД (берётся месяц)")
    end = serializers.DateField(label=_("По месяц"), help_text="ГГГГ-ММ-ДД (берётся месяц)")
    contracts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=1000,
        help_text="Договоры контрагента; пусто — все",
    )


# --- Office appointments (S1) -------------------------------------------------------------------


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "duration_minutes"]


class OfficeHoursSerializer(serializers.ModelSerializer):
    weekday_title = serializers.CharField(source="get_weekday_display", read_only=True)

    class Meta:
        model = OfficeHours
        fields = ["weekday", "weekday_title", "opens", "closes"]


class OfficeSerializer(serializers.ModelSerializer):
    services = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField(help_text="Часы приёма по дням недели (0 — пн)")

    class Meta:
        model = Office
        fields = ["id", "name", "address", "phone", "slot_minutes", "services", "hours"]

    @extend_schema_field(ServiceSerializer(many=True))
    def get_services(self, office) -> list[dict]:
        return ServiceSerializer(office.active_services, many=True).data

    @extend_schema_field(OfficeHoursSerializer(many=True))
    def get_hours(self, office) -> list[dict]:
        return OfficeHoursSerializer(office.hours.all(), many=True).data


class SlotSerializer(serializers.ModelSerializer):
    free = serializers.IntegerField(read_only=True, help_text="Свободных мест")

    class Meta:
        model = Slot
        fields = ["id", "starts_at", "ends_at", "free"]


class AppointmentSerializer(serializers.ModelSerializer):
    status_title = serializers.CharField(source="get_status_display", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    office_address = serializers.CharField(source="office.address", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="slot.ends_at", read_only=True)
    can_change = serializers.SerializerMethodField(
        help_text="Можно отменить или перенести (не позднее срока до приёма)"
    )

    class Meta:
        model = Appointment
        fields = ["id", "status", "status_title", "office", "office_name", "office_address",
                  "service", "service_name", "slot", "starts_at", "ends_at", "comment",
                  "moved_to", "created_at", "can_change"]  # fmt: skip
        read_only_fields = fields

    def get_can_change(self, appointment) -> bool:
        from lkk.appointments.services import can_change

        return can_change(appointment)


class AppointmentBookSerializer(serializers.Serializer):
    office = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("Офис"))
    service = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("Услуга"))
    slot = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, label=_("Время"), help_text="id из /offices/{id}/slots/"
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AppointmentMoveSerializer(serializers.Serializer):
    slot = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, label=_("Время"), help_text="id из /offices/{id}/slots/"
    )


class FreeDaysSerializer(serializers.Serializer):
    days = serializers.ListField(child=serializers.DateField())


# --- Planned outages (S3) -----------------------------------------------------------------------


class OutageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outage
        fields = ["id", "district", "settlement", "street", "houses", "starts_at", "ends_at",
                  "reason"]  # fmt: skip


class OutageSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutageSubscription
        fields = ["id", "settlement", "street", "house", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "settlement": {"allow_blank": True},
            "street": {"allow_blank": True},
            "house": {"allow_blank": True, "required": False},
        }


class AddedSerializer(serializers.Serializer):
    added = serializers.IntegerField(help_text="Сколько адресов добавлено")


# --- Surveys (S4) -------------------------------------------------------------------------------


class SurveySerializer(serializers.ModelSerializer):
    answered = serializers.BooleanField(source="done", read_only=True, help_text="Я уже ответил")

    class Meta:
        model = Survey
        fields = ["id", "title", "description", "opened_at", "answered"]


class QuestionSerializer(serializers.ModelSerializer):
    kind_title = serializers.CharField(source="get_kind_display", read_only=True)
    options = serializers.ListField(
        child=serializers.CharField(),
        source="option_list",
        read_only=True,
        help_text="Варианты; в ответе — номер варианта с 1 (для оценки — балл 1–5)",
    )

    class Meta:
        model = Question
        fields = ["id", "order", "text", "kind", "kind_title", "required", "options"]


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "questions"]


class SurveyAnswerSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "id вопроса → ответ: номер варианта (с 1) для одного варианта и оценки, список "
            'номеров для нескольких, текст для свободного ответа; например {"12": 2, '
            '"13": [1, 3], "14": "Всё хорошо"}'
        ),
    )


class SurveyAnsweredSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    detail = serializers.CharField()


# --- Applications: drafts, files, ratings -------------------------------------------------------


class ApplicationUpdateSerializer(serializers.Serializer):
    """A draft's values anew (the kind stays); checked by the kind's own form."""

    contract = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    counterparty = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    fields = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=10000),
        required=False,
        help_text="Значения полей вида: {имя: значение}; даты — ГГГГ-ММ-ДД",
    )


class RateSerializer(serializers.Serializer):
    quality = serializers.IntegerField(
        min_value=1, max_value=5, label=_("Качество услуги"), help_text="1–5"
    )
    availability = serializers.IntegerField(
        min_value=1, max_value=5, label=_("Доступность услуги"), help_text="1–5"
    )


class AttachmentUploadSerializer(serializers.Serializer):
    slot = serializers.CharField(max_length=40, help_text="Поле вложений вида заявки")
    files = serializers.ListField(
        child=serializers.FileField(), help_text="Файлы: PDF, JPEG, PNG, DOCX или XLSX"
    )


class MessageUploadSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10000, allow_blank=True)
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Файлы к сообщению: PDF, JPEG, PNG, DOCX или XLSX",
    )
