"""The kinds of applications and appeals (Q1, T1): one declarative table.

Each kind says what the customer fills in (fields), what he attaches, whether a contract is
needed, the stages it goes through (technological connection, T2), whether the customer rates
it after completion (T4) and which operators' group processes it (O1). Everything else is
derived from this table: the customer's form and its validation (`forms.application_form_class`),
the operator's view of the values (`Kind.display`), the API description (`Kind.describe`), the
kind filter of the lists. Adding a kind here is all it takes to offer it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lkk.accounts.services.roles import OPERATORS_GROUP
from lkk.core.uploads import DOCX, XLSX

#: The operators' group that handles technological connection (grid company's department).
CONNECTION_GROUP = "Операторы ТП"

FIELD_TYPES = ("text", "textarea", "choice", "decimal", "integer", "date", "email", "phone")
#: What an attachment may be: by content (lkk/core/uploads.py), never by name.
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", DOCX, XLSX)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a kind's form; its value is kept in `Application.data[name]`."""

    name: str
    label: str | Promise
    type: str = "text"
    required: bool = True
    choices: tuple[tuple[str, str | Promise], ...] = ()
    validators: tuple[Callable[[Any], None], ...] = ()
    help_text: str | Promise = ""
    max_length: int = 500

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"{self.name}: unknown field type {self.type!r}")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"{self.name}: a choice field needs choices")

    def display(self, value: Any) -> str:
        """The stored value as a person reads it (a choice's label, not its code)."""
        if value in (None, ""):
            return "—"
        if self.type == "choice":
            return str(dict(self.choices).get(value, value))
        if self.type == "date" and isinstance(value, str) and len(value) == 10:
            return f"{value[8:10]}.{value[5:7]}.{value[0:4]}"
        return str(value)


@dataclass(frozen=True)
class AttachmentSpec:
    """A slot of documents the customer attaches (a plan, title documents…)."""

    name: str
    label: str | Promise
    required: bool = False
    max_files: int = 5


