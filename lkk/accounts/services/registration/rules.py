"""The settings and the rules of the registration pipeline: the ways offered, the password,
the proof of control (A5): a contact on file and the ФИО."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from lkk.accounts.models import RegistrationRequest
from lkk.accounts.services import codes
from lkk.core.errors import ApplicationError
from lkk.customers.access import scopes_disabled
from lkk.customers.models import Contact, Counterparty

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


def username_free(username: str) -> bool:
    users = get_user_model().objects
    return not users.filter(Q(username__iexact=username) | Q(email__iexact=username)).exists()


def email_free(email: str) -> bool:
    users = get_user_model().objects
    return not users.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()


def request_lock(pk: int, allowed: Iterable[str]) -> RegistrationRequest:
    req = RegistrationRequest.objects.select_for_update().get(pk=pk)
    if req.state not in allowed:
        raise ApplicationError(_("Заявка уже обработана или ещё не готова к этому действию."))
    return req
