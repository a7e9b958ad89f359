"""Self-registration of customers (A1, A2) under the `auto` verification policy (A5).

The visitor names the counterparty by identifiers that the billing mirror holds; when they
match, a one-time code goes to a contact on file (A1) or to the email typed (A2), and the code
creates the account with access to all the counterparty's contracts at once.

Until the code is entered, the request lives in the visitor's session as a `Pending` dict: the
password only as Django's hash, never in plain text. The code's subject is
f"registration:{pending id}", so a code of another registration (or another purpose) does not
confirm this one. Under the `moderated` policy the confirmed `Pending` becomes a
`RegistrationRequest` in the operators' queue (`registration_submit`, O1) instead of an account.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from lkk.accounts import codes
from lkk.accounts.consent import consent_record
from lkk.accounts.models import RegistrationRequest
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record, client_ip
from lkk.core.errors import ApplicationError
from lkk.customers.access import forget_access_scope, scopes_disabled
from lkk.customers.models import AccessGrant, Contact, Contract, Counterparty
from lkk.notifications.services import message_queue

#: The ways to register, and the login each gives: by contract — generated ИНН+номер договора;
#: by legal form — the email; in three steps and account-first — a login the user chooses.
FORMS = ("contract", "ul", "ip", "fl", "steps", "signup")
SESSION_KEY = "lkk_registration"
SHOW_LOGIN_KEY = "lkk_registration_login"

COUNTERPARTY_NOT_FOUND = "Ошибка регистрации! Контрагент не найден!"
CONTACT_NOT_FOUND = "Ошибка регистрации! Телефон (email) не найден!"

Pending = dict[str, Any]


def offered_or_404(form: str) -> None:
    """A way this deployment does not offer does not exist for visitors."""
    if form not in forms_offered():
        raise Http404


def forms_offered() -> list[str]:
    """The ways to register this deployment offers (`LKK_REGISTRATION_FORMS`), in FORMS order."""
    wanted = {
        part.strip() for part in str(settings.LKK_REGISTRATION_FORMS).split(",") if part.strip()
    }
    return [form for form in FORMS if form in wanted]


def password_check(password: str, repeat: str, *, username: str = "", email: str = "") -> None:
    """Django's password validators, then the repeat; errors on the fields they concern."""
    if password != repeat:
        raise ApplicationError(_("Пароли не совпадают"), field="password2")
    user = get_user_model()(username=username, email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password1") from None


def _pending(*, form: str, counterparty: Counterparty, username: str, channel: str,
             contact: str, password: str, **extra: str) -> Pending:  # fmt: skip
    return {
        "id": uuid.uuid4().hex,
        "form": form,
        "counterparty_id": counterparty.pk,
        "username": username,
        "channel": channel,
        "contact": contact,
        "password_hash": make_password(password),
        "email": extra.get("email", contact if channel == codes.Channel.EMAIL else ""),
        "phone": extra.get("phone", contact if channel == codes.Channel.SMS else ""),
        "last_name": extra.get("last_name", ""),
        "first_name": extra.get("first_name", ""),
        "middle_name": extra.get("middle_name", ""),
        # What identified the counterparty, for the operator under `moderated` (O1).
        "inn": extra.get("inn", ""),
        "kpp": extra.get("kpp", ""),
        "contract_number": extra.get("contract_number", ""),
    }


def subject_of(pending: Pending) -> str:
    return f"registration:{pending['id']}"


# --- A1: by ИНН and contract number -----------------------------------------------------------


# Matches identifiers against the whole billing mirror (isolation guard off): no grant yet.
@scopes_disabled()
def registration_start_contract(
    *, inn: str, contract_number: str, contact: str, password: str, password2: str
) -> Pending:
    """Checks A1's data against the billing mirror; returns the pending registration.

    The two seed-000 texts are the product's own and are shown as they are (PRODUCT.md A1).
    """
    inn = inn.strip()
    number = contract_number.strip()
    contract = (
        Contract.objects.select_related("counterparty")
        .filter(counterparty__inn=inn, number__iexact=number)
        .first()
    )
    if contract is None:
        raise ApplicationError(_(COUNTERPARTY_NOT_FOUND))
    counterparty = contract.counterparty
    channel, value = _contact_parse(contact)
    listed = Contact.objects.filter(counterparty=counterparty, kind=_contact_kind(channel)).filter(
        Q(contract=contract) | Q(contract__isnull=True)
    )
    if not any(_contact_matches(channel, row.value, value) for row in listed):
        raise ApplicationError(_(CONTACT_NOT_FOUND), field="contact")
    username = f"{inn}{contract.number}"
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            _(
                "Личный кабинет для этого ИНН и номера договора уже зарегистрирован. Войдите "
                "с логином %(login)s или восстановите пароль."
            )
            % {"login": username}
        )
    password_check(password, password2, username=username)
    return _pending(
        form="contract",
        counterparty=counterparty,
        username=username,
        channel=channel,
        contact=value,
        password=password,
        inn=inn,
        contract_number=contract.number,
    )


