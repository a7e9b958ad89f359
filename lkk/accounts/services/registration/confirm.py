"""The code or link: sent, confirmed, and then the trust rule decides (approve or queue);
the activation of an account issued at the office."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.accounts.models import RegistrationRequest
from lkk.accounts.services import codes
from lkk.accounts.services.registration.decide import request_approve
from lkk.accounts.services.registration.rules import (
    ACTIVATION_REFUSED,
    LINK_INVALID,
    State,
    Way,
    password_check,
    policy,
    request_lock,
)
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record, client_ip
from lkk.core.errors import ApplicationError
from lkk.notifications.services import message_queue

# --- The code or link ---------------------------------------------------------------------------


_MESSAGES = {
    Way.BINDING: (
        "Привязка договора",
        "Код подтверждения привязки договора %(contract)s: %(code)s. Его нужно использовать в "
        "течение 10 минут.",
    ),
    Way.OFFICE: (
        "Доступ к личному кабинету",
        "Для вас открыт личный кабинет, логин %(login)s. Чтобы задать пароль и войти, перейдите "
        "по ссылке (она действует 10 минут; новую выдаст контактный центр).",
    ),
}
_REGISTRATION = (
    "Регистрация в личном кабинете",
    "Код подтверждения регистрации в личном кабинете: %(code)s. Его нужно использовать в "
    "течение 10 минут.",
)


@transaction.atomic
def request_code_send(*, req: RegistrationRequest, request: HttpRequest | None) -> None:
    """Issues the code (with a one-click link for email and for an office account) and queues
    the message, in one transaction: a code is sent if and only if it was recorded."""
    if req.state != State.DRAFT:
        raise ApplicationError(_("Заявка уже подтверждена."))
    email = req.channel == codes.Channel.EMAIL
    with_link = email or req.way == Way.OFFICE
    issued = codes.code_issue(
        purpose=codes.Purpose.REGISTRATION,
        subject=req.subject,
        channel=req.channel,
        contact=req.contact,
        ip=client_ip(request) if request is not None else None,
        with_link=with_link,
    )
    subject, body = _MESSAGES.get(req.way, _REGISTRATION)
    numbers = req.contract_numbers or [""]
    body = _(body) % {"code": issued.code, "contract": numbers[0], "login": req.username}
    if issued.link_token and request is not None:
        route = "accounts:activate" if req.way == Way.OFFICE else "accounts:register_link"
        link = request.build_absolute_uri(f"{reverse(route)}?{urlencode({'t': issued.link_token})}")
        body += "\n\n" + _("Ссылка: %(link)s") % {"link": link}
        if req.way == Way.OFFICE:
            body += "\n" + _("Или введите на странице активации логин и код: %(code)s") % {
                "code": issued.code
            }
    message_queue(
        channel="email" if email else "sms",
        recipient=issued.contact,
        subject=_(subject),
        body=body,
        kind="registration_code",
    )
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_SUBMITTED,
        request=request,
        details={"way": req.way, "request": req.pk, "state": req.state},
    )


def seconds_until_resend(req: RegistrationRequest) -> int:
    return codes.seconds_until_resend(purpose=codes.Purpose.REGISTRATION, subject=req.subject)


def request_confirm_code(
    *, req: RegistrationRequest, code: str, request: HttpRequest
) -> RegistrationRequest:
    """The code the customer typed (checked on its own, as `code_verify` requires), then on."""
    if req.state != State.DRAFT:
        raise ApplicationError(_("Заявка уже подтверждена."))
    codes.code_verify(purpose=codes.Purpose.REGISTRATION, subject=req.subject, code=code)
    return request_confirm(pk=req.pk, request=request)


def _request_of_link(token: str) -> int:
    record = codes.link_verify(purpose=codes.Purpose.REGISTRATION, token=token)
    prefix = "registration:"
    pk = record.subject.removeprefix(prefix)
    if not record.subject.startswith(prefix) or not pk.isascii() or not pk.isdigit():
        raise ApplicationError(_(LINK_INVALID))
    return int(pk)


@transaction.atomic
def request_confirm_link(*, token: str, request: HttpRequest) -> RegistrationRequest:
    """The one-click link of the email: works in any browser, since the token names the request.

    An office account is activated by `request_activate` instead (it needs a password)."""
    pk = _request_of_link(token)
    if RegistrationRequest.objects.filter(pk=pk, way=Way.OFFICE).exists():
        raise ApplicationError(_(LINK_INVALID))
    return request_confirm(pk=pk, request=request)


@transaction.atomic
def request_confirm(*, pk: int, request: HttpRequest | None) -> RegistrationRequest:
    """draft → confirmed: the contact is proven to be the customer's. Then the trust rule:
    approved at once when the contact is on file (`auto`), or queued for an operator."""
    req = request_lock(pk, [State.DRAFT])
    req.state, req.confirmed_at = State.CONFIRMED, timezone.now()
    req.save(update_fields=["state", "confirmed_at"])
    at_once = req.way in (Way.SIGNUP, Way.OFFICE) or (
        policy() == "auto" and req.contact_on_file and req.counterparty_id is not None
    )
    if at_once:
        request_approve(pk=req.pk, request=request)
    else:
        request_queue(pk=req.pk, request=request)
    req.refresh_from_db()
    return req


@transaction.atomic
def request_queue(*, pk: int, request: HttpRequest | None = None) -> RegistrationRequest:
    """confirmed → pending: the operators' queue (O1)."""
    req = request_lock(pk, [State.CONFIRMED])
    req.state = State.PENDING
    req.save(update_fields=["state"])
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_SUBMITTED,
        request=request,
        details={"way": req.way, "request": req.pk, "state": "pending", "policy": policy()},
    )
    return req


@transaction.atomic
def request_activate(
    *, token: str, password: str, password2: str, request: HttpRequest
) -> RegistrationRequest:
    """A2a: the customer follows the activation link (or types the login and code) and sets the
    password. The link is used up only if the password is accepted (one transaction)."""
    pk = _request_of_link(token)
    return _activate(pk=pk, password=password, password2=password2, request=request)


def request_activate_code(
    *, username: str, code: str, password: str, password2: str, request: HttpRequest
) -> RegistrationRequest:
    """A2a by the login and the code of the message, for a customer without the link."""
    req = (
        RegistrationRequest.objects.filter(
            way=Way.OFFICE, state=State.DRAFT, username__iexact=username.strip()
        )
        .order_by("-pk")
        .first()
    )
    # An unknown login is checked against a subject that has no code, and every refusal reads
    # the same, so the page does not tell which logins await activation (SECURITY.md 6.3.8).
    subject = req.subject if req is not None else "registration:none"
    password_check(password, password2, username=username)
    try:
        codes.code_verify(purpose=codes.Purpose.REGISTRATION, subject=subject, code=code)
    except ApplicationError:
        raise ApplicationError(_(ACTIVATION_REFUSED), field="code") from None
    assert req is not None  # no code was ever issued for "registration:none"
    with transaction.atomic():
        return _activate(pk=req.pk, password=password, password2=password2, request=request)


def _activate(*, pk: int, password: str, password2: str, request: HttpRequest):
    req = request_lock(pk, [State.DRAFT])
    if req.way != Way.OFFICE:
        raise ApplicationError(_(LINK_INVALID))
    password_check(password, password2, username=req.username, email=req.email)
    req.password_hash = make_password(password)
    req.consent = True
    req.save(update_fields=["password_hash", "consent"])
    return request_confirm(pk=pk, request=request)
