"""«Забыли пароль?» (A7): the request, the code (or the link) and the new password.

Which account is being reset lives in the session only (`recovery.SESSION_KEY`), never in the
page. A miss keeps a session state too, so that every page looks the same for it as for a hit.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from lkk.accounts.forms.recovery import RecoveryConfirmForm, RecoveryRequestForm
from lkk.accounts.services import recovery, throttle
from lkk.core.errors import ApplicationError

SENT = gettext_lazy("Если учётная запись найдена, мы отправили код на указанные в ней контакты.")


def _state(request: HttpRequest) -> dict | None:
    return request.session.get(recovery.SESSION_KEY)


def _save(request: HttpRequest, state: dict) -> None:
    request.session[recovery.SESSION_KEY] = state
    request.session.modified = True


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """Step 1: who. The answer is the same page whether or not an account was found."""
    form = RecoveryRequestForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        throttle.recovery_request_record(request)
        target = recovery.recovery_start(
            identifier=form.cleaned_data["identifier"],
            contract_number=form.cleaned_data["contract_number"],
            email=form.cleaned_data["email"],
            request=request,
        )
        _save(request, recovery.state_new(target))
        return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/recovery_request.html", {"form": form})


@never_cache
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: the code and the new password (only the password after a link or a right code)."""
    state = _state(request)
    if state is None:
        return render(request, "accounts/recovery_confirm.html", {"no_request": True})
    verified = recovery.state_verified(state)
    if request.method == "POST" and "resend" in request.POST and not verified:
        return _resend(request, state)
    form = RecoveryConfirmForm(request.POST or None, with_code=not verified)
    if request.method == "POST" and form.is_valid():
        return _complete(request, state, form, verified=verified)
    return _confirm_page(request, state, form)


def _resend(request: HttpRequest, state: dict) -> HttpResponse:
    wait = recovery.state_seconds_until_resend(state)
    if wait:
        form = RecoveryConfirmForm(with_code=True)
        error = _("Новый код можно запросить через %(seconds)d с.") % {"seconds": wait}
        return _confirm_page(request, state, form, resend_error=error)
    recovery.recovery_resend(state=state, request=request)
    _save(request, {**state, "sent_at": timezone.now().timestamp(), "verified_at": None})
    messages.info(request, _("Если учётная запись найдена, мы отправили новый код."))
    return redirect("accounts:password_reset_confirm")


def _complete(
    request: HttpRequest, state: dict, form: RecoveryConfirmForm, *, verified: bool
) -> HttpResponse:
    if not verified:
        try:
            recovery.recovery_code_check(state=state, code=form.cleaned_data["code"])
        except ApplicationError as error:
            _save(request, state)
            form.add_error("code", error.message)
            return _confirm_page(request, state, form)
        _save(request, state)
        # The code is used up: the password step alone from here on.
        form = RecoveryConfirmForm(request.POST, with_code=False)
        form.is_valid()
    return _password_set(request, state, form)


def _password_set(request: HttpRequest, state: dict, form: RecoveryConfirmForm) -> HttpResponse:
    user = get_user_model()._default_manager.filter(pk=state["user"], is_active=True).first()
    if user is None:
        request.session.pop(recovery.SESSION_KEY, None)
        return redirect("accounts:password_reset")
    password = form.cleaned_data["new_password1"]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        form.add_error("new_password1", error)
        return _confirm_page(request, state, form)
    recovery.recovery_password_set(user_id=user.pk, password=password, request=request)
    request.session.pop(recovery.SESSION_KEY, None)
    messages.success(request, _("Пароль изменён. Войдите с новым паролем."))
    return redirect("accounts:login")


def _confirm_page(
    request: HttpRequest, state: dict, form: RecoveryConfirmForm, *, resend_error: str = ""
) -> HttpResponse:
    verified = recovery.state_verified(state)
    return render(
        request,
        "accounts/recovery_confirm.html",
        {
            "form": form,
            "verified": verified,
            "sent_text": SENT,
            "resend_wait": 0 if verified else recovery.state_seconds_until_resend(state),
            "resend_error": resend_error,
            "action": reverse("accounts:password_reset_confirm"),
        },
    )


@never_cache
def password_reset_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link from the email: the new-password form at once.

    Opening the link spends nothing (mail scanners open links too); sending the form does:
    the link is accepted once, then the password is set as after a right code.
    """
    form = RecoveryConfirmForm(request.POST or None, with_code=False)
    if request.method == "POST" and form.is_valid():
        try:
            state = recovery.recovery_link_check(token=token)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            _save(request, state)
            return _password_set(request, state, form)
    return render(
        request,
        "accounts/recovery_confirm.html",
        {
            "form": form,
            "verified": True,
            "link": True,
            "action": request.path,
            "request_url": reverse("accounts:password_reset"),
        },
    )
