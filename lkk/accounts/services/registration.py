"""One registration pipeline for every way into the cabinet (A1–A3, A2a, A5, A9, seed 003).

Every way — by contract, by legal form (ЮЛ/ИП/ФЛ), in three steps, account first, binding a
contract to an existing account, an account issued at the office — is a `RegistrationRequest`
with its way and the contact its code or link goes to. The browser keeps only the request's id.

The trust rule (A5): identifiers (ИНН, ОГРН, ОГРНИП, КПП, СНИЛС, contract numbers, names) are
public and alone grant nothing. Access needs proof of control: the code or link reached a
contact that billing lists for the counterparty or one of its contracts (`contact_on_file`), or
an operator approved the request after checking it and its documents. Under `auto` a request
with that proof is approved as soon as its contact is confirmed; any other goes to the
operators' queue. Under `moderated` every request goes to the queue. What is granted is what
the way asks for and no more: by contract, by legal form and binding — the counterparty
(seed 000 «введите номер любого»); three steps — the contracts listed; the office and an
operator's approval — the contracts the operator chose.

States: draft → confirmed → approved, or confirmed → pending → approved | rejected. One service
per move; `request_approve` is the only caller of user creation, `grant_add`, consent and the
approval message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.accounts import codes
from lkk.accounts.consent import consent_record
from lkk.accounts.models import RegistrationDocument, RegistrationRequest
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record, client_ip
from lkk.core.errors import ApplicationError
from lkk.core.uploads import CheckedUpload
from lkk.customers.access import scopes_disabled
from lkk.customers.models import AccessGrant, Contact, Contract, Counterparty
from lkk.customers.services import grant_add
from lkk.notifications.services import message_queue

Way = RegistrationRequest.Way
State = RegistrationRequest.State

#: The self-registration ways a deployment may offer (`LKK_REGISTRATION_FORMS`), in this order.
FORMS = ("contract", "ul", "ip", "fl", "steps", "signup")
#: The session holds the id of the request in progress, nothing else.
SESSION_KEY = "lkk_registration_request"
SHOW_LOGIN_KEY = "lkk_registration_login"

COUNTERPARTY_NOT_FOUND = "Ошибка регистрации! Контрагент не найден!"
CONTACT_NOT_FOUND = "Ошибка регистрации! Телефон (email) не найден!"
CONTRACT_NOT_FOUND = "Договор не найден: проверьте ИНН и номер договора."
CONTACT_NOT_LISTED = "Этот телефон (email) не указан в договоре."
ALREADY_BOUND = "Этот контрагент уже привязан к вашему личному кабинету."
LINK_INVALID = "Ссылка недействительна. Запросите новую."
ACTIVATION_REFUSED = (
    "Неверный логин или код, или срок действия кода истёк. Новый код выдаст контактный центр."
)


# --- Settings -------------------------------------------------------------------------------


def policy() -> str:
    return "moderated" if settings.LKK_VERIFICATION_POLICY == "moderated" else "auto"


def forms_offered() -> list[str]:
    """The ways to register this deployment offers (`LKK_REGISTRATION_FORMS`), in FORMS order."""
    wanted = {
        part.strip() for part in str(settings.LKK_REGISTRATION_FORMS).split(",") if part.strip()
    }
    return [form for form in FORMS if form in wanted]


def offered_or_404(form: str) -> None:
    """A way this deployment does not offer does not exist for visitors."""
    if form not in forms_offered():
        raise Http404


def password_check(password: str, repeat: str, *, username: str = "", email: str = "") -> None:
    """Django's password validators, then the repeat; errors on the fields they concern."""
    if password != repeat:
        raise ApplicationError(_("Пароли не совпадают"), field="password2")
    user = get_user_model()(username=username, email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password1") from None


# --- Proof of control (A5) ------------------------------------------------------------------


def contact_parse(value: str, *, field: str = "contact") -> tuple[str, str]:
    """An email or a mobile phone as typed → (channel, normalized value)."""
    if "@" in value:
        try:
            return codes.Channel.EMAIL, codes.normalize_email(value)
        except ApplicationError as exc:
            raise ApplicationError(exc.message, field=field) from None
    try:
        return codes.Channel.SMS, codes.normalize_phone(value)
    except ApplicationError:
        raise ApplicationError(
            _("Введите адрес электронной почты или номер мобильного телефона: +7 и 10 цифр."),
            field=field,
        ) from None


def _normalized(channel: str, stored: str) -> str | None:
    try:
        if channel == codes.Channel.EMAIL:
            return codes.normalize_email(stored)
        return codes.normalize_phone(stored)
    except ApplicationError:
        return None


def contact_on_file(*, counterparty_id: int, channel: str, contact: str) -> bool:
    """Whether billing lists this email or phone for the counterparty or any of its contracts."""
    kind = Contact.Kind.EMAIL if channel == codes.Channel.EMAIL else Contact.Kind.PHONE
    with scopes_disabled():  # matching a typed contact against billing's, not showing any
        stored = Contact.objects.filter(counterparty_id=counterparty_id, kind=kind).values_list(
            "value", flat=True
        )
        return any(_normalized(channel, value) == contact for value in stored)


_FIO_PREFIX = re.compile(r"^(индивидуальный предприниматель|ип)\s+")


def fio_normalize(text: str) -> str:
    """Case, ё/е and spaces do not matter; a leading «ИП» is not part of the name."""
    text = " ".join(text.lower().replace("ё", "е").split())
    return _FIO_PREFIX.sub("", text)


def fio_matches(counterparty: Counterparty, *, last: str, first: str, middle: str) -> bool:
    """The ФИО typed for an ИП or ФЛ is the one billing holds (A5)."""
    typed = fio_normalize(f"{last} {first} {middle}")
    return typed in {fio_normalize(counterparty.name), fio_normalize(counterparty.short_name)}


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


def _username_free(username: str) -> bool:
    users = get_user_model().objects
    return not users.filter(Q(username__iexact=username) | Q(email__iexact=username)).exists()


def _email_free(email: str) -> bool:
    users = get_user_model().objects
    return not users.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()


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
    if not _username_free(username):
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
    if not _email_free(email):
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
    if not _username_free(username):
        raise ApplicationError(_("Этот логин уже занят."), field="username")
    if not _email_free(email):
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
    if not _username_free(username):
        raise ApplicationError(_("Этот логин уже занят."), field="username")
    email_free = channel != codes.Channel.EMAIL or _email_free(value)
    fields = _contact_fields(channel, value)
    if not email_free:
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


def _lock(pk: int, allowed: Iterable[str]) -> RegistrationRequest:
    req = RegistrationRequest.objects.select_for_update().get(pk=pk)
    if req.state not in allowed:
        raise ApplicationError(_("Заявка уже обработана или ещё не готова к этому действию."))
    return req


@transaction.atomic
def request_confirm(*, pk: int, request: HttpRequest | None) -> RegistrationRequest:
    """draft → confirmed: the contact is proven to be the customer's. Then the trust rule:
    approved at once when the contact is on file (`auto`), or queued for an operator."""
    req = _lock(pk, [State.DRAFT])
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
    req = _lock(pk, [State.CONFIRMED])
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
    req = _lock(pk, [State.DRAFT])
    if req.way != Way.OFFICE:
        raise ApplicationError(_(LINK_INVALID))
    password_check(password, password2, username=req.username, email=req.email)
    req.password_hash = make_password(password)
    req.consent = True
    req.save(update_fields=["password_hash", "consent"])
    return request_confirm(pk=pk, request=request)


# --- Decisions ----------------------------------------------------------------------------------


def _user_create(req: RegistrationRequest):
    user_model = get_user_model()
    email = req.email
    if email and not _email_free(email):
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
        req = _lock(pk, [State.CONFIRMED])
        with scopes_disabled():  # the contracts this request asked for and proved
            asked = list(req.contracts.values_list("pk", flat=True))
        wanted = None if req.all_contracts else asked
    else:
        req = _lock(pk, [State.PENDING])
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
