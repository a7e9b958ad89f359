"""Starting a request: each way checks its data against the billing mirror (A1–A3, A2a, A9,
seed 003) and sends the code or link."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from lkk.accounts.models import RegistrationDocument, RegistrationRequest
from lkk.accounts.services import codes
from lkk.accounts.services.registration.confirm import request_code_send
from lkk.accounts.services.registration.rules import (
    ALREADY_BOUND,
    CONTACT_NOT_FOUND,
    CONTACT_NOT_LISTED,
    CONTRACT_NOT_FOUND,
    COUNTERPARTY_NOT_FOUND,
    State,
    Way,
    contact_on_file,
    contact_parse,
    email_free,
    fio_matches,
    password_check,
    policy,
    username_free,
)
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record, client_ip
from lkk.core.errors import ApplicationError
from lkk.core.uploads import CheckedUpload
from lkk.customers.access import scopes_disabled
from lkk.customers.models import AccessGrant, Contract, Counterparty

# --- Starting a request: each way checks its data against the mirror ------------------------


def _request_new(*, way: str, request: HttpRequest | None, **fields: Any) -> RegistrationRequest:
    meta = request.META if request is not None else {}
    return RegistrationRequest.objects.create(
        way=way,
        ip=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        **fields,
    )


def _contract_find(*, inn: str, number: str) -> Contract | None:
    with scopes_disabled():  # the typed ИНН and number name a contract; nothing is shown yet
        return (
            Contract.objects.select_related("counterparty")
            .filter(counterparty__inn=inn.strip(), number__iexact=number.strip())
            .first()
        )


def _contact_fields(channel: str, value: str) -> dict[str, str]:
    email = channel == codes.Channel.EMAIL
    return {
        "channel": channel,
        "contact": value,
        "email": value if email else "",
        "phone": "" if email else value,
    }


@transaction.atomic
def request_start_contract(
    *,
    inn: str,
    contract_number: str,
    contact: str,
    password: str,
    password2: str,
    request: HttpRequest,
) -> RegistrationRequest:
    """A1 (seed 000): ИНН + any contract number + a contact billing lists; code to that contact.

    The two seed-000 texts are the product's own and are shown as they are (PRODUCT.md A1).
    """
    contract = _contract_find(inn=inn, number=contract_number)
    if contract is None:
        raise ApplicationError(_(COUNTERPARTY_NOT_FOUND))
    channel, value = contact_parse(contact)
    if not contact_on_file(
        counterparty_id=contract.counterparty_id, channel=channel, contact=value
    ):
        raise ApplicationError(_(CONTACT_NOT_FOUND), field="contact")
    username = f"{inn.strip()}{contract.number}"
    if not username_free(username):
        raise ApplicationError(
            _(
                "Личный кабинет для этого ИНН и номера договора уже зарегистрирован. Войдите "
                "с логином %(login)s или восстановите пароль."
            )
            % {"login": username}
        )
    password_check(password, password2, username=username)
    req = _request_new(
        way=Way.CONTRACT,
        request=request,
        username=username,
        password_hash=make_password(password),
        inn=inn.strip(),
        contract_numbers=[contract.number],
        counterparty=contract.counterparty,
        contact_on_file=True,
        all_contracts=True,
        consent=True,
        **_contact_fields(channel, value),
    )
    request_code_send(req=req, request=request)
    return req


def _counterparty_by_identifiers(way: str, data: dict[str, str]) -> Counterparty | None:
    kind = {Way.UL: Counterparty.Kind.LEGAL, Way.IP: Counterparty.Kind.ENTREPRENEUR,
            Way.FL: Counterparty.Kind.PERSON}[way]  # fmt: skip
    with scopes_disabled():  # the typed identifiers name a counterparty; nothing is shown yet
        found = Counterparty.objects.filter(kind=kind)
        if way == Way.UL:
            found = found.filter(inn=data["inn"])
            if data.get("ogrn"):
                found = found.filter(ogrn=data["ogrn"])
            if data.get("kpp"):
                found = found.filter(kpp=data["kpp"])
        elif way == Way.IP:
            found = found.filter(ogrnip=data["ogrnip"])
        else:
            found = found.filter(snils=data["snils"])
        return found.order_by("pk").first()


@transaction.atomic
def request_start_legal(
    *,
    way: str,
    data: dict[str, str],
    documents: Iterable[CheckedUpload] = (),
    request: HttpRequest,
) -> RegistrationRequest:
    """A2 (seeds 001, 004): the counterparty by its identifiers, the ФИО of an ИП/ФЛ compared
    with billing's; the code goes to the email typed. That email proves control only when
    billing lists it; otherwise the confirmed request waits for an operator, who reads the
    attached documents (доверенность, выписка)."""
    way = Way(way)
    counterparty = _counterparty_by_identifiers(way, data)
    if counterparty is None:
        raise ApplicationError(
            _(
                "Ошибка регистрации! Контрагент с такими данными не найден. Проверьте данные или "
                "обратитесь в контактный центр."
            )
        )
    if way in (Way.IP, Way.FL) and not fio_matches(
        counterparty,
        last=data.get("last_name", ""),
        first=data.get("first_name", ""),
        middle=data.get("middle_name", ""),
    ):
        raise ApplicationError(
            _("ФИО не совпадает с данными договора. Введите ФИО так, как в договоре."),
            field="last_name",
        )
    email = codes.normalize_email(data["email"])
    if not email_free(email):
        raise ApplicationError(
            _("Этот адрес электронной почты уже используется. Войдите или восстановите пароль."),
            field="email",
        )
    password_check(data["password1"], data["password2"], username=email, email=email)
    phone = codes.normalize_phone(data["phone"]) if data.get("phone") else ""
    req = _request_new(
        way=way,
        request=request,
        username=email,
        password_hash=make_password(data["password1"]),
        last_name=data.get("last_name", "").strip(),
        first_name=data.get("first_name", "").strip(),
        middle_name=data.get("middle_name", "").strip(),
        company_kind=way,
        inn=data.get("inn", "") or counterparty.inn,
        kpp=data.get("kpp", ""),
        ogrn=data.get("ogrn", ""),
        ogrnip=data.get("ogrnip", ""),
        snils=data.get("snils", ""),
        counterparty=counterparty,
        contact_on_file=contact_on_file(
            counterparty_id=counterparty.pk, channel=codes.Channel.EMAIL, contact=email
        ),
        all_contracts=True,
        consent=True,
        **_contact_fields(codes.Channel.EMAIL, email),
    )
    req.phone = phone
    req.save(update_fields=["phone"])
    documents_attach(req=req, documents=documents)
    request_code_send(req=req, request=request)
    return req


@transaction.atomic
def request_start_signup(
    *, username: str, email: str, phone: str, password: str, password2: str, request: HttpRequest
) -> RegistrationRequest:
    """Seed 003: an account of one's own with no counterparty; contracts are bound later."""
    username = username.strip()
    email = codes.normalize_email(email)
    phone = phone.strip()
    if phone:
        try:
            phone = codes.normalize_phone(phone)
        except ApplicationError as exc:
            raise ApplicationError(exc.message, field="phone") from None
    if not username_free(username):
        raise ApplicationError(_("Этот логин уже занят."), field="username")
    if not email_free(email):
        raise ApplicationError(
            _("Этот адрес электронной почты уже используется. Войдите или восстановите пароль."),
            field="email",
        )
    password_check(password, password2, username=username, email=email)
    req = _request_new(
        way=Way.SIGNUP,
        request=request,
        username=username,
        password_hash=make_password(password),
        consent=True,
        **_contact_fields(codes.Channel.EMAIL, email),
    )
    req.phone = phone
    req.save(update_fields=["phone"])
    request_code_send(req=req, request=request)
    return req