def _contact_parse(value: str) -> tuple[str, str]:
    if "@" in value:
        try:
            return codes.Channel.EMAIL, codes.normalize_email(value)
        except ApplicationError as exc:
            raise ApplicationError(exc.message, field="contact") from None
    try:
        return codes.Channel.SMS, codes.normalize_phone(value)
    except ApplicationError:
        raise ApplicationError(
            _("Введите адрес электронной почты или номер мобильного телефона: +7 и 10 цифр."),
            field="contact",
        ) from None


def _contact_kind(channel: str) -> str:
    return Contact.Kind.EMAIL if channel == codes.Channel.EMAIL else Contact.Kind.PHONE


def _contact_matches(channel: str, stored: str, typed: str) -> bool:
    try:
        if channel == codes.Channel.EMAIL:
            return codes.normalize_email(stored) == typed
        return codes.normalize_phone(stored) == typed
    except ApplicationError:
        return False


# --- A2: by legal form ------------------------------------------------------------------------


# Matches identifiers against the whole billing mirror (isolation guard off): no grant yet.
@scopes_disabled()
def registration_start_legal(*, form: str, data: dict[str, str]) -> Pending:
    """Finds the counterparty of an A2 form by its identifiers; returns the pending registration.

    `data` is the form's cleaned data: identifiers already checked by their checksums.
    """
    kind = {"ul": Counterparty.Kind.LEGAL, "ip": Counterparty.Kind.ENTREPRENEUR,
            "fl": Counterparty.Kind.PERSON}[form]  # fmt: skip
    found = Counterparty.objects.filter(kind=kind)
    if form == "ul":
        found = found.filter(inn=data["inn"])
        if data.get("ogrn"):
            found = found.filter(ogrn=data["ogrn"])
        if data.get("kpp"):
            found = found.filter(kpp=data["kpp"])
    elif form == "ip":
        found = found.filter(ogrnip=data["ogrnip"])
    else:
        found = found.filter(snils=data["snils"])
    counterparty = found.order_by("pk").first()
    if counterparty is None:
        raise ApplicationError(
            _(
                "Ошибка регистрации! Контрагент с такими данными не найден. Проверьте данные или "
                "обратитесь в контактный центр."
            )
        )
    email = codes.normalize_email(data["email"])
    if get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise ApplicationError(
            _("Этот адрес электронной почты уже используется. Войдите или восстановите пароль."),
            field="email",
        )
    password_check(data["password1"], data["password2"], username=email, email=email)
    phone = codes.normalize_phone(data["phone"]) if data.get("phone") else ""
    return _pending(
        form=form,
        counterparty=counterparty,
        username=email,
        channel=codes.Channel.EMAIL,
        contact=email,
        password=data["password1"],
        email=email,
        phone=phone,
        last_name=data.get("last_name", ""),
        first_name=data.get("first_name", ""),
        middle_name=data.get("middle_name", ""),
        inn=data.get("inn", "") or counterparty.inn,
        kpp=data.get("kpp", ""),
    )


# --- The code ---------------------------------------------------------------------------------


@transaction.atomic
def registration_send_code(*, pending: Pending, request: HttpRequest) -> codes.IssuedCode:
    """Issues the code (and for email a one-click link) and queues it in one transaction."""
    email = pending["channel"] == codes.Channel.EMAIL
    issued = codes.code_issue(
        purpose=codes.Purpose.REGISTRATION,
        subject=subject_of(pending),
        channel=pending["channel"],
        contact=pending["contact"],
        ip=client_ip(request),
        with_link=email,
    )
    body = _(
        "Код подтверждения регистрации в личном кабинете: %(code)s. Его нужно использовать в "
        "течение 10 минут."
    ) % {"code": issued.code}
    if email and issued.link_token:
        link = request.build_absolute_uri(
            f"{reverse('accounts:register_link')}?{urlencode({'t': issued.link_token})}"
        )
        body += "\n\n" + _("Или перейдите по ссылке: %(link)s") % {"link": link}
    message_queue(
        channel="email" if email else "sms",
        recipient=issued.contact,
        subject=_("Регистрация в личном кабинете"),
        body=body,
        kind="registration_code",
    )
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_SUBMITTED,
        request=request,
        details={"form": pending["form"], "counterparty": pending["counterparty_id"]},
    )
    return issued


def registration_confirm(*, pending: Pending, code: str, request: HttpRequest):
    """Checks the code (outside any transaction, as `code_verify` requires), then registers."""
    codes.code_verify(purpose=codes.Purpose.REGISTRATION, subject=subject_of(pending), code=code)
    return registration_finish(pending=pending, request=request)


def moderated() -> bool:
    return settings.LKK_VERIFICATION_POLICY == "moderated"


def registration_finish(*, pending: Pending, request: HttpRequest):
    """The contact is confirmed: the account (`auto`) or a request to the operators
    (`moderated`, a `RegistrationRequest`)."""
    if moderated():
        return registration_submit(pending=pending, request=request)
    return registration_complete(pending=pending, request=request)


