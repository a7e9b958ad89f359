"""«Привязать договор» (A9, seed 003): a registered customer adds another counterparty.

Verified as registration A1 is (`registration.contract_contact_check`): ИНН, contract number and
an email or phone listed in that contract; a code goes to that contact, and the code gives the
user access to all the counterparty's contracts. The request waits in the session as a small
dict; the code's subject names the user and the request, so no other code confirms it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from lkk.accounts import codes, registration
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record, client_ip
from lkk.core.errors import ApplicationError
from lkk.customers.access import forget_access_scope, scopes_disabled
from lkk.customers.models import AccessGrant, Counterparty

SESSION_KEY = "lkk_binding"

CONTRACT_NOT_FOUND = "Договор не найден: проверьте ИНН и номер договора."
CONTACT_NOT_LISTED = "Этот телефон (email) не указан в договоре."
ALREADY_BOUND = "Этот контрагент уже привязан к вашему личному кабинету."

Pending = dict[str, Any]


def _already_bound(user, counterparty_id: int) -> bool:
    return AccessGrant.objects.filter(
        user_id=user.pk, counterparty_id=counterparty_id, all_contracts=True
    ).exists()


def binding_start(*, user, inn: str, contract_number: str, contact: str) -> Pending:
    """Checks the data against the billing mirror; returns the pending binding."""
    contract, channel, value = registration.contract_contact_check(
        inn=inn,
        contract_number=contract_number,
        contact=contact,
        not_found=_(CONTRACT_NOT_FOUND),
        contact_not_found=_(CONTACT_NOT_LISTED),
    )
    if _already_bound(user, contract.counterparty_id):
        raise ApplicationError(_(ALREADY_BOUND))
    return {
        "id": uuid.uuid4().hex,
        "user_id": user.pk,
        "counterparty_id": contract.counterparty_id,
        "contract": contract.number,
        "channel": channel,
        "contact": value,
    }


def subject_of(pending: Pending) -> str:
    return f"binding:{pending['user_id']}:{pending['id']}"


@transaction.atomic
def binding_send_code(*, pending: Pending, request: HttpRequest) -> codes.IssuedCode:
    from lkk.notifications.services import message_queue

    issued = codes.code_issue(
        purpose=codes.Purpose.BINDING,
        subject=subject_of(pending),
        channel=pending["channel"],
        contact=pending["contact"],
        ip=client_ip(request),
    )
    message_queue(
        channel="email" if pending["channel"] == codes.Channel.EMAIL else "sms",
        recipient=issued.contact,
        subject=_("Привязка договора"),
        body=_(
            "Код подтверждения привязки договора %(contract)s: %(code)s. Его нужно использовать "
            "в течение 10 минут."
        )
        % {"contract": pending["contract"], "code": issued.code},
        kind="binding_code",
    )
    return issued


def binding_confirm(*, pending: Pending, code: str, request: HttpRequest) -> Counterparty:
    """Checks the code (outside any transaction, as `code_verify` requires), then grants."""
    if pending.get("user_id") != request.user.pk:
        raise ApplicationError(_("Запрос на привязку не найден. Начните заново."))
    codes.code_verify(purpose=codes.Purpose.BINDING, subject=subject_of(pending), code=code)
    return binding_complete(pending=pending, request=request)


@transaction.atomic
def binding_complete(*, pending: Pending, request: HttpRequest) -> Counterparty:
    """Access to all the counterparty's contracts; «Главная» shows them at once."""
    user = request.user
    # The counterparty matched at the start and proved by the code: not granted to the user yet.
    with scopes_disabled():
        counterparty = Counterparty.objects.get(pk=pending["counterparty_id"])
    if _already_bound(user, counterparty.pk):
        raise ApplicationError(_(ALREADY_BOUND))
    grant, _created = AccessGrant.objects.update_or_create(
        user_id=user.pk, counterparty=counterparty, defaults={"all_contracts": True}
    )
    forget_access_scope(user)
    audit_record(
        kind=AuditEvent.Kind.GRANT_ADDED,
        request=request,
        user=user,
        details={
            "counterparty": counterparty.pk,
            "grant": grant.pk,
            "all_contracts": True,
            "via": "binding",
        },
    )
    return counterparty