def _bound(user, counterparty_id: int) -> bool:
    return AccessGrant.objects.filter(
        user_id=user.pk, counterparty_id=counterparty_id, all_contracts=True
    ).exists()


@transaction.atomic
def request_start_binding(
    *, user, inn: str, contract_number: str, contact: str, request: HttpRequest
) -> RegistrationRequest:
    """A9 (seed 003 «Привязать договор»): verified as A1 is, for an existing account."""
    contract = _contract_find(inn=inn, number=contract_number)
    if contract is None:
        raise ApplicationError(_(CONTRACT_NOT_FOUND))
    channel, value = contact_parse(contact)
    if not contact_on_file(
        counterparty_id=contract.counterparty_id, channel=channel, contact=value
    ):
        raise ApplicationError(_(CONTACT_NOT_LISTED), field="contact")
    if _bound(user, contract.counterparty_id):
        raise ApplicationError(_(ALREADY_BOUND))
    req = _request_new(
        way=Way.BINDING,
        request=request,
        user=user,
        username=user.get_username(),
        inn=inn.strip(),
        contract_numbers=[contract.number],
        counterparty=contract.counterparty,
        contact_on_file=True,
        all_contracts=True,
        channel=channel,
        contact=value,
    )
    request_code_send(req=req, request=request)
    return req


