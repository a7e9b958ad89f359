"""The multi-step registration pages (A3, seed 002): `/accounts/register/steps/`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from lkk.accounts import registration, steps
from lkk.accounts.forms import captcha_field
from lkk.accounts.registration_forms import password_field
from lkk.accounts.registration_views import BACKEND
from lkk.core.errors import ApplicationError
from lkk.customers.models import Counterparty


class Step1Form(forms.Form):
    """«Шаг 1. Данные аккаунта»."""

    username = forms.CharField(
        label=_lazy("Логин"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    email = forms.EmailField(label=_lazy("Электронная почта"), max_length=254)
    password1 = password_field(_lazy("Пароль"))
    password2 = password_field(_lazy("Повторите пароль"))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the password is kept unless a new one is typed
            self.fields["password1"].required = False
            self.fields["password2"].required = False
        self.fields["captcha"] = captcha_field()


class Step2Form(forms.Form):
    """«Шаг 2. Личная информация»."""

    first_name = forms.CharField(label=_lazy("Имя"), max_length=150)
    last_name = forms.CharField(label=_lazy("Фамилия"), max_length=150)
    middle_name = forms.CharField(label=_lazy("Отчество"), max_length=150, required=False)
    phone = forms.CharField(label=_lazy("Контактный телефон"), max_length=20)


class Step3Form(forms.Form):
    """«Шаг 3. Информация о компании»; the contract numbers are read by the view."""

    company_kind = forms.ChoiceField(label=_lazy("Тип организации"), choices=Counterparty.Kind)
    inn = forms.RegexField(
        label=_lazy("ИНН"),
        regex=r"^\d{10}(\d{2})?$",
        error_messages={"invalid": _lazy("ИНН состоит из 10 или 12 цифр.")},
    )
    kpp = forms.RegexField(
        label=_lazy("КПП"),
        regex=r"^\d{9}$",
        required=False,
        error_messages={"invalid": _lazy("КПП состоит из 9 цифр.")},
    )
    company_name = forms.CharField(label=_lazy("Наименование организации"), max_length=500)
    existing_counterparty = forms.BooleanField(
        label=_lazy("Действующий контрагент"), required=False
    )
    consent = forms.BooleanField(
        label=_lazy(
            "Я принимаю условия Пользовательского соглашения и даю согласие на обработку "
            "персональных данных"
        ),
        error_messages={
            "required": _lazy("Без согласия с Пользовательским соглашением регистрация невозможна.")
        },
    )


FORMS = {"1": Step1Form, "2": Step2Form, "3": Step3Form}
TITLES = {
    "1": _lazy("Шаг 1. Данные аккаунта"),
    "2": _lazy("Шаг 2. Личная информация"),
    "3": _lazy("Шаг 3. Информация о компании"),
}


def _data(request: HttpRequest) -> dict:
    return request.session.get(steps.SESSION_KEY, {})


def _save(request: HttpRequest, step: str, values: dict) -> None:
    data = dict(_data(request))
    data[step] = values
    request.session[steps.SESSION_KEY] = data


def _next_step(data: dict) -> str:
    return next((s for s in steps.STEPS if s not in data), "3")


def _form(step: str, data: dict, post=None):
    saved = dict(data.get(step, {})) | data.get(f"draft{step}", {})
    saved.pop("password_hash", None)
    if step == "1":
        return Step1Form(post, initial=saved, editing="1" in data)
    return FORMS[step](post, initial=saved)


def _stash(request: HttpRequest, step: str) -> None:
    """Keeps the typed values of an unfinished step (never passwords or the captcha)."""
    fields = FORMS[step].base_fields
    draft = {
        k: v
        for k, v in request.POST.items()
        if k in fields and not k.startswith("password") and k != "consent"
    }
    if step == "3":
        draft["existing_counterparty"] = "existing_counterparty" in request.POST
        draft["contract_numbers"] = [n for n in request.POST.getlist("contract_number") if n]
    data = dict(_data(request))
    data[f"draft{step}"] = draft
    request.session[steps.SESSION_KEY] = data


def _apply(form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
def register_steps(request: HttpRequest) -> HttpResponse:
    registration.offered_or_404("steps")
    data = _data(request)
    step = request.POST.get("step") or request.GET.get("step") or _next_step(data)
    if step not in steps.STEPS or any(s not in data for s in steps.STEPS[: int(step) - 1]):
        step = _next_step(data)
    saved_numbers = (data.get("draft3") or data.get("3") or {}).get("contract_numbers", [])
    numbers = request.POST.getlist("contract_number") if request.method == "POST" else []
    numbers = numbers or list(saved_numbers) or [""]
    form = _form(step, data, request.POST if request.method == "POST" else None)
    numbers_error = ""
    if request.method == "POST" and request.POST.get("edit_step") in steps.STEPS:
        # «Редактировать» from a later step: what was typed here is kept as a draft.
        _stash(request, step)
        return redirect(f"{reverse('accounts:register_steps')}?step={request.POST['edit_step']}")
    if request.method == "POST" and "add_contract" in request.POST:
        form = _form(step, data, None)
        form.initial = {k: v for k, v in request.POST.items() if k in form.fields}
        form.initial["existing_counterparty"] = "existing_counterparty" in request.POST
        numbers.append("")
    elif request.method == "POST" and form.is_valid():
        try:
            values = _clean(step, form, data)
        except ApplicationError as exc:
            if exc.field == "contract_numbers":
                numbers_error = exc.message
            else:
                _apply(form, exc)
        else:
            _save(request, step, values)
            request.session[steps.SESSION_KEY].pop(f"draft{step}", None)
            data = _data(request)
            if step == "3" and all(s in data for s in steps.STEPS):
                return _submit(request, data, form)
            return redirect(f"{reverse('accounts:register_steps')}?step={_next_step(data)}")
    done = [(s, TITLES[s], _summary(s, data[s])) for s in steps.STEPS if s in data and s != step]
    return render(
        request,
        "accounts/steps.html",
        {
            "step": step,
            "title": TITLES[step],
            "form": form,
            "done": done,
            "numbers": numbers,
            "numbers_error": numbers_error,
        },
    )


def _clean(step: str, form, data: dict) -> dict:
    cd = form.cleaned_data
    if step == "1":
        if "1" in data and not cd["password1"] and not cd["password2"]:
            kept = data["1"]["password_hash"]
            values = steps.step1_clean(
                username=cd["username"], email=cd["email"], password="", password2="", check=False
            )
            return values | {"password_hash": kept}
        return steps.step1_clean(
            username=cd["username"],
            email=cd["email"],
            password=cd["password1"],
            password2=cd["password2"],
        )
    if step == "2":
        return steps.step2_clean(cd)
    return steps.step3_clean(cd | {"contract_numbers": form.data.getlist("contract_number")})


def _summary(step: str, values: dict) -> list[tuple[str, str]]:
    labels = {
        "username": _("Логин"),
        "email": _("Электронная почта"),
        "last_name": _("Фамилия"),
        "first_name": _("Имя"),
        "middle_name": _("Отчество"),
        "phone": _("Контактный телефон"),
        "company_kind": _("Тип организации"),
        "inn": _("ИНН"),
        "kpp": _("КПП"),
        "company_name": _("Наименование организации"),
        "contract_numbers": _("Номера договоров"),
    }
    rows = []
    for key, label in labels.items():
        if key not in values or values[key] in ("", None):
            continue
        value = values[key]
        if key == "contract_numbers":
            value = ", ".join(value)
        elif key == "company_kind":
            value = Counterparty.Kind(value).label
        rows.append((label, value))
    if step == "3" and values.get("existing_counterparty"):
        rows.append((_("Действующий контрагент"), _("Да")))
    return rows


def _submit(request: HttpRequest, data: dict, form) -> HttpResponse:
    try:
        req = steps.steps_submit(data=data, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('accounts:register_steps')}?step=3")
    request.session.pop(steps.SESSION_KEY, None)
    return render(request, "accounts/steps_sent.html", {"email": req.email})


def register_steps_link(request: HttpRequest) -> HttpResponse:
    registration.offered_or_404("steps")
    """The email link (?t=token)."""
    token = request.GET.get("t", "")
    try:
        if not token:
            raise ApplicationError(_("Ссылка недействительна. Запросите новую."))
        user = steps.steps_link(token=token, request=request)
    except ApplicationError as exc:
        return render(request, "accounts/steps_link_error.html", {"message": exc.message})
    if user is None:
        return render(request, "accounts/steps_pending.html")
    login(request, user, backend=BACKEND)
    return redirect("customers:home")
