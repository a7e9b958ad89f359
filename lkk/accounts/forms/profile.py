"""Forms of «Профиль» (A11): password, contacts, notification preferences."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lkk.accounts.forms.fields import password_field
from lkk.accounts.models import NotificationPreferences
from lkk.accounts.services import profile
from lkk.core.errors import ApplicationError

# --- Forms ---------------------------------------------------------------------------------------


class PasswordChangeForm(forms.Form):
    old_password = password_field(
        gettext_lazy("Текущий пароль"),
        "current-password",
        required_message=gettext_lazy("Заполните это поле."),
    )
    new_password1 = password_field(
        gettext_lazy("Новый пароль"),
        "new-password",
        required_message=gettext_lazy("Заполните это поле."),
    )
    new_password2 = password_field(
        gettext_lazy("Новый пароль ещё раз"),
        "new-password",
        required_message=gettext_lazy("Заполните это поле."),
    )

    def __init__(self, *args: object, user, request: HttpRequest | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        try:
            profile.password_check(
                request=self.request,
                user=self.user,
                password=value,
                form="password_change",
                wrong_message=_("Текущий пароль введён неверно."),
            )
        except profile.PasswordCheckLocked as error:
            raise forms.ValidationError(error.message, code="locked") from None
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code="invalid") from None
        return value

    def clean_new_password2(self) -> str:
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data["new_password2"]
        if first and first != second:
            raise forms.ValidationError(_("Пароли не совпадают."))
        password_validation.validate_password(second, self.user)
        return second


class ContactRequestForm(forms.Form):
    contact = forms.CharField(max_length=254)
    password = password_field(
        gettext_lazy("Текущий пароль"),
        "current-password",
        required_message=gettext_lazy("Заполните это поле."),
    )

    def __init__(self, *args: object, kind: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contact"]
        field.error_messages["required"] = _("Заполните это поле.")
        if kind == profile.EMAIL:
            field.label = _("Новый адрес электронной почты")
            field.widget = forms.EmailInput(attrs={"autocomplete": "email"})
        else:
            field.label = _("Новый номер телефона")
            field.widget = forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})


class ContactConfirmForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Код из сообщения"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": gettext_lazy("Введите код.")},
    )


class PreferencesForm(forms.ModelForm):
    """What the user wants by email and by SMS, per topic (A11, N1): reading reminders,
    application statuses, planned outages and news. Notices in the portal come always."""

    class Meta:
        model = NotificationPreferences
        fields = [
            "readings_email",
            "readings_sms",
            "applications_email",
            "applications_sms",
            "outages_email",
            "outages_sms",
            "news_email",
            "news_sms",
        ]
