"""What the API shows of each object and reads from the app (P1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lkk.accounts.models import User
from lkk.applications.models import Application
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
from lkk.readings.models import Reading, Submission

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

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "data", "values", "attachments"]
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
