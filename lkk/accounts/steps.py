"""Multi-step registration (A3, seed 002): account, person, company; then the email link.

The finished steps live in the visitor's session (SESSION_KEY: {"1": {...}, "2": {...},
"3": {...}}), the password only as Django's hash, so a step can be left, resumed and edited.
«Создать аккаунт» writes a `RegistrationRequest` (draft) and emails a one-click link; the link
confirms it and then, per LKK_VERIFICATION_POLICY (A5), grants access at once (`auto`) or puts
the request into the operators' queue (`moderated`, `lkk.accounts.moderation`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from lkk.accounts import codes, moderation
from lkk.accounts.models import RegistrationRequest
from lkk.accounts.registration import email_link_send, password_check
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record
from lkk.core.errors import ApplicationError
from lkk.customers.access import scopes_disabled
from lkk.customers.models import Contract, Counterparty

SESSION_KEY = "lkk_registration_steps"
STEPS = ("1", "2", "3")


def policy() -> str:
    return "moderated" if settings.LKK_VERIFICATION_POLICY == "moderated" else "auto"


def subject_of(req: RegistrationRequest) -> str:
    return f"registration-request:{req.pk}"


def step1_clean(
    *, username: str, email: str, password: str, password2: str, check: bool = True
) -> dict[str, Any]:
    """Step 1; `check=False` when the password is kept from an earlier save (editing)."""
    username = username.strip()
    email = codes.normalize_email(email)
    users = get_user_model().objects
    if users.filter(username__iexact=username).exists():
        raise ApplicationError(_("Этот логин уже занят."), field="username")
    if users.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise ApplicationError(
            _("Этот адрес электронной почты уже используется. Войдите или восстановите пароль."),
            field="email",
        )
    if check:
        password_check(password, password2, username=username, email=email)
    return {"username": username, "email": email, "password_hash": make_password(password)}


def step2_clean(data: dict[str, str]) -> dict[str, Any]:
    try:
        phone = codes.normalize_phone(data["phone"])
    except ApplicationError as exc:
        raise ApplicationError(exc.message, field="phone") from None
    return {
        "first_name": data["first_name"].strip(),
        "last_name": data["last_name"].strip(),
        "middle_name": data.get("middle_name", "").strip(),
        "phone": phone,
    }


# Matches identifiers against the whole billing mirror (isolation guard off): no grant yet.
@scopes_disabled()
def counterparty_match(*, inn: str, kpp: str) -> Counterparty | None:
    found = Counterparty.objects.filter(inn=inn)
    if kpp:
        found = found.filter(kpp=kpp)
    return found.order_by("pk").first()


@scopes_disabled()  # the same matching: the typed numbers against the counterparty's
def numbers_found(counterparty: Counterparty | None, numbers: list[str]) -> set[str]:
    """The entered contract numbers that are the counterparty's (case as entered)."""
    if counterparty is None:
        return set()
    own = {
        n.lower()
        for n in Contract.objects.filter(counterparty=counterparty).values_list("number", flat=True)
    }
    return {n for n in numbers if n.lower() in own}


def step3_clean(data: dict[str, Any]) -> dict[str, Any]:
    numbers = [n.strip() for n in data["contract_numbers"] if n and n.strip()]
    if not numbers:
        raise ApplicationError(_("Введите номер договора."), field="contract_numbers")
    result = {
        "company_kind": data["company_kind"],
        "inn": data["inn"].strip(),
        "kpp": (data.get("kpp") or "").strip(),
        "company_name": data["company_name"].strip(),
        "existing_counterparty": bool(data.get("existing_counterparty")),
        "contract_numbers": numbers,
    }
    if policy() == "auto":
        counterparty = counterparty_match(inn=result["inn"], kpp=result["kpp"])
        if counterparty is None or numbers_found(counterparty, numbers) != set(numbers):
            raise ApplicationError(_("Ошибка регистрации! Контрагент не найден!"))
    return result


@transaction.atomic
def steps_submit(*, data: dict[str, dict], request: HttpRequest) -> RegistrationRequest:
    """«Создать аккаунт»: the draft request and the email with the link, in one transaction."""

    fields = data["1"] | data["2"] | data["3"]
    counterparty = counterparty_match(inn=fields["inn"], kpp=fields["kpp"])
    req = RegistrationRequest.objects.create(**fields, counterparty=counterparty)
    email_link_send(
        request=request,
        subject=subject_of(req),
        email=req.email,
        route="accounts:register_steps_link",
    )
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_SUBMITTED,
        request=request,
        details={"form": "steps", "request": req.pk, "state": "draft"},
    )
    return req


def steps_link(*, token: str, request: HttpRequest):
    """The email link: confirms the request, then grants (auto) or queues it (moderated).

    Returns the user under `auto`, None under `moderated`.
    """
    record = codes.link_verify(purpose=codes.Purpose.REGISTRATION, token=token)
    prefix = "registration-request:"
    if not record.subject.startswith(prefix):
        raise ApplicationError(_("Ссылка недействительна. Запросите новую."))
    pk = int(record.subject.removeprefix(prefix))
    moderation.request_email_confirm(pk=pk)
    if policy() == "auto":
        return moderation.request_approve_auto(pk=pk, request=request)
    moderation.request_submit(pk=pk, request=request)
    return None
