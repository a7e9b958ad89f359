"""Registration requests (A3, A5 `moderated`, O1): one service per move of the state machine.

draft → email_confirmed → pending → approved | rejected. Each service refuses a move the
current state does not allow (ApplicationError), so a double click or a stale page changes
nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.accounts.consent import consent_record
from lkk.accounts.models import RegistrationRequest
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record
from lkk.core.errors import ApplicationError
from lkk.customers.access import forget_access_scope
from lkk.customers.models import AccessGrant, Contract

State = RegistrationRequest.State


def _lock(pk: int, allowed: Iterable[str]) -> RegistrationRequest:
    req = RegistrationRequest.objects.select_for_update().get(pk=pk)
    if req.state not in allowed:
        raise ApplicationError(_("Заявка уже обработана или ещё не готова к этому действию."))
    return req


@transaction.atomic
def request_email_confirm(*, pk: int) -> RegistrationRequest:
    """draft → email_confirmed: the email link was followed."""
    req = _lock(pk, [State.DRAFT])
    req.state = State.EMAIL_CONFIRMED
    req.save(update_fields=["state"])
    return req


@transaction.atomic
def request_submit(
    *, pk: int, request: HttpRequest | None = None, form: str = "steps"
) -> RegistrationRequest:
    """email_confirmed → pending: the request goes to the operators' queue (A3, or A1/A2)."""
    req = _lock(pk, [State.EMAIL_CONFIRMED])
    req.state = State.PENDING
    req.save(update_fields=["state"])
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_SUBMITTED,
        request=request,
        details={"form": form, "request": req.pk, "policy": "moderated"},
    )
    return req


def matched_contracts(req: RegistrationRequest) -> list[Contract]:
    """The contracts of the matched counterparty (all of them, for the operator's choice)."""
    if req.counterparty_id is None:
        return []
    return list(Contract.objects.filter(counterparty_id=req.counterparty_id).order_by("number"))


def _user_create(req: RegistrationRequest):
    user_model = get_user_model()
    email = req.email
    if email and not req.company_kind and user_model.objects.filter(email__iexact=email).exists():
        email = ""  # A1: the contract's email is someone else's already; the login is ИНН+№
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


def _grant(*, req, user, contracts: list[Contract] | None, by, request) -> AccessGrant:
    grant = AccessGrant.objects.create(
        user=user,
        counterparty_id=req.counterparty_id,
        all_contracts=contracts is None,
        granted_by=by,
    )
    if contracts is not None:
        grant.contracts.set(contracts)
    forget_access_scope(user)
    audit_record(
        kind=AuditEvent.Kind.GRANT_ADDED,
        request=request,
        user=user,
        actor=by,
        details={
            "counterparty": req.counterparty_id,
            "grant": grant.pk,
            "all_contracts": contracts is None,
            "contracts": [c.pk for c in contracts or []],
        },
    )
    return grant


@transaction.atomic
def request_approve_auto(*, pk: int, request: HttpRequest | None = None):
    """email_confirmed → approved under `auto`: the identifiers matched, access at once."""
    req = _lock(pk, [State.EMAIL_CONFIRMED])
    if req.counterparty_id is None:
        raise ApplicationError(_("Ошибка регистрации! Контрагент не найден!"))
    user = _user_create(req)
    _grant(req=req, user=user, contracts=None, by=None, request=request)
    consent_record(user=user, request=request)
    req.state, req.user, req.decided_at = State.APPROVED, user, timezone.now()
    req.save(update_fields=["state", "user", "decided_at"])
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_APPROVED,
        request=request,
        user=user,
        details={"form": "steps", "request": req.pk, "policy": "auto"},
    )
    return user


def _recipient(req: RegistrationRequest) -> dict[str, str]:
    """The decision goes by email, or by SMS when the request has only a phone (A1)."""
    if req.email:
        return {"channel": "email", "recipient": req.email}
    return {"channel": "sms", "recipient": req.phone}


@transaction.atomic
def request_approve(
    *, pk: int, operator, contract_ids: list[int] | None, request: HttpRequest | None = None
):
    """pending → approved: the operator grants all contracts (None) or the chosen ones."""
    from lkk.notifications.services import message_queue

    req = _lock(pk, [State.PENDING])
    if req.counterparty_id is None:
        raise ApplicationError(_("Контрагент не найден в данных биллинга: одобрить нельзя."))
    contracts = None
    if contract_ids is not None:
        contracts = list(
            Contract.objects.filter(counterparty_id=req.counterparty_id, pk__in=contract_ids)
        )
        if not contracts:
            raise ApplicationError(_("Выберите хотя бы один договор."))
    user = _user_create(req)
    _grant(req=req, user=user, contracts=contracts, by=operator, request=request)
    consent_record(user=user, request=None)
    req.state, req.user = State.APPROVED, user
    req.decided_at, req.decided_by = timezone.now(), operator
    req.save(update_fields=["state", "user", "decided_at", "decided_by"])
    message_queue(
        **_recipient(req),
        subject=_("Уведомление о предоставлении прав доступа"),
        body=_(
            "Ваша заявка на регистрацию в личном кабинете одобрена, права доступа предоставлены. "
            "Войдите с логином %(login)s и паролем, указанным при регистрации."
        )
        % {"login": req.username},
        kind="registration_approved",
    )
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_APPROVED,
        request=request,
        user=user,
        actor=operator,
        details={"request": req.pk, "policy": "moderated", "all_contracts": contracts is None},
    )
    audit_record(
        kind=AuditEvent.Kind.OPERATOR_ACTION,
        request=request,
        actor=operator,
        details={"action": "registration_approve", "request": req.pk},
    )
    return user


@transaction.atomic
def request_reject(*, pk: int, operator, reason: str, request: HttpRequest | None = None):
    """pending → rejected, with the reason the customer reads in the email."""
    from lkk.notifications.services import message_queue

    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Укажите причину отказа."), field="reason")
    req = _lock(pk, [State.PENDING])
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
