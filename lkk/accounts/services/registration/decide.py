"""Decisions: the one approve service (user, grant, consent, message) and the rejection."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.accounts.models import RegistrationRequest
from lkk.accounts.services import codes
from lkk.accounts.services.consent import consent_record
from lkk.accounts.services.registration.rules import (
    State,
    Way,
    email_free,
    policy,
    request_lock,
)
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record
from lkk.core.errors import ApplicationError
from lkk.customers.access import scopes_disabled
from lkk.customers.models import Contract
from lkk.customers.services import grant_add
from lkk.notifications.services import message_queue

# --- Decisions ----------------------------------------------------------------------------------


def _user_create(req: RegistrationRequest):
    user_model = get_user_model()
    email = req.email
    if email and not email_free(email):
        if req.way not in (Way.CONTRACT, Way.OFFICE):
            raise ApplicationError(
                _("Этот адрес электронной почты уже используется. Войдите или восстановите пароль.")
            )
        email = ""  # the contact is someone else's login already; this login is another
    try:
        with transaction.atomic():
            return user_model.objects.create(
                username=req.username,
                email=email,
                phone=req.phone,
                last_name=req.last_name,
                first_name=req.first_name,
                middle_name=req.middle_name,
                password=req.password_hash,
            )
    except IntegrityError:
        raise ApplicationError(
            _("Такой пользователь уже зарегистрирован. Войдите или восстановите пароль.")
        ) from None


def _recipient(req: RegistrationRequest) -> dict[str, str]:
    """The decision goes to the confirmed contact."""
    return {"channel": "email" if req.channel == codes.Channel.EMAIL else "sms",
            "recipient": req.contact}  # fmt: skip


@transaction.atomic
def request_approve(
    *,
    pk: int,
    operator=None,
    contract_ids: list[int] | None = None,
    all_contracts: bool | None = None,
    request: HttpRequest | None = None,
):
    """→ approved: the account (or the existing one of a binding), the grant, the consent and
    the message. The only place that creates users and grants for customers.

    Without `operator` the request is granted what its way asked for (the trust rule decided
    it). An operator deciding a queued request grants all contracts (`all_contracts=True`) or
    the chosen ones (`contract_ids`).
    """
    if operator is None:
        req = request_lock(pk, [State.CONFIRMED])
        with scopes_disabled():  # the contracts this request asked for and proved
            asked = list(req.contracts.values_list("pk", flat=True))
        wanted = None if req.all_contracts else asked
    else:
        req = request_lock(pk, [State.PENDING])
        if all_contracts:
            wanted = None
        else:
            wanted = [pk_ for pk_ in contract_ids or []]
            with scopes_disabled():  # the operator chose among this counterparty's contracts
                wanted = list(
                    Contract.objects.filter(
                        counterparty_id=req.counterparty_id, pk__in=wanted
                    ).values_list("pk", flat=True)
                )
            if not wanted:
                raise ApplicationError(_("Выберите хотя бы один договор."), field="contracts")
    if req.counterparty_id is None and req.way != Way.SIGNUP:
        raise ApplicationError(_("Контрагент не найден в данных биллинга: одобрить нельзя."))
    if req.way != Way.SIGNUP and wanted is not None and not wanted:
        raise ApplicationError(_("Ни один из указанных договоров не найден: одобрить нельзя."))
    user = req.user if req.user_id else _user_create(req)
    if req.counterparty_id is not None:
        grant_add(
            user=user,
            counterparty_id=req.counterparty_id,
            contract_ids=wanted,
            granted_by=operator or req.created_by,
            request=request,
            via=req.way,
        )
    if req.consent:
        consent_record(user=user, request=request, ip=req.ip, user_agent=req.user_agent)
    req.state, req.user, req.decided_at = State.APPROVED, user, timezone.now()
    if operator is not None:
        req.decided_by = operator
    req.save(update_fields=["state", "user", "decided_at", "decided_by"])
    if req.way != Way.SIGNUP:
        message_queue(
            **_recipient(req),
            subject=_("Уведомление о предоставлении прав доступа"),
            body=_(
                "Права доступа к личному кабинету предоставлены. Логин: %(login)s. Если вы не "
                "подавали заявку, сообщите в контактный центр."
            )
            % {"login": user.get_username()},
            kind="registration_approved",
        )
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_APPROVED,
        request=request,
        user=user,
        actor=operator,
        details={
            "way": req.way,
            "request": req.pk,
            "policy": policy(),
            "all_contracts": wanted is None,
            "contracts": wanted or [],
        },
    )
    if operator is not None:
        audit_record(
            kind=AuditEvent.Kind.OPERATOR_ACTION,
            request=request,
            actor=operator,
            details={"action": "registration_approve", "request": req.pk},
        )
    return user


@transaction.atomic
def request_reject(*, pk: int, operator, reason: str, request: HttpRequest | None = None):
    """pending → rejected, with the reason the customer reads in the message."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Укажите причину отказа."), field="reason")
    req = request_lock(pk, [State.PENDING])
    req.state, req.rejection_reason = State.REJECTED, reason
    req.decided_at, req.decided_by = timezone.now(), operator
    req.save(update_fields=["state", "rejection_reason", "decided_at", "decided_by"])
    message_queue(
        **_recipient(req),
        subject=_("Заявка на регистрацию отклонена"),
        body=_("Ваша заявка на регистрацию в личном кабинете отклонена. Причина: %(reason)s")
        % {"reason": reason},
        kind="registration_rejected",
    )
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_REJECTED,
        request=request,
        actor=operator,
        details={"request": req.pk, "reason": reason},
    )
    audit_record(
        kind=AuditEvent.Kind.OPERATOR_ACTION,
        request=request,
        actor=operator,
        details={"action": "registration_reject", "request": req.pk},
    )
    return req
