"""Forms of applications, derived from the registry of kinds (lkk/applications/kinds.py).

`application_form_class(kind)` builds the customer's form of any kind: the contract (from the
user's visible contracts), the kind's fields with their validators, one file field per
attachment slot. Nothing here is written per kind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from lkk.applications.kinds import DOCUMENT_TYPES, AttachmentSpec, FieldSpec, Kind
from lkk.applications.models import Application, Status
from lkk.core.errors import ApplicationError
from lkk.core.uploads import CheckedUpload, uploads_check
from lkk.customers.access import access_scope
from lkk.customers.models import Contract, Counterparty

#: At most this much in the files of one form or message together.
FILES_MAX_TOTAL = 30 * 1024 * 1024
_PHONE = RegexValidator(r"^\+?[0-9 ()\-]{10,20}$", _("Введите телефон в формате +7 900 000-00-00."))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Files of one slot: PDF, JPEG, PNG, DOCX or XLSX, checked by content."""

    widget = MultipleFileInput

    def __init__(self, *, max_files: int = 5, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("PDF, JPEG, PNG, DOCX или XLSX, до %(n)s файлов, каждый до 10 МБ.")
            % {"n": max_files},
        )
        super().__init__(**kwargs)
        self.max_files = max_files
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,.docx,.xlsx")

    def clean(self, data: Any, initial: Any = None) -> list[CheckedUpload]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        try:
            return uploads_check(
                files,
                allowed=DOCUMENT_TYPES,
                max_bytes=settings.LKK_UPLOAD_MAX_BYTES,
                max_files=self.max_files,
                max_total=FILES_MAX_TOTAL,
            )
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


def form_field(spec: FieldSpec) -> forms.Field:
    """The Django form field of a kind's field."""
    common: dict[str, Any] = {
        "label": spec.label,
        "required": spec.required,
        "help_text": spec.help_text,
        "validators": list(spec.validators),
    }
    if spec.type == "textarea":
        return forms.CharField(
            max_length=spec.max_length, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if spec.type == "choice":
        return forms.ChoiceField(choices=[("", "—"), *spec.choices], **common)
    if spec.type == "decimal":
        return forms.DecimalField(max_digits=14, decimal_places=2, **common)
    if spec.type == "integer":
        return forms.IntegerField(**common)
    if spec.type == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.type == "email":
        return forms.EmailField(max_length=254, **common)
    if spec.type == "phone":
        common["validators"].append(_PHONE)
        return forms.CharField(max_length=20, **common)
    return forms.CharField(max_length=spec.max_length, **common)


def _stored(value: Any) -> Any:
    """A cleaned value as JSON keeps it: Decimal and dates as text, losing nothing."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _initial(spec: FieldSpec, value: Any) -> Any:
    if value in (None, ""):
        return None
    if spec.type == "date":
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    return value


class ContractChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contract) -> str:
        return f"{obj.number} — {obj.counterparty.short_name}"


class ApplicationForm(forms.Form):
    """The base of every kind's form; `application_form_class` adds the kind's fields."""

    kind: Kind

    def __init__(
        self,
        *args: Any,
        user: Any,
        application: Application | None = None,
        contract_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        if application is not None:
            initial = {
                spec.name: _initial(spec, application.data.get(spec.name))
                for spec in self.kind.fields
            }
            initial["contract"] = application.contract_id
            initial["counterparty"] = application.counterparty_id
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.user = user
        self.application = application
        fields: dict[str, forms.Field] = {}
        if self.kind.contract != "none":
            contracts = Contract.objects.visible_to(user).select_related("counterparty")
            fields["contract"] = ContractChoice(
                queryset=contracts.order_by("number"),
                label=_("Договор"),
                required=self.kind.contract == "required",
                empty_label="—",
            )
            if (
                contract_id is not None
                and not self.is_bound
                and application is None
                and contracts.filter(pk=contract_id).exists()
            ):
                self.initial["contract"] = contract_id
        if self.kind.contract != "required":
            # Without a contract the application is the whole counterparty's: only a user
            # granted all of its contracts may file one (and see it afterwards).
            whole = access_scope(user).whole_counterparty_ids
            fields["counterparty"] = forms.ModelChoiceField(
                queryset=Counterparty.objects.visible_to(user).filter(pk__in=whole),
                label=_("Контрагент"),
                required=False,
                empty_label="—",
                help_text=_("Если заявка не по договору."),
            )
            if len(whole) == 1 and "counterparty" not in self.initial:
                self.initial["counterparty"] = whole[0]
        present = (
            set(application.attachments.values_list("slot", flat=True)) if application else set()
        )
        self.fields = {**fields, **self.fields}
        for spec in self.kind.attachments:
            self.fields[spec.name].required = spec.required and spec.name not in present

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        contract = cleaned.get("contract")
        counterparty = cleaned.get("counterparty")
        if contract is not None:
            cleaned["counterparty"] = contract.counterparty
        elif counterparty is None and not self.errors:
            field = "counterparty" if "counterparty" in self.fields else "contract"
            self.add_error(field, _("Выберите договор или контрагента."))
        return cleaned

    def values(self) -> dict[str, Any]:
        """The kind's fields, ready for `Application.data`."""
        return {
            spec.name: _stored(self.cleaned_data.get(spec.name))
            for spec in self.kind.fields
            if self.cleaned_data.get(spec.name) not in (None, "")
        }

    def files_by_slot(self) -> dict[str, list[CheckedUpload]]:
        return {spec.name: self.cleaned_data.get(spec.name) or [] for spec in self.kind.attachments}


def _attachment_field(spec: AttachmentSpec) -> AttachmentsField:
    return AttachmentsField(label=spec.label, required=spec.required, max_files=spec.max_files)


def application_form_class(kind: Kind) -> type[ApplicationForm]:
    """The form of `kind`: its fields and attachment slots on top of `ApplicationForm`."""
    attrs: dict[str, Any] = {"kind": kind}
    for spec in kind.fields:
        attrs[spec.name] = form_field(spec)
    for spec in kind.attachments:
        attrs[spec.name] = _attachment_field(spec)
    return type(f"{kind.slug.title().replace('_', '')}ApplicationForm", (ApplicationForm,), attrs)


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Сообщение"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = AttachmentsField(label=_("Файлы"))


class RateForm(forms.Form):
    MARKS = [(str(n), str(n)) for n in range(1, 6)]
    quality = forms.TypedChoiceField(
        label=_("Качество услуги"), choices=MARKS, coerce=int, widget=forms.RadioSelect
    )
    availability = forms.TypedChoiceField(
        label=_("Доступность услуги"), choices=MARKS, coerce=int, widget=forms.RadioSelect
    )


# --- The back office -----------------------------------------------------------------------------


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("Новый статус"))
    comment = forms.CharField(
        label=_("Комментарий (причина отказа, какая информация нужна)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, moves: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(m, Status(m).label) for m in moves]


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Этап"))
    reached_on = forms.DateField(
        label=_("Дата этапа"), widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.CharField(
        label=_("Комментарий"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    documents = AttachmentsField(label=_("Документы этапа"))

    def __init__(self, *args: Any, stages: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = stages
