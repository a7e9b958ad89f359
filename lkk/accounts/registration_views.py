"""Self-registration pages (A1, A2): choose the way, fill it in, enter the code; then the account
(policy `auto`) or a request to the operators (`moderated`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lkk.accounts import codes, registration
from lkk.accounts.models import RegistrationRequest
from lkk.accounts.registration_forms import (
    LEGAL_FORMS,
    ContractRegistrationForm,
    RegistrationCodeForm,
)
from lkk.core.errors import ApplicationError

BACKEND = "lkk.accounts.backends.LoginOrEmailBackend"


def choose(request: HttpRequest) -> HttpResponse:
    """`/accounts/register/`: the ways this deployment offers."""
    offered = registration.forms_offered()
    ways = []
    if "contract" in offered:
        ways.append(
            (reverse("accounts:register_contract"), _("По договору (ИНН и номер договора)"))
        )
    ways += [
        (reverse(f"accounts:register_{form}"), label)
        for form, (_cls, label) in LEGAL_FORMS.items()
        if form in offered
    ]
    return render(
        request,
        "accounts/register.html",
        {"ways": ways, "steps": "steps" in offered, "signup": "signup" in offered},
    )


def _apply_error(form, exc: ApplicationError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _start(request: HttpRequest, pending: registration.Pending, form) -> HttpResponse | None:
    try:
        registration.registration_send_code(pending=pending, request=request)
    except ApplicationError as exc:
        _apply_error(form, exc)
        return None
    request.session[registration.SESSION_KEY] = pending
    return redirect("accounts:register_code")


@require_http_methods(["GET", "POST"])
def by_contract(request: HttpRequest) -> HttpResponse:
    """A1 (seed 000): ИНН + номер договора + пароль ×2 + контакт из договора."""
    registration.offered_or_404("contract")
    form = ContractRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pending = registration.registration_start_contract(
                inn=data["inn"],
                contract_number=data["contract_number"],
                contact=data["contact"],
                password=data["password1"],
                password2=data["password2"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            response = _start(request, pending, form)
            if response is not None:
                return response
    return render(
        request,
        "accounts/register_form.html",
        {
            "form": form,
            "title": _("Регистрация в личном кабинете небытового потребителя"),
            "button": _("Регистрация"),
            "hint": _("Если у Вас более одного договора энергоснабжения, введите номер любого."),
        },
    )


@require_http_methods(["GET", "POST"])
def by_legal_form(request: HttpRequest, form: str) -> HttpResponse:
    """A2 (seeds 001, 004): «Юридическое лицо», «Индивидуальный предприниматель» or
    «Физическое лицо»."""
    if form not in LEGAL_FORMS:
        raise Http404
    registration.offered_or_404(form)
    form_class, label = LEGAL_FORMS[form]
    bound = form_class(request.POST or None)
    if request.method == "POST" and bound.is_valid():
        try:
            pending = registration.registration_start_legal(form=form, data=bound.cleaned_data)
        except ApplicationError as exc:
            _apply_error(bound, exc)
        else:
            response = _start(request, pending, bound)
            if response is not None:
                return response
    return render(
        request,
        "accounts/register_form.html",
        {
            "form": bound,
            "title": _("Регистрация: %(form)s") % {"form": label},
            "button": _("Зарегистрироваться"),
            "hint": _("Логином будет адрес электронной почты."),
        },
    )


def _finish(request: HttpRequest, user) -> HttpResponse:
    """Logs the new user in (`auto`) or tells that the request went to the operators."""
    request.session.pop(registration.SESSION_KEY, None)
    if isinstance(user, RegistrationRequest):  # `moderated`: the operators decide (O1)
        return render(request, "accounts/register_pending.html", {"req": user})
    login(request, user, backend=BACKEND)
    request.session[registration.SHOW_LOGIN_KEY] = user.get_username()
    return redirect("accounts:register_done")


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """The code step: «Его нужно использовать в течение 10 минут…», with a resend."""
    pending = request.session.get(registration.SESSION_KEY)
    if not pending:
        return _nothing_pending(request)
    subject = registration.subject_of(pending)
    form = RegistrationCodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            registration.registration_send_code(pending=pending, request=request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Новый код отправлен."))
        return redirect("accounts:register_code")
    if request.method == "POST" and form.is_valid():
        try:
            result = registration.registration_confirm(
                pending=pending, code=form.cleaned_data["code"], request=request
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            return _finish(request, result)
    wait = codes.seconds_until_resend(purpose=codes.Purpose.REGISTRATION, subject=subject)
    return render(
        request,
        "accounts/register_code.html",
        {
            "form": form,
            "contact": pending["contact"],
            "resend_after": wait,
            "ttl_minutes": settings.LKK_CODE_TTL_SECONDS // 60,
        },
    )


def link(request: HttpRequest) -> HttpResponse:
    """The one-click link of the email (?t=token): works in the browser that registers."""
    pending = request.session.get(registration.SESSION_KEY)
    token = request.GET.get("t", "")
    if not pending or not token:
        return _nothing_pending(request)
    try:
        record = codes.link_verify(purpose=codes.Purpose.REGISTRATION, token=token)
        if record.subject != registration.subject_of(pending):
            raise ApplicationError(_("Ссылка недействительна. Запросите новую."))
        result = registration.registration_finish(pending=pending, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:register_code")
    return _finish(request, result)


def done(request: HttpRequest) -> HttpResponse:
    """The generated login, shown once."""
    username = request.session.pop(registration.SHOW_LOGIN_KEY, None)
    if not username or not request.user.is_authenticated:
        return _nothing_pending(request)
    return render(request, "accounts/register_done.html", {"login": username})


def _nothing_pending(request: HttpRequest) -> HttpResponse:
    """No registration in this browser's session (finished, expired or never started)."""
    return render(request, "accounts/register_none.html")
