"""Writes for applications (Q3): drafts, the one transition service, messages, stages, ratings.

Every status change goes through `application_transition`, which checks the move against
`TRANSITIONS` for the actor (customer or operator), records a `StatusChange` and notifies the
customer's users. Registration numbers come from a per-year counter row locked for the
transaction: unique and gap-free however many customers submit at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, Sum
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.applications.kinds import Kind
from lkk.applications.models import (
    ANSWER_DAYS,
    Application,
    Attachment,
    Message,
    RegistrationCounter,
    StageRecord,
    Status,
    StatusChange,
)
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record
from lkk.core.errors import ApplicationError
from lkk.core.uploads import CheckedUpload
from lkk.customers.access import scopes_disabled
from lkk.customers.models import AccessGrant, Contract, Counterparty
from lkk.notifications.services import notify

CUSTOMER, OPERATOR = "customer", "operator"

#: (from, to) → who may make the move. The customer's answer to «нужна информация» returns the
#: application to work (`message_post`); everything else after the submit is the operator's.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Status.DRAFT, Status.SUBMITTED): frozenset({CUSTOMER}),
    (Status.SUBMITTED, Status.IN_WORK): frozenset({OPERATOR}),
    (Status.SUBMITTED, Status.REJECTED): frozenset({OPERATOR}),
    (Status.IN_WORK, Status.NEEDS_INFO): frozenset({OPERATOR}),
    (Status.NEEDS_INFO, Status.IN_WORK): frozenset({CUSTOMER, OPERATOR}),
    (Status.IN_WORK, Status.DONE): frozenset({OPERATOR}),
    (Status.IN_WORK, Status.REJECTED): frozenset({OPERATOR}),
    (Status.NEEDS_INFO, Status.REJECTED): frozenset({OPERATOR}),
}
#: Moves that need a comment: the reason of a refusal, what information is needed.
COMMENT_REQUIRED = {Status.REJECTED, Status.NEEDS_INFO}


def allowed_moves(status: str, actor: str) -> list[str]:
    """The statuses `actor` may move an application in `status` to."""
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and actor in who]


# --- Files -------------------------------------------------------------------------------------


def quota_check(user: Any, uploads: Iterable[CheckedUpload]) -> None:
    """A customer's files together stay under `LKK_APPLICATION_QUOTA_BYTES` (operators' don't
    count: their documents are the company's)."""
    incoming = sum(u.size for u in uploads)
    if not incoming or user.is_staff:
        return
    used = Attachment.objects.filter(uploaded_by=user).aggregate(total=Sum("size"))["total"] or 0
    if used + incoming > settings.LKK_APPLICATION_QUOTA_BYTES:
        raise ApplicationError(
            _(
                "Превышен объём ваших файлов в заявках (%(quota)s): занято %(used)s. Удалите "
                "черновики с файлами или приложите файлы меньше."
            )
            % {
                "quota": filesizeformat(settings.LKK_APPLICATION_QUOTA_BYTES),
                "used": filesizeformat(used),
            },
            field="documents",
        )