@dataclass(frozen=True)
class Kind:
    slug: str
    title: str | Promise
    description: str | Promise
    fields: tuple[FieldSpec, ...] = ()
    attachments: tuple[AttachmentSpec, ...] = (
        AttachmentSpec("documents", _("Документы"), required=False),
    )
    #: "required": a contract must be chosen; "optional": it may be; "none": not asked.
    contract: str = "optional"
    #: T2: the stages after «подана», in order (code, title); empty for appeals.
    stages: tuple[tuple[str, str | Promise], ...] = ()
    rateable: bool = False  # T4
    group: str = OPERATORS_GROUP  # who processes it (O1)

    def __post_init__(self) -> None:
        if self.contract not in ("required", "optional", "none"):
            raise ValueError(f"{self.slug}: contract must be required, optional or none")
        names = [f.name for f in self.fields] + [a.name for a in self.attachments]
        if len(set(names)) != len(names) or {"contract", "counterparty"} & set(names):
            raise ValueError(
                f"{self.slug}: field names must be unique and not contract/counterparty"
            )

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def display(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, value) of every field, for the customer's and the operator's pages."""
        return [(str(f.label), f.display(data.get(f.name))) for f in self.fields]

    def summary(self, data: dict[str, Any]) -> str:
        """The first filled text of the application, for lists and search."""
        for spec in self.fields:
            value = data.get(spec.name)
            if value and spec.type in ("text", "textarea"):
                return str(value)
        return ""

    def describe(self) -> dict[str, Any]:
        """The kind as data (for an API's schema or a client that builds its own form)."""
        return {
            "slug": self.slug,
            "title": str(self.title),
            "description": str(self.description),
            "contract": self.contract,
            "fields": [
                {
                    "name": f.name,
                    "label": str(f.label),
                    "type": f.type,
                    "required": f.required,
                    "choices": [[value, str(label)] for value, label in f.choices],
                    "max_length": f.max_length,
                }
                for f in self.fields
            ],
            "attachments": [
                {"name": a.name, "label": str(a.label), "required": a.required}
                for a in self.attachments
            ],
            "stages": [[code, str(title)] for code, title in self.stage_list()],
            "rateable": self.rateable,
        }

    def stage_list(self) -> tuple[tuple[str, str | Promise], ...]:
        """Every stage including the first one, «Подана»; empty for a kind without stages."""
        if not self.stages:
            return ()
        return (("submitted", _("Заявка подана")), *self.stages)


_TEXT = FieldSpec("text", _("Текст обращения"), "textarea", max_length=4000)
_PERIOD_FROM = FieldSpec("period_from", _("Период с"), "date")
_PERIOD_TO = FieldSpec("period_to", _("Период по"), "date")
_VOLTAGE = (
    ("0.4", _("0,4 кВ")),
    ("6", _("6 кВ")),
    ("10", _("10 кВ")),
    ("35", _("35 кВ")),
    ("110", _("110 кВ")),
)

KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            "general",
            _("Общая заявка"),
            _("Вопрос или просьба по договору, не подходящие под другие виды."),
            fields=(FieldSpec("subject", _("Тема"), max_length=200), _TEXT),
        ),
        Kind(
            "requisites",
            _("Изменение реквизитов"),
            _("Новые банковские реквизиты, адрес, контактные данные или руководитель."),
            fields=(
                FieldSpec(
                    "what",
                    _("Что изменилось"),
                    "choice",
                    choices=(
                        ("bank", _("Банковские реквизиты")),
                        ("address", _("Адрес")),
                        ("contacts", _("Контактные данные")),
                        ("head", _("Руководитель")),
                        ("other", _("Другое")),
                    ),
                ),
                FieldSpec("new_value", _("Новые реквизиты"), "textarea", max_length=2000),
                FieldSpec("valid_from", _("Действуют с"), "date", required=False),
            ),
            attachments=(AttachmentSpec("documents", _("Подтверждающие документы"), True),),
            contract="required",
        ),
        Kind(
            "contract_structure",
            _("Изменение структуры договора"),
            _("Включить в договор или исключить из него объект или точку учёта."),
            fields=(
                FieldSpec(
                    "change",
                    _("Изменение"),
                    "choice",
                    choices=(
                        ("add_object", _("Включить объект")),
                        ("remove_object", _("Исключить объект")),
                        ("add_point", _("Включить точку учёта")),
                        ("remove_point", _("Исключить точку учёта")),
                    ),
                ),
                FieldSpec("object_address", _("Адрес объекта"), max_length=300),
                FieldSpec("valid_from", _("С какой даты"), "date"),
                FieldSpec("comment", _("Комментарий"), "textarea", required=False),
            ),
            contract="required",
        ),
        Kind(
            "complaint",
            _("Жалоба / претензия"),
            _("Письменная жалоба или претензия; ответ — в течение 30 дней."),
            fields=(
                FieldSpec(
                    "topic",
                    _("Предмет"),
                    "choice",
                    choices=(
                        ("quality", _("Качество электроэнергии")),
                        ("billing", _("Начисления и оплата")),
                        ("service", _("Обслуживание")),
                        ("other", _("Другое")),
                    ),
                ),
                _TEXT,
                FieldSpec(
                    "claim_amount",
                    _("Сумма требований, ₽"),
                    "decimal",
                    required=False,
                    validators=(MinValueValidator(Decimal("0.01")),),
                ),
            ),
        ),
        Kind(
            "reference",
            _("Запрос справочной информации"),
            _("Справка о тарифах, задолженности, объёмах потребления и т. п."),
            fields=(FieldSpec("question", _("Какая информация нужна"), "textarea"),),
            attachments=(),
        ),
        Kind(
            "consultation",
            _("Консультация"),
            _("Вопрос специалисту; ответ придёт в сообщениях заявки."),
            fields=(
                FieldSpec("question", _("Вопрос"), "textarea", max_length=4000),
                FieldSpec(
                    "reply_by",
                    _("Как ответить"),
                    "choice",
                    choices=(("portal", _("В личном кабинете")), ("phone", _("По телефону"))),
                ),
                FieldSpec(
                    "phone",
                    _("Телефон для ответа"),
                    "phone",
                    required=False,
                    help_text=_("Если ответить по телефону."),
                ),
            ),
            attachments=(),
            contract="none",
        ),
        Kind(
            "theft",
            _("Сообщение о бездоговорном, безучётном потреблении или хищении"),
            _("Сведения о подключении без договора, в обход прибора учёта или о хищении."),
            fields=(
                FieldSpec("address", _("Адрес, где замечено"), max_length=300),
                FieldSpec("noticed_on", _("Когда замечено"), "date"),
                FieldSpec("text", _("Что замечено"), "textarea", max_length=4000),
            ),
            attachments=(AttachmentSpec("photos", _("Фотографии, документы")),),
            contract="none",
        ),
        Kind(
            "doc_copies",
            _("Электронные копии документов"),
            _("Копии счетов, актов, счетов-фактур за период."),
            fields=(
                FieldSpec(
                    "documents",
                    _("Документы"),
                    "choice",
                    choices=(
                        ("invoices", _("Счета-фактуры")),
                        ("acts", _("Акты приёма-передачи")),
                        ("bills", _("Счета на оплату")),
                        ("all", _("Все документы")),
                    ),
                ),
                _PERIOD_FROM,
                _PERIOD_TO,
            ),
            attachments=(),
            contract="required",
        ),
        Kind(
            "invoice",
            _("Счёт на оплату"),
            _("Счёт на оплату (в том числе авансовый) по договору."),
            fields=(
                FieldSpec(
                    "amount",
                    _("Сумма, ₽"),
                    "decimal",
                    required=False,
                    validators=(MinValueValidator(Decimal("0.01")),),
                    help_text=_("Пусто — по текущему начислению."),
                ),
                FieldSpec("month", _("За месяц"), "date", help_text=_("Любой день месяца.")),
            ),
            attachments=(),
            contract="required",
        ),
        Kind(
            "reconciliation",
            _("Акт сверки"),
            _("Акт сверки взаимных расчётов за период."),
            fields=(_PERIOD_FROM, _PERIOD_TO),
            attachments=(),
            contract="required",
        ),
        Kind(
            "connection",
            _("Заявка на технологическое присоединение"),
            _(
                "Присоединение нового объекта или увеличение мощности: мощность, напряжение, "
                "категория надёжности, план и правоустанавливающие документы."
            ),
            fields=(
                FieldSpec("applicant", _("Заявитель (ФИО или наименование)"), max_length=300),
                FieldSpec("object_name", _("Объект"), max_length=300),
                FieldSpec("object_address", _("Адрес объекта"), max_length=300),
                FieldSpec(
                    "power_kind",
                    _("Вид присоединения"),
                    "choice",
                    choices=(
                        ("new", _("Новое присоединение")),
                        ("increase", _("Увеличение мощности")),
                    ),
                ),
                FieldSpec(
                    "max_power_kw",
                    _("Максимальная мощность, кВт"),
                    "decimal",
                    validators=(
                        MinValueValidator(Decimal("0.1")),
                        MaxValueValidator(Decimal("100000")),
                    ),
                ),
                FieldSpec(
                    "existing_power_kw",
                    _("Ранее присоединённая мощность, кВт"),
                    "decimal",
                    required=False,
                    validators=(MinValueValidator(Decimal("0")),),
                    help_text=_("Для увеличения мощности."),
                ),
                FieldSpec("voltage", _("Уровень напряжения"), "choice", choices=_VOLTAGE),
                FieldSpec(
                    "reliability",
                    _("Категория надёжности"),
                    "choice",
                    choices=(
                        ("1", _("I категория")),
                        ("2", _("II категория")),
                        ("3", _("III категория")),
                    ),
                ),
                FieldSpec(
                    "cadastral_number",
                    _("Кадастровый номер участка"),
                    required=False,
                    max_length=40,
                    validators=(
                        RegexValidator(
                            r"^[0-9]{2}:[0-9]{2}:[0-9]{6,7}:[0-9]+$",
                            _("Кадастровый номер пишется как 77:01:0001001:123."),
                        ),
                    ),
                ),
            ),
            attachments=(
                AttachmentSpec("plan", _("План расположения энергопринимающих устройств"), True),
                AttachmentSpec("title_documents", _("Правоустанавливающие документы"), True),
                AttachmentSpec("other_documents", _("Другие документы")),
            ),
            contract="none",
            stages=(
                ("contract_sent", _("Договор и ТУ направлены")),
                ("contract_signed", _("Договор заключён")),
                ("tu_fulfilment", _("Выполнение ТУ")),
                ("connected", _("Фактическое присоединение")),
                ("documents_signed", _("Документы подписаны")),
            ),
            rateable=True,
            group=CONNECTION_GROUP,
        ),
    )
}

#: Kinds whose form accepts a contract from the address (`?contract=<id>`): the finance pages link
#: to them.
PREFILLED_CONTRACT = ("reconciliation", "doc_copies", "invoice")


def kind_get(slug: str) -> Kind | None:
    return KINDS.get(slug)


def kinds_all() -> Iterator[Kind]:
    return iter(KINDS.values())


def kind_choices() -> list[tuple[str, str | Promise]]:
    return [(k.slug, k.title) for k in KINDS.values()]


def kinds_for_operator(user: Any) -> list[str]:
    """The kinds an operator processes: those of his groups (all of them for a superuser)."""
    if user.is_superuser:
        return list(KINDS)
    groups = set(user.groups.values_list("name", flat=True))
    return [slug for slug, kind in KINDS.items() if kind.group in groups]
