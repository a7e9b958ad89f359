from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from lkk.accounts.backends import account_for, typed_identifier
from lkk.accounts.forms.auth import (
    LOGIN_FAILURES_SESSION_KEY,
    LoginForm,
    OtpCodeForm,
    captcha_required,
    lockout_message,
)
from lkk.accounts.middleware import is_verified, needs_second_factor, url_with_next
from lkk.accounts.services import throttle
from lkk.accounts.services.consent import consent_check_at_login
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record
from lkk.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

# --- Login --------------------------------------------------------------------------------------


def landing_url(user: object) -> str:
    """Where a login without `next` leads: operators and admins to the back office."""
    if getattr(user, "is_staff", False):
        return reverse("backoffice:home")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Tells `lockout_response` that this page shows the lockout message itself.
        request.lkk_login_page = True
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            context["demo_logins"] = [
                {"login": login, "password": DEMO_PASSWORD, "role": role}
                for login, role in DEMO_ACCOUNTS
            ]
        return context

    def form_valid(self, form: LoginForm) -> HttpResponse:
        # Axes forgets the failures of the account from this address (one count per account,
        # whichever of its login or email was typed). The address's own count of failures
        # stays: a success with one account does not reset what was tried against others.
        response = super().form_valid(form)
        self.request.session.pop(LOGIN_FAILURES_SESSION_KEY, None)
        if not form.cleaned_data.get("remember_me"):
            # Without «Запомнить меня» the session ends with the browser.
            self.request.session.set_expiry(0)
        consent_check_at_login(request=self.request, user=form.get_user())
        if needs_second_factor(form.get_user()):
            return redirect(url_with_next("accounts:otp_verify", response.url))
        return response

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        request = self.request
        login_refused_audit(request, form)
        if form.failed_authentication:
            session = request.session
            session[LOGIN_FAILURES_SESSION_KEY] = session.get(LOGIN_FAILURES_SESSION_KEY, 0) + 1
            if captcha_required(request, form.data.get("username")):
                form.add_captcha()
        response = super().form_invalid(form)
        if form.ip_locked:
            response.status_code = 429
        return response


def login_refused_audit(request: HttpRequest, form: LoginForm) -> None:
    """What the audit log needs of a refused login beyond axes' and Django's own records (the
    site's form and the API's token endpoint both call it)."""
    if form.ip_lock_started:
        audit_record(
            kind=AuditEvent.Kind.LOCKOUT,
            request=request,
            details={"scope": "ip", "failures": throttle.login_ip_failures(request)},
        )
    elif form.ip_locked:
        # An attempt refused during the address's cool-off: no password was checked, so
        # neither Django nor axes has recorded it.
        typed = typed_identifier(form.data.get("username"))
        audit_record(
            kind=AuditEvent.Kind.LOGIN_FAILED,
            request=request,
            user=account_for(typed),
            details={"login": typed, "locked": True, "scope": "ip"},
        )


class LogoutView(auth_views.LogoutView):
    """POST logs out (CSRF-protected); a GET (a bookmarked or typed link) shows the page with
    the «Выйти» button instead of an empty 405, and changes nothing."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return render(request, "accounts/logout.html")


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page keeps its own answer (the form with the lockout
    message), marked 429; a lockout anywhere else gets a page with the same message."""
    if getattr(request, "lkk_login_page", False) and isinstance(original_response, HttpResponse):
        original_response.status_code = 429
        return original_response
    return render(request, "accounts/locked.html", {"message": lockout_message()}, status=429)


# --- Second factor ------------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return landing_url(request.user)


@method_decorator(never_cache, name="dispatch")
class _SecondFactorStep(FormView):
    """A step between the password and the portal; only for a staff user not yet verified."""

    form_class = OtpCodeForm
    step = ""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not needs_second_factor(request.user) or is_verified(request.user):
            return HttpResponseRedirect(_next_url(request))
        redirect_response = self.prepare(request)
        if redirect_response is not None:
            return redirect_response
        return super().dispatch(request, *args, **kwargs)

    def prepare(self, request: HttpRequest) -> HttpResponse | None:
        raise NotImplementedError

    def get_form_kwargs(self) -> dict[str, object]:
        return {**super().get_form_kwargs(), "device": self.device}

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return {**super().get_context_data(**kwargs), "next": _next_url(self.request)}

    def complete(self, form: OtpCodeForm) -> HttpResponse:
        otp_login(self.request, form.device)
        # A new session key once the session may reach the back office.
        self.request.session.cycle_key()
        return HttpResponseRedirect(_next_url(self.request))

    def form_invalid(self, form: OtpCodeForm) -> HttpResponse:
        reasons = [error.code for error in form.errors.as_data().get("code", [])]
        audit_record(
            kind=AuditEvent.Kind.OTP_FAILED,
            request=self.request,
            user=self.request.user,
            details={"step": self.step, "reason": reasons[0] if reasons else "invalid"},
        )
        return super().form_invalid(form)


class OtpVerifyView(_SecondFactorStep):
    """«Код из приложения»: the TOTP code of the staff user's confirmed device."""

    template_name = "accounts/otp_verify.html"
    step = "verify"

    def prepare(self, request: HttpRequest) -> HttpResponse | None:
        self.device = (
            TOTPDevice.objects.devices_for_user(request.user, confirmed=True).order_by("pk").first()
        )
        if self.device is None:
            return redirect(url_with_next("accounts:otp_setup", _next_url(request)))
        return None

    def form_valid(self, form: OtpCodeForm) -> HttpResponse:
        return self.complete(form)


class OtpSetupView(_SecondFactorStep):
    """First login of an operator or admin: a new TOTP secret (QR code and text), confirmed by
    the first code the app shows. Not offered once a device is confirmed: then the code step."""

    template_name = "accounts/otp_setup.html"
    step = "setup"
    DEVICE_NAME = "authenticator"

    def prepare(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            return redirect(url_with_next("accounts:otp_verify", _next_url(request)))
        # The same secret until it is confirmed, so that a reload does not void a scanned QR.
        self.device = (
            TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
        ) or TOTPDevice.objects.create(user=user, name=self.DEVICE_NAME, confirmed=False)
        return None

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        secret = b32encode(self.device.bin_key).decode().rstrip("=")
        context["qr_data_uri"] = segno.make(self.device.config_url, error="m").svg_data_uri(
            scale=4, border=2
        )
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        return context

    def form_valid(self, form: OtpCodeForm) -> HttpResponse:
        device = form.device
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.devices_for_user(self.request.user, confirmed=False).delete()
        audit_record(
            kind=AuditEvent.Kind.OTP_ENROLLED,
            request=self.request,
            user=self.request.user,
            details={"device": "totp"},
        )
        return self.complete(form)


class AdminSite(OTPAdminSite):
    """The back office: only staff verified by a TOTP device pass `has_permission`
    (django-otp), and its login is the portal's own page (captcha, lockout, audit, then the
    code step) rather than a second password form."""

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return redirect(next_url)
        if request.user.is_authenticated:
            raise PermissionDenied  # a customer, or an inactive or unverified account
        return redirect_to_login(next_url, reverse("accounts:login"))
