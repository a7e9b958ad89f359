import datetime as dt
import math
import secrets
import string

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from lkk.accounts.backends import axes_username
from lkk.accounts.forms.fields import password_field
from lkk.accounts.services import throttle

#: Failed logins counted in the visitor's session (the captcha appears after a few of them).
LOGIN_FAILURES_SESSION_KEY = "lkk_login_failures"


# --- Captcha ------------------------------------------------------------------------------------


def digits_challenge() -> tuple[str, str]:
    """CAPTCHA_CHALLENGE_FUNCT: digits (seed 002), typed the same on a Russian or Latin layout."""
    code = "".join(secrets.choice(string.digits) for _ in range(captcha_settings.CAPTCHA_LENGTH))
    return code, code


class CaptchaInput(CaptchaTextInput):
    """The captcha image, «Другой код» (app.js asks the refresh endpoint) and the answer."""

    template_name = "accounts/captcha_widget.html"

    def get_context(self, name: str, value: object, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["refresh_url"] = self.refresh_url()
        return context


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label=_("Введите то, что видите на картинке"),
        widget=CaptchaInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Неверный код с картинки. Введите новый код."),
            "required": _("Введите код с картинки."),
        },
    )


def captcha_required(request: HttpRequest, login: str | None = None) -> bool:
    """Whether the login form asks for the captcha: always (LKK_LOGIN_CAPTCHA=always), or after
    LKK_CAPTCHA_AFTER_FAILURES failed logins in this session or for this account from this IP,
    or after LKK_LOGIN_IP_CAPTCHA_AFTER failed logins from this IP whatever the logins.

    Known and unknown logins count alike: the answer never depends on whether an account exists.
    """
    if settings.LKK_LOGIN_CAPTCHA == "always":
        return True
    threshold = settings.LKK_CAPTCHA_AFTER_FAILURES
    if request.session.get(LOGIN_FAILURES_SESSION_KEY, 0) >= threshold:
        return True
    if throttle.login_ip_captcha_required(request):
        return True
    key = axes_username(request, {"username": login})
    if key is None:
        return False
    return AxesProxyHandler.get_failures(request, {"username": key}) >= threshold


# --- Messages -----------------------------------------------------------------------------------


def minutes_text(n: int) -> str:
    """«15 минут», «1 минуту», «2 минуты»: the three Russian forms are in lkk/locale/ru."""
    return ngettext("%(count)d минуту", "%(count)d минут", n) % {"count": n}


def lockout_message() -> str:
    """The lockout's own length (AXES_COOLOFF_TIME, from LKK_LOCKOUT_MINUTES), in minutes."""
    cool_off = get_cool_off() or dt.timedelta(minutes=settings.LKK_LOCKOUT_MINUTES)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    return _(
        "Слишком много неудачных попыток входа. Попробуйте через %(minutes)s "
        "или восстановите пароль."
    ) % {"minutes": minutes_text(minutes)}


def _minutes_left(seconds: int) -> str:
    return minutes_text(max(1, math.ceil(seconds / 60)))


def ip_lockout_message(seconds: int) -> str:
    """The cool-off of an address after too many failed logins from it, whatever the logins."""
    return _(
        "Слишком много неудачных попыток входа с вашего адреса. Попробуйте через %(minutes)s."
    ) % {"minutes": _minutes_left(seconds)}


def password_check_lockout_message(seconds: int) -> str:
    """The current password asked by the profile pages, locked after too many wrong tries."""
    return _("Слишком много попыток ввести текущий пароль. Попробуйте через %(minutes)s.") % {
        "minutes": _minutes_left(seconds)
    }


# --- Login --------------------------------------------------------------------------------------


class LoginForm(AuthenticationForm):
    """Login by login or email; «Запомнить меня» keeps the session after the browser closes.

    The captcha field is added when `captcha_required` says so; a wrong or missing answer stops
    the form before any password is checked. A login locked out by django-axes gets the lockout
    message instead of «Неверный логин или пароль.», and so does every login from an address in
    its cool-off (`throttle`), without any password check.
    """

    username = forms.CharField(
        label=_("Логин или email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = password_field(_("Пароль"), "current-password")
    remember_me = forms.BooleanField(label=_("Запомнить меня"), required=False)

    error_messages = {
        "invalid_login": _("Неверный логин или пароль."),
        "inactive": _("Учётная запись отключена."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: object, **kwargs: object):
        super().__init__(request, *args, **kwargs)
        login = self.data.get("username") if self.is_bound else None
        if request is not None and captcha_required(request, login):
            self.add_captcha()

    def add_captcha(self) -> None:
        if "captcha" not in self.fields:
            self.fields["captcha"] = captcha_field()

    #: Set by `clean`: the password was checked and refused (a failed login).
    password_refused = False
    #: Set by `clean`: this failure started the cool-off of the visitor's address.
    ip_lock_started = False

    @property
    def failed_authentication(self) -> bool:
        """The form got as far as checking the password, and the login was refused."""
        return self.password_refused

    @property
    def ip_locked(self) -> bool:
        """Refused by the cool-off of the visitor's address."""
        codes = {e.code for e in self.errors.as_data().get(forms.forms.NON_FIELD_ERRORS, [])}
        return "ip_locked" in codes

    def clean(self) -> dict:
        ip_locked = throttle.login_ip_locked_seconds(self.request) if self.request else 0
        if ip_locked:
            # Whatever the login and the password: nothing is checked during the cool-off.
            raise ValidationError(ip_lockout_message(ip_locked), code="ip_locked")
        if "captcha" in self.fields and "captcha" not in self.cleaned_data:
            # No password check without the right captcha. The verdict of the last attempt
            # stays on the form beside the captcha, so the visitor knows why it is there; it
            # says nothing of this attempt's password.
            if self.request is not None and self.request.session.get(LOGIN_FAILURES_SESSION_KEY):
                raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
            return self.cleaned_data
        try:
            return super().clean()
        except ValidationError:
            self.password_refused = True
            if self.request is not None and throttle.login_ip_failure_record(self.request):
                self.ip_lock_started = True
                seconds = throttle.login_ip_locked_seconds(self.request)
                raise ValidationError(ip_lockout_message(seconds), code="ip_locked") from None
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(lockout_message(), code="locked") from None
            raise


# --- Second factor (operators and admins) -------------------------------------------------------


class OtpCodeForm(forms.Form):
    """The 6-digit code of an authenticator app (TOTP), checked against one device."""

    code = forms.CharField(
        label=_("Код из приложения"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
    )

    def __init__(self, device: TOTPDevice, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise ValidationError(_("Введите 6 цифр из приложения."), code="format")
        # The device row is locked while it is checked, so that two requests cannot use one
        # code twice; the throttling it records must be committed, so errors are raised after.
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=self.device.pk)
            allowed, _info = device.verify_is_allowed()
            verified = allowed and device.verify_token(code)
        self.device = device
        if not allowed:
            raise ValidationError(
                _("Слишком много неверных кодов. Подождите немного и введите новый код."),
                code="throttled",
            )
        if not verified:
            raise ValidationError(
                _("Неверный код. Введите код, который показывает приложение."), code="invalid_code"
            )
        return code