def _attach(
    application: Application,
    uploads: Iterable[CheckedUpload],
    *,
    user: Any,
    slot: str = "",
    message: Message | None = None,
    stage: StageRecord | None = None,
) -> list[Attachment]:
    saved = []
    for upload in uploads:
        attachment = Attachment(
            application=application,
            slot=slot,
            message=message,
            stage=stage,
            uploaded_by=user,
            name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
        )
        upload.file.seek(0)
        attachment.file.save("upload", upload.file, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


# --- Notices -----------------------------------------------------------------------------------


@scopes_disabled  # the recipients are decided here by the application's own contract
def recipients(application: Application) -> list[Any]:
    """Every active customer user who may see the application: granted its whole counterparty,
    or (when it names a contract) that contract."""
    granted = Q(all_contracts=True)
    if application.contract_id is not None:
        granted |= Q(contracts=application.contract_id)
    user_ids = (
        AccessGrant.objects.filter(granted, counterparty_id=application.counterparty_id)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return list(get_user_model().objects.filter(pk__in=list(user_ids), is_active=True))


def _notify_customers(application: Application, title: str, key: str, body: str = "") -> None:
    url = reverse("applications:detail", args=[application.pk])
    for user in recipients(application):
        notify(
            user,
            topic="applications",
            title=title,
            body=body,
            url=url,
            dedup_key=f"application:{application.pk}:{key}:{user.pk}",
        )


def _audit(request: HttpRequest | None, operator: Any, action: str, app: Application, **more):
    audit_record(
        kind=AuditEvent.Kind.OPERATOR_ACTION,
        request=request,
        actor=operator,
        details={"action": action, "application": app.pk, "number": app.number, **more},
    )


def _locked(application: Application) -> Application:
    """The application's row, locked till the commit. The caller got `application` through
    `visible_to` (a customer) or the back office: the row is re-read by its key alone."""
    with scopes_disabled():
        return Application.objects.select_for_update().get(pk=application.pk)


# --- Drafts ------------------------------------------------------------------------------------


def _check_contract(kind: Kind, counterparty: Counterparty, contract: Contract | None) -> None:
    if kind.contract == "required" and contract is None:
        raise ApplicationError(_("Выберите договор."), field="contract")
    if contract is not None and contract.counterparty_id != counterparty.pk:
        raise ApplicationError(_("Договор другого контрагента."), field="contract")


@transaction.atomic
def application_save(
    *,
    user: Any,
    kind: Kind,
    counterparty: Counterparty,
    contract: Contract | None,
    data: Mapping[str, Any],
    files: Mapping[str, list[CheckedUpload]],
    application: Application | None = None,
) -> Application:
    """Creates or updates a draft. The caller got `counterparty` and `contract` from the user's
    visible rows and `data` from the kind's form."""
    if application is not None and application.status != Status.DRAFT:
        raise ApplicationError(_("Поданную заявку изменить нельзя."))
    _check_contract(kind, counterparty, contract if kind.contract != "none" else None)
    quota_check(user, [u for uploads in files.values() for u in uploads])
    if application is None:
        application = Application(kind=kind.slug, author=user)
    application.counterparty = counterparty
    application.contract = contract if kind.contract != "none" else None
    application.data = dict(data)
    application.summary = kind.summary(data)[:300]
    application.save()
    for slot, uploads in files.items():
        _attach(application, uploads, user=user, slot=slot)
    return application


@transaction.atomic
def application_attach(
    *, application: Application, user: Any, slot: str, uploads: list[CheckedUpload]
) -> list[Attachment]:
    """Files added to a draft's attachment slot (checked by the slot's form field): the same
    quota as the form's files."""
    app = _locked(application)
    if app.status != Status.DRAFT:
        raise ApplicationError(_("Поданную заявку изменить нельзя."), field="slot")
    if slot not in {spec.name for spec in app.kind_spec.attachments}:
        raise ApplicationError(_("У заявки этого вида нет такого поля вложений."), field="slot")
    quota_check(user, uploads)
    return _attach(app, uploads, user=user, slot=slot)


@transaction.atomic
def application_delete(*, application: Application, user: Any) -> None:
    """A draft is deleted with its files (nothing of it was registered)."""
    application = _locked(application)
    if application.status != Status.DRAFT:
        raise ApplicationError(_("Удалить можно только черновик."))
    stored = [a.file for a in application.attachments.all()]
    with scopes_disabled():  # the row is the draft the caller found visible
        application.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in stored])


def _next_number(year: int) -> str:
    """The next registration number of `year`, from its counter row locked till the commit."""
    RegistrationCounter.objects.get_or_create(year=year)
    counter = RegistrationCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"З-{year}-{counter.last:06d}"


@transaction.atomic
def application_submit(*, application: Application, user: Any) -> Application:
    """Draft → «Подана»: the registration number and date, the answer's due date (30 days)."""
    kind = application.kind_spec
    present = set(application.attachments.values_list("slot", flat=True))
    for spec in kind.attachments:
        if spec.required and spec.name not in present:
            raise ApplicationError(
                _("Приложите: %(what)s.") % {"what": spec.label}, field=spec.name
            )
    return application_transition(
        application=application, actor=user, to=Status.SUBMITTED, by_operator=False
    )


# --- The transition service --------------------------------------------------------------------