@transaction.atomic
def registration_submit(*, pending: Pending, request: HttpRequest) -> RegistrationRequest:
    """`moderated`: the confirmed A1/A2 registration goes to the operators' queue (O1).

    The request is born `email_confirmed` (the code or link confirmed the contact) and moves to
    `pending` by the state machine's own service. An A1 request has no `company_kind` (no legal
    form was chosen) and carries its contract number.
    """
    from lkk.accounts import moderation

    # The counterparty matched at the start and proved by the code: no grant yet to see it by.
    with scopes_disabled():
        counterparty = Counterparty.objects.get(pk=pending["counterparty_id"])
    contract = pending["form"] == "contract"
    req = RegistrationRequest.objects.create(
        state=RegistrationRequest.State.EMAIL_CONFIRMED,
        username=pending["username"],
        email=pending["email"],
        password_hash=pending["password_hash"],
        last_name=pending["last_name"],
        first_name=pending["first_name"],
        middle_name=pending["middle_name"],
        phone=pending["phone"],
        company_kind="" if contract else pending["form"],
        inn=pending.get("inn", ""),
        kpp=pending.get("kpp", ""),
        company_name=counterparty.name,
        existing_counterparty=True,
        contract_numbers=[pending["contract_number"]] if contract else [],
        counterparty=counterparty,
    )
    return moderation.request_submit(pk=req.pk, request=request, form=pending["form"])


@transaction.atomic
def registration_complete(*, pending: Pending, request: HttpRequest):
    """Creates the user with access to all the counterparty's contracts (policy `auto`)."""
    user_model = get_user_model()
    # The counterparty matched at the start and proved by the code: no grant yet to see it by.
    with scopes_disabled():
        counterparty = Counterparty.objects.get(pk=pending["counterparty_id"])
    email = pending["email"]
    if email and user_model.objects.filter(email__iexact=email).exists():
        if pending["form"] != "contract":
            raise ApplicationError(_("Этот адрес электронной почты уже используется."))
        email = ""  # the contract's email is someone else's login already; the login is ИНН+№
    try:
        with transaction.atomic():
            user = user_model.objects.create(
                username=pending["username"],
                email=email,
                phone=pending["phone"],
                last_name=pending["last_name"],
                first_name=pending["first_name"],
                middle_name=pending["middle_name"],
                password=pending["password_hash"],
            )
    except IntegrityError:
        raise ApplicationError(
            _("Такой пользователь уже зарегистрирован. Войдите или восстановите пароль.")
        ) from None
    grant = AccessGrant.objects.create(user=user, counterparty=counterparty, all_contracts=True)
    forget_access_scope(user)
    consent_record(user=user, request=request)
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_APPROVED,
        request=request,
        user=user,
        details={"form": pending["form"], "counterparty": counterparty.pk, "policy": "auto"},
    )
    audit_record(
        kind=AuditEvent.Kind.GRANT_ADDED,
        request=request,
        user=user,
        details={"counterparty": counterparty.pk, "grant": grant.pk, "all_contracts": True},
    )
    return user


# Matches identifiers against the whole billing mirror (isolation guard off): no grant yet.
@scopes_disabled()
def contract_contact_check(
    *, inn: str, contract_number: str, contact: str, not_found: str, contact_not_found: str
) -> tuple[Contract, str, str]:
    """A1's check, for reuse (A9 «Привязать договор»): the contract by ИНН and number, and the
    typed email or phone among its contacts. Returns (contract, channel, normalized contact);
    raises ApplicationError with the caller's (already translated) texts."""
    contract = (
        Contract.objects.select_related("counterparty")
        .filter(counterparty__inn=inn.strip(), number__iexact=contract_number.strip())
        .first()
    )
    if contract is None:
        raise ApplicationError(not_found)
    channel, value = _contact_parse(contact)
    listed = Contact.objects.filter(
        counterparty=contract.counterparty, kind=_contact_kind(channel)
    ).filter(Q(contract=contract) | Q(contract__isnull=True))
    if not any(_contact_matches(channel, row.value, value) for row in listed):
        raise ApplicationError(contact_not_found, field="contact")
    return contract, channel, value


def email_link_send(*, request: HttpRequest, subject: str, email: str, route: str) -> None:
    """Issues a registration code with a one-click link and queues the email with the link.

    Called inside the transaction that records the pending registration.
    """
    issued = codes.code_issue(
        purpose=codes.Purpose.REGISTRATION,
        subject=subject,
        channel=codes.Channel.EMAIL,
        contact=email,
        ip=client_ip(request),
        with_link=True,
    )
    link = request.build_absolute_uri(f"{reverse(route)}?{urlencode({'t': issued.link_token})}")
    message_queue(
        channel="email",
        recipient=issued.contact,
        subject=_("Подтверждение регистрации в личном кабинете"),
        body=_("Чтобы подтвердить адрес электронной почты, перейдите по ссылке: %(link)s")
        % {"link": link},
        kind="registration_link",
    )