@transaction.atomic
def request_start_office(
    *,
    operator,
    counterparty: Counterparty,
    contract_ids: list[int] | None,
    contact: str,
    username: str = "",
    request: HttpRequest | None = None,
) -> RegistrationRequest:
    """A2a (seed 004): the operator issues an account to a customer who came with documents.

    The contact must be one billing lists for the counterparty: the activation link (and code)
    goes there, and the customer sets the password; a password is never sent.
    """
    channel, value = contact_parse(contact)
    if not contact_on_file(counterparty_id=counterparty.pk, channel=channel, contact=value):
        raise ApplicationError(
            _("Этого телефона (email) нет в данных биллинга контрагента."), field="contact"
        )
    with scopes_disabled():  # the operator chose contracts of this counterparty
        chosen = (
            None
            if contract_ids is None
            else list(Contract.objects.filter(counterparty=counterparty, pk__in=contract_ids))
        )
    if chosen is not None and not chosen:
        raise ApplicationError(_("Выберите хотя бы один договор."), field="contracts")
    username = username.strip() or (value if channel == codes.Channel.EMAIL else "")
    if not username:
        raise ApplicationError(_("Укажите логин."), field="username")
    if not username_free(username):
        raise ApplicationError(_("Этот логин уже занят."), field="username")
    free = channel != codes.Channel.EMAIL or email_free(value)
    fields = _contact_fields(channel, value)
    if not free:
        fields["email"] = ""  # the contact is someone's login already; the login is another
    req = _request_new(
        way=Way.OFFICE,
        request=request,
        username=username,
        inn=counterparty.inn,
        company_kind=counterparty.kind,
        company_name=counterparty.name,
        counterparty=counterparty,
        contact_on_file=True,
        all_contracts=chosen is None,
        created_by=operator,
        decided_by=operator,
        **fields,
    )
    if chosen:
        with scopes_disabled():  # the contracts the operator chose
            req.contracts.set(chosen)
    request_code_send(req=req, request=request)
    audit_record(
        kind=AuditEvent.Kind.OPERATOR_ACTION,
        request=request,
        actor=operator,
        details={"action": "account_issue", "request": req.pk, "counterparty": counterparty.pk},
    )
    return req


# --- The multi-step way (A3, seed 002) --------------------------------------------------------


@transaction.atomic
def request_steps_save(
    *, req: RegistrationRequest | None, step: str, values: dict[str, Any], request: HttpRequest
) -> RegistrationRequest:
    """Saves a finished step (or, with `step` not in `steps_done`, what was valid of an unfinished
    one) on the draft; the first step creates it."""
    if req is None:
        req = _request_new(way=Way.STEPS, request=request, consent=False)
    elif req.state != State.DRAFT or req.way != Way.STEPS:
        raise ApplicationError(_("Заявка уже отправлена. Начните регистрацию заново."))
    for key, value in values.items():
        setattr(req, key, value)
    req.save()
    return req


def steps_step_done(*, req: RegistrationRequest, step: str) -> None:
    if step not in req.steps_done:
        req.steps_done = sorted({*req.steps_done, step})
        req.save(update_fields=["steps_done"])


def counterparty_match(*, inn: str, kpp: str) -> Counterparty | None:
    with scopes_disabled():  # the typed ИНН names a counterparty; nothing is shown yet
        found = Counterparty.objects.filter(inn=inn)
        if kpp:
            found = found.filter(kpp=kpp)
        return found.order_by("pk").first()


def numbers_found(counterparty: Counterparty | None, numbers: list[str]) -> dict[str, Contract]:
    """The entered contract numbers that are the counterparty's, with their contracts."""
    if counterparty is None:
        return {}
    with scopes_disabled():  # compared with what the customer typed; nothing is shown
        own = {c.number.lower(): c for c in Contract.objects.filter(counterparty=counterparty)}
    return {n: own[n.lower()] for n in numbers if n.lower() in own}


@transaction.atomic
def request_steps_submit(
    *, req: RegistrationRequest, documents: Iterable[CheckedUpload] = (), request: HttpRequest
) -> RegistrationRequest:
    """«Создать аккаунт»: the counterparty and the listed contracts are matched, the documents
    kept, and the link goes to the email of step 1."""
    if req.state != State.DRAFT or set(req.steps_done) != {"1", "2", "3"}:
        raise ApplicationError(_("Заполните все шаги регистрации."))
    counterparty = counterparty_match(inn=req.inn, kpp=req.kpp)
    found = numbers_found(counterparty, req.contract_numbers)
    if policy() == "auto" and (counterparty is None or len(found) != len(req.contract_numbers)):
        raise ApplicationError(_(COUNTERPARTY_NOT_FOUND))
    req.counterparty = counterparty
    req.all_contracts = False
    req.channel, req.contact = codes.Channel.EMAIL, req.email
    req.contact_on_file = counterparty is not None and contact_on_file(
        counterparty_id=counterparty.pk, channel=codes.Channel.EMAIL, contact=req.email
    )
    req.consent = True
    req.save()
    with scopes_disabled():  # the request's own list of the contracts it asks for
        req.contracts.set(found.values())
    documents_attach(req=req, documents=documents)
    request_code_send(req=req, request=request)
    return req


# --- Documents ----------------------------------------------------------------------------------


def documents_attach(*, req: RegistrationRequest, documents: Iterable[CheckedUpload]) -> None:
    """Keeps checked uploads (`lkk.core.uploads.uploads_check`) with the request."""
    for upload in documents:
        doc = RegistrationDocument(
            request=req, name=upload.name, content_type=upload.content_type, size=upload.size
        )
        doc.file.save("upload", upload.file, save=False)
        doc.save()
