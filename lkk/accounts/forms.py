from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Login by login or email; «Запомнить меня» keeps the session after the browser closes."""

    username = forms.CharField(
        label=_("Логин или email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "data-password-toggle": "1"}
        ),
    )
    remember_me = forms.BooleanField(label=_("Запомнить меня"), required=False)

    error_messages = {
        "invalid_login": _("Неверный логин или пароль."),
        "inactive": _("Учётная запись отключена."),
    }
