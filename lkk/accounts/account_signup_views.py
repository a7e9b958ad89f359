"""«Регистрация пользователя» (seed 003): `/accounts/register/signup/` and its email link."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from lkk.accounts import account_signup, registration
from lkk.accounts.forms import captcha_field
from lkk.accounts.registration_forms import password_field
from lkk.accounts.registration_views import BACKEND
from lkk.core.errors import ApplicationError


class SignupForm(forms.Form):
    """«Регистрация пользователя»."""

    username = forms.CharField(
        label=_lazy("Логин"),
        max_length=150,
        validators=[
            RegexValidator(
                r"^[\w.\-]+\Z",
                _lazy("Логин может содержать только буквы, цифры и знаки . _ -"),
            )
        ],
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(label=_lazy("Адрес электронной почты"), max_length=254)
    phone = forms.CharField(label=_lazy("Номер телефона"), max_length=20, required=False)
    password1 = password_field(_lazy("Пароль"))
    password2 = password_field(_lazy("Подтверждение пароля"))
    consent = forms.BooleanField(
        label=_lazy(
            "Я принимаю условия Пользовательского соглашения и даю согласие на обработку "
            "персональных данных"
        ),
        error_messages={
            "required": _lazy("Без согласия с Пользовательским соглашением регистрация невозможна.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captcha"] = captcha_field()
        self.fields["captcha"].label = _lazy("Код авторизации")
        self.order_fields(
            ["username", "email", "phone", "password1", "password2", "captcha", "consent"]
        )


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    registration.offered_or_404("signup")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            pending = account_signup.signup_clean(
                username=cd["username"],
                email=cd["email"],
                phone=cd["phone"],
                password=cd["password1"],
                password2=cd["password2"],
            )
            account_signup.signup_submit(pending=pending, request=request)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            request.session[account_signup.SESSION_KEY] = pending
            return render(request, "accounts/signup_sent.html", {"email": pending["email"]})
    return render(request, "accounts/signup.html", {"form": form})


def signup_link(request: HttpRequest) -> HttpResponse:
    registration.offered_or_404("signup")
    """The email link (?t=token): creates the account, logs in, opens «Профиль»."""
    token = request.GET.get("t", "")
    try:
        if not token:
            raise ApplicationError(_("Ссылка недействительна. Запросите новую."))
        user = account_signup.signup_link(
            token=token,
            pending=request.session.get(account_signup.SESSION_KEY),
            request=request,
        )
    except ApplicationError as exc:
        return render(request, "accounts/signup_link_error.html", {"message": exc.message})
    login(request, user, backend=BACKEND)
    request.session.pop(account_signup.SESSION_KEY, None)
    messages.success(
        request,
        _(
            "Регистрация завершена. Чтобы видеть свои договоры, привяжите их: "
            "«Привязать договор» в профиле."
        ),
    )
    return redirect("accounts:profile")