@transaction.atomic
def application_transition(
    *,
    application: Application,
    actor: Any,
    to: str,
    by_operator: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Application:
    """Moves the application to `to` if `TRANSITIONS` lets this actor; records who, when, from,
    to and why; notifies the customer's users; audits an operator's move."""
    if by_operator and not actor.is_staff:
        raise ApplicationError(_("Это действие доступно только оператору."))
    who = OPERATOR if by_operator else CUSTOMER
    app = _locked(application)
    comment = comment.strip()
    if who not in TRANSITIONS.get((app.status, to), ()):
        raise ApplicationError(
            _("Заявку в статусе «%(current)s» нельзя перевести в «%(to)s».")
            % {"current": app.get_status_display(), "to": Status(to).label},
            field="status",
        )
    if to in COMMENT_REQUIRED and not comment:
        message = (
            _("Укажите причину отказа.")
            if to == Status.REJECTED
            else _("Напишите, какая информация нужна.")
        )
        raise ApplicationError(message, field="comment")
    codes = [code for code, _title in app.kind_spec.stage_list()]
    if to == Status.DONE and codes and app.stage != codes[-1]:
        raise ApplicationError(_("Сначала отметьте все этапы присоединения."), field="status")
    now = timezone.now()
    from_status = app.status
    app.status = to
    if to == Status.SUBMITTED:
        app.number = _next_number(timezone.localdate(now).year)
        app.registered_at = now
        app.due_on = timezone.localdate(now) + dt.timedelta(days=ANSWER_DAYS)
        if app.kind_spec.stages:
            app.stage = "submitted"
            StageRecord.objects.create(
                application=app, stage="submitted", reached_on=timezone.localdate(now), actor=actor
            )
    if to == Status.IN_WORK and by_operator and app.assignee_id is None:
        app.assignee = actor
    if to in (Status.DONE, Status.REJECTED):
        app.closed_at = now
    app.save()
    change = StatusChange.objects.create(
        application=app,
        actor=actor,
        by_operator=by_operator,
        from_status=from_status,
        to_status=to,
        comment=comment,
        created_at=now,
    )
    title = _("Заявка %(number)s: %(status)s") % {
        "number": app.number,
        "status": Status(to).label.lower(),
    }
    _notify_customers(app, title, f"status:{change.pk}", body=comment)
    if by_operator:
        _audit(request, actor, "application_status", app, frm=from_status, to=to)
    application.__dict__.update(app.__dict__)
    return app


@transaction.atomic
def application_assign(*, application: Application, operator: Any, request=None) -> Application:
    """The operator takes the application («Взять себе»)."""
    app = _locked(application)
    if app.status == Status.DRAFT:
        raise ApplicationError(_("Черновик ещё не подан."))
    app.assignee = operator
    app.save(update_fields=["assignee", "updated_at"])
    _audit(request, operator, "application_assign", app)
    return app


# --- Messages, stages, ratings -----------------------------------------------------------------


@transaction.atomic
def message_post(
    *,
    application: Application,
    author: Any,
    text: str,
    files: list[CheckedUpload],
    by_operator: bool,
    request: HttpRequest | None = None,
) -> Message:
    """A message of the thread. The customer's answer to «нужна информация» returns the
    application to work; an operator's message notifies the customer's users."""
    text = text.strip()
    if not text:
        raise ApplicationError(_("Напишите сообщение."), field="text")
    if by_operator and not author.is_staff:
        raise ApplicationError(_("Это действие доступно только оператору."))
    app = _locked(application)
    if app.status == Status.DRAFT:
        raise ApplicationError(_("Сначала подайте заявку."), field="text")
    if not by_operator and app.status in (Status.DONE, Status.REJECTED):
        raise ApplicationError(_("Заявка закрыта: подайте новую."), field="text")
    quota_check(author, files)
    message = Message.objects.create(
        application=app, author=author, by_operator=by_operator, text=text
    )
    _attach(app, files, user=author, message=message)
    if by_operator:
        title = _("Заявка %(number)s: ответ оператора") % {"number": app.number}
        _notify_customers(app, title, f"message:{message.pk}", body=text[:500])
        _audit(request, author, "application_message", app, message=message.pk)
    elif app.status == Status.NEEDS_INFO:
        application_transition(
            application=app,
            actor=author,
            to=Status.IN_WORK,
            by_operator=False,
            comment=_("Клиент ответил на запрос информации."),
        )
    return message


@transaction.atomic
def stage_advance(
    *,
    application: Application,
    operator: Any,
    stage: str,
    reached_on: dt.date,
    comment: str,
    files: list[CheckedUpload],
    request: HttpRequest | None = None,
) -> StageRecord:
    """T2: the next stage of technological connection, on its date, with its documents."""
    app = _locked(application)
    codes = [code for code, _title in app.kind_spec.stage_list()]
    if not codes:
        raise ApplicationError(_("У заявки этого вида нет этапов."), field="stage")
    if app.status not in (Status.IN_WORK, Status.NEEDS_INFO):
        raise ApplicationError(_("Этапы отмечаются, когда заявка в работе."), field="stage")
    current = codes.index(app.stage) if app.stage in codes else -1
    if current + 1 >= len(codes) or stage != codes[current + 1]:
        raise ApplicationError(_("Отметить можно только следующий этап."), field="stage")
    previous = app.stages.order_by("-reached_on").values_list("reached_on", flat=True).first()
    if previous and reached_on < previous:
        raise ApplicationError(
            _("Дата этапа не может быть раньше даты предыдущего."), field="reached_on"
        )
    if reached_on > timezone.localdate():
        raise ApplicationError(_("Дата этапа не может быть в будущем."), field="reached_on")
    record = StageRecord.objects.create(
        application=app, stage=stage, reached_on=reached_on, comment=comment.strip(), actor=operator
    )
    _attach(app, files, user=operator, stage=record)
    app.stage = stage
    app.save(update_fields=["stage", "updated_at"])
    title = dict(app.kind_spec.stage_list())[stage]
    _notify_customers(
        app,
        _("Заявка %(number)s: этап «%(stage)s»") % {"number": app.number, "stage": title},
        f"stage:{record.pk}",
        body=comment,
    )
    _audit(request, operator, "application_stage", app, stage=stage)
    return record


@transaction.atomic
def application_rate(
    *, application: Application, user: Any, quality: int, availability: int
) -> Application:
    """T4: the customer's marks of quality and availability, 1–5, once after completion."""
    app = _locked(application)
    if not app.can_rate:
        raise ApplicationError(_("Оценить можно выполненную заявку, и только один раз."))
    for name, value in (("quality", quality), ("availability", availability)):
        if not (isinstance(value, int) and 1 <= value <= 5):
            raise ApplicationError(_("Оценка — от 1 до 5."), field=name)
    app.rating_quality, app.rating_availability = quality, availability
    app.rated_at = timezone.now()
    app.save(update_fields=["rating_quality", "rating_availability", "rated_at", "updated_at"])
    return app
