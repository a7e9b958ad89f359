"""«Привязать договор» pages (A9): the form, then the code; customers only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lkk.accounts import binding, codes
from lkk.accounts.registration_forms import RegistrationCodeForm
from lkk.core import validators
from lkk.core.errors import ApplicationError


class BindingForm(forms.Form):
    inn = forms.CharField(label=gettext_lazy("ИНН потребителя"), max_length=20)
    contract_number = forms.CharField(
        label=gettext_lazy("Номер договора энергоснабжения"), max_length=50
    )
    contact = forms.CharField(
        label=gettext_lazy(
            "Адрес электронной почты или номер мобильного телефона, указанные в договоре"
        ),
        max_length=255,
    )

    def clean_inn(self) -> str:
        value = "".join(self.cleaned_data["inn"].split())
        validators.validate_inn(value)
        return value


def _customer_only(request: HttpRequest) -> None:
    if request.user.is_staff or request.user.is_superuser:
        raise PermissionDenied


def _apply_error(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    _customer_only(request)
    form = BindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pending = binding.binding_start(
                user=request.user,
                inn=data["inn"],
                contract_number=data["contract_number"],
                contact=data["contact"],
            )
            binding.binding_send_code(pending=pending, request=request)
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            request.session[binding.SESSION_KEY] = pending
            return redirect("accounts:binding_code")
    return render(request, "accounts/binding.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    _customer_only(request)
    pending = request.session.get(binding.SESSION_KEY)
    if not pending or pending.get("user_id") != request.user.pk:
        notice = _("Запрос на привязку не найден. Начните заново.")
        return render(request, "accounts/binding.html", {"form": BindingForm(), "notice": notice})
    if request.method == "POST" and "resend" in request.POST:
        try:
            binding.binding_send_code(pending=pending, request=request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Новый код отправлен."))
        return redirect("accounts:binding_code")
    form = RegistrationCodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and form.is_valid():
        try:
            counterparty = binding.binding_confirm(
                pending=pending, code=form.cleaned_data["code"], request=request
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            request.session.pop(binding.SESSION_KEY, None)
            messages.success(
                request,
                _("Договоры контрагента «%(name)s» привязаны к вашему личному кабинету.")
                % {"name": counterparty.short_name},
            )
            return redirect("customers:home")
    wait = codes.seconds_until_resend(
        purpose=codes.Purpose.BINDING, subject=binding.subject_of(pending)
    )
    return render(
        request,
        "accounts/binding_code.html",
        {"form": form, "contact": pending["contact"], "resend_after": wait},
    )
