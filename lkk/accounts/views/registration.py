"""Registration pages of every way (A1, A2, A2a activation, A9, seed 003): a form starts a
`RegistrationRequest`, the code or link confirms it, and the pipeline
(`lkk.accounts.services.registration`) grants access or queues it for an operator.

The session holds only the id of the request in progress.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lkk.accounts.forms.registration import (
    LEGAL_FORMS,
    ActivationCodeForm,
    ActivationForm,
    BindingForm,
    ContractRegistrationForm,
    RegistrationCodeForm,
    SignupForm,
)
from lkk.accounts.models import RegistrationRequest
from lkk.accounts.services import registration as pipeline
from lkk.core import formats
from lkk.core.errors import ApplicationError, apply_error

BACKEND = "lkk.accounts.backends.LoginOrEmailBackend"
State = RegistrationRequest.State
Way = RegistrationRequest.Way


def choose(request: HttpRequest) -> HttpResponse:
    """`/accounts/register/`: the ways this deployment offers."""
    offered = pipeline.forms_offered()
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


def _started(request: HttpRequest, req: RegistrationRequest) -> HttpResponse:
    request.session[pipeline.SESSION_KEY] = req.pk
    if req.way == Way.BINDING:
        return redirect("accounts:binding_code")
    return redirect("accounts:register_code")


def _form_page(request, form, *, title, button, hint="") -> HttpResponse:
    return render(
        request,
        "accounts/register_form.html",
        {"form": form, "title": title, "button": button, "hint": hint},
    )


@require_http_methods(["GET", "POST"])
def by_contract(request: HttpRequest) -> HttpResponse:
    """A1 (seed 000): ИНН + номер договора + пароль ×2 + контакт из договора."""
    pipeline.offered_or_404("contract")
    form = ContractRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            req = pipeline.request_start_contract(
                inn=data["inn"],
                contract_number=data["contract_number"],
                contact=data["contact"],
                password=data["password1"],
                password2=data["password2"],
                request=request,
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return _started(request, req)
    return _form_page(
        request,
        form,
        title=_("Регистрация в личном кабинете небытового потребителя"),
        button=_("Регистрация"),
        hint=_("Если у Вас более одного договора энергоснабжения, введите номер любого."),
    )


@require_http_methods(["GET", "POST"])
def by_legal_form(request: HttpRequest, form: str) -> HttpResponse:
    """A2 (seeds 001, 004): «Юридическое лицо», «Индивидуальный предприниматель» or
    «Физическое лицо»."""
    if form not in LEGAL_FORMS:
        raise Http404
    pipeline.offered_or_404(form)
    form_class, label = LEGAL_FORMS[form]
    bound = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and bound.is_valid():
        try:
            req = pipeline.request_start_legal(
                way=form,
                data=bound.cleaned_data,
                documents=bound.cleaned_data.get("documents") or [],
                request=request,
            )
        except ApplicationError as exc:
            apply_error(bound, exc)
        else:
            return _started(request, req)
    return _form_page(
        request,
        bound,
        title=_("Регистрация: %(form)s") % {"form": label},
        button=_("Зарегистрироваться"),
        hint=_(
            "Логином будет адрес электронной почты. Если он указан в договоре, доступ откроется "
            "сразу после подтверждения; иначе заявку проверит оператор."
        ),
    )


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Seed 003 «Регистрация пользователя»: the account first, contracts bound later."""
    pipeline.offered_or_404("signup")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            req = pipeline.request_start_signup(
                username=cd["username"],
                email=cd["email"],
                phone=cd["phone"],
                password=cd["password1"],
                password2=cd["password2"],
                request=request,
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            request.session[pipeline.SESSION_KEY] = req.pk
            return render(request, "accounts/signup_sent.html", {"email": req.contact})
    return render(request, "accounts/signup.html", {"form": form})


def _in_progress(request: HttpRequest, *, way: str | None = None) -> RegistrationRequest | None:
    """The draft request this browser started, if any (the session keeps only its id)."""
    pk = request.session.get(pipeline.SESSION_KEY)
    if not isinstance(pk, int):
        return None
    found = RegistrationRequest.objects.filter(pk=pk, state=State.DRAFT)
    if way == Way.BINDING:
        found = found.filter(way=Way.BINDING, user_id=request.user.pk)
    else:
        found = found.exclude(way__in=[Way.BINDING, Way.OFFICE])
    return found.first()


def _outcome(request: HttpRequest, req: RegistrationRequest) -> HttpResponse:
    """What the customer sees once the contact is confirmed."""
    request.session.pop(pipeline.SESSION_KEY, None)
    if req.state == State.PENDING:
        return render(request, "accounts/register_pending.html", {"req": req})
    if req.way == Way.BINDING:
        messages.success(
            request,
            _("Договоры контрагента %(name)s привязаны к вашему личному кабинету.")
            % {"name": formats.quoted(req.counterparty.short_name) if req.counterparty else ""},
        )
        return redirect("customers:home")
    login(request, req.user, backend=BACKEND)
    if req.way == Way.SIGNUP:
        messages.success(
            request,
            _(
                "Регистрация завершена. Чтобы видеть свои договоры, привяжите их: "
                "«Привязать договор» в профиле."
            ),
        )
        return redirect("accounts:profile")
    if req.way in (Way.CONTRACT, Way.OFFICE):
        request.session[pipeline.SHOW_LOGIN_KEY] = req.user.get_username()
        return redirect("accounts:register_done")
    return redirect("customers:home")


def _code_page(request: HttpRequest, req: RegistrationRequest, *, template: str, route: str):
    if request.method == "POST" and "resend" in request.POST:
        try:
            pipeline.request_code_send(req=req, request=request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Новый код отправлен."))
        return redirect(route)
    form = RegistrationCodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and form.is_valid():
        try:
            req = pipeline.request_confirm_code(
                req=req, code=form.cleaned_data["code"], request=request
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return _outcome(request, req)
    return render(
        request,
        template,
        {
            "form": form,
            "contact": req.contact,
            "resend_after": pipeline.seconds_until_resend(req),
            "ttl_minutes": settings.LKK_CODE_TTL_SECONDS // 60,
        },
    )


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """The code step: «Его нужно использовать в течение 10 минут…», with a resend."""
    req = _in_progress(request)
    if req is None:
        return _nothing_pending(request)
    return _code_page(
        request, req, template="accounts/register_code.html", route="accounts:register_code"
    )


def link(request: HttpRequest) -> HttpResponse:
    """The one-click link of the email (?t=token); the token names the request, so it works in
    any browser."""
    token = request.GET.get("t", "")
    if not token:
        return _nothing_pending(request)
    try:
        req = pipeline.request_confirm_link(token=token, request=request)
    except ApplicationError as exc:
        return render(request, "accounts/register_link_error.html", {"message": exc.message})
    return _outcome(request, req)


def done(request: HttpRequest) -> HttpResponse:
    """The login, shown once."""
    username = request.session.pop(pipeline.SHOW_LOGIN_KEY, None)
    if not username or not request.user.is_authenticated:
        return _nothing_pending(request)
    return render(request, "accounts/register_done.html", {"login": username})


def _nothing_pending(request: HttpRequest) -> HttpResponse:
    """No registration in this browser's session (finished, expired or never started)."""
    return render(request, "accounts/register_none.html")


# --- A9: «Привязать договор» --------------------------------------------------------------------


def _customer_only(request: HttpRequest) -> None:
    if request.user.is_staff or request.user.is_superuser:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def binding_start(request: HttpRequest) -> HttpResponse:
    _customer_only(request)
    form = BindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            req = pipeline.request_start_binding(
                user=request.user,
                inn=data["inn"],
                contract_number=data["contract_number"],
                contact=data["contact"],
                request=request,
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return _started(request, req)
    return render(request, "accounts/binding.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def binding_code(request: HttpRequest) -> HttpResponse:
    _customer_only(request)
    req = _in_progress(request, way=Way.BINDING)
    if req is None:
        notice = _("Запрос на привязку не найден. Начните заново.")
        return render(request, "accounts/binding.html", {"form": BindingForm(), "notice": notice})
    return _code_page(
        request, req, template="accounts/binding_code.html", route="accounts:binding_code"
    )


# --- A2a: activation of an account issued at the office ----------------------------------------


@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """The activation link (?t=token) or, without it, the login and the code; then the password."""
    token = request.POST.get("t") or request.GET.get("t", "")
    if token:
        form = ActivationForm(request.POST if request.method == "POST" else None)
    else:
        form = ActivationCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            if token:
                req = pipeline.request_activate(
                    token=token,
                    password=cd["password1"],
                    password2=cd["password2"],
                    request=request,
                )
            else:
                req = pipeline.request_activate_code(
                    username=cd["username"],
                    code=cd["code"],
                    password=cd["password1"],
                    password2=cd["password2"],
                    request=request,
                )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return _outcome(request, req)
    return render(request, "accounts/activate.html", {"form": form, "token": token})
