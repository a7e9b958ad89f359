"""«Профиль» (A11): the pages; the rules are in `lkk.accounts.services.profile`."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lkk.accounts.forms.profile import (
    ContactConfirmForm,
    ContactRequestForm,
    PasswordChangeForm,
    PreferencesForm,
)
from lkk.accounts.services import profile
from lkk.accounts.services.consent import consent_withdraw
from lkk.api.services import token_revoke, tokens_active
from lkk.core.errors import ApplicationError, apply_error
from lkk.customers.models import Counterparty
from lkk.notifications.models import PushSubscription
from lkk.notifications.push import push_enabled

PENDING = "lkk_profile_pending_{kind}"

# --- Pages ---------------------------------------------------------------------------------------


@login_required
def profile_page(request: HttpRequest) -> HttpResponse:
    profile.session_touch(request=request)
    current = request.session.session_key
    sessions = [
        {
            "device": profile.device_of(s.user_agent),
            "ip": s.ip,
            "last_seen": s.last_seen,
            "created_at": s.created_at,
            "current": s.session_key == current,
        }
        for s in profile.sessions_active(request.user)
    ]
    # P1: the mobile app's logins (API tokens) beside the browser sessions.
    tokens = [
        {
            "id": t.pk,
            "device": profile.device_of(t.user_agent),
            "ip": t.ip,
            "last_seen": t.last_used_at,
            "expires_at": t.expires_at,
        }
        for t in tokens_active(request.user)
    ]
    counterparties = Counterparty.objects.visible_to(request.user).order_by("short_name")
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": request.user,
            "counterparties": counterparties,
            "sessions": sessions,
            "tokens": tokens,
            # P2: Web Push opt-in, when the portal has its VAPID keys.
            "push_key": settings.VAPID_PUBLIC_KEY if push_enabled() else "",
            "push_count": PushSubscription.objects.filter(user=request.user).count(),
            "others": sum(1 for s in sessions if not s["current"]),
        },
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        profile.password_change(
            request=request, user=request.user, new_password=form.cleaned_data["new_password1"]
        )
        messages.success(request, _("Пароль изменён. На других устройствах выполнен выход."))
        return redirect("accounts:profile")
    locked = form.is_bound and form.has_error("old_password", "locked")
    return render(
        request, "accounts/profile_password.html", {"form": form}, status=429 if locked else 200
    )


def _contact_change(request: HttpRequest, kind: str) -> HttpResponse:
    key = PENDING.format(kind=kind)
    status = 200
    pending = request.session.get(key)
    step = request.POST.get("step")
    request_form = ContactRequestForm(kind=kind)
    confirm_form = ContactConfirmForm()
    if request.method == "POST" and step == "cancel":
        request.session.pop(key, None)
        return redirect(request.path)
    if request.method == "POST" and step == "confirm" and pending:
        confirm_form = ContactConfirmForm(request.POST)
        if confirm_form.is_valid():
            try:
                profile.contact_change_confirm(
                    kind=kind,
                    user=request.user,
                    new_contact=pending,
                    code=confirm_form.cleaned_data["code"],
                    request=request,
                )
            except ApplicationError as error:
                apply_error(confirm_form, error, "code")
            else:
                request.session.pop(key, None)
                text = (
                    _("Адрес электронной почты изменён.")
                    if kind == profile.EMAIL
                    else _("Номер телефона изменён.")
                )
                messages.success(request, text)
                return redirect("accounts:profile")
    elif request.method == "POST":
        request_form = ContactRequestForm(request.POST, kind=kind)
        if request_form.is_valid():
            try:
                pending = profile.contact_change_request(
                    kind=kind,
                    user=request.user,
                    new_contact=request_form.cleaned_data["contact"],
                    password=request_form.cleaned_data["password"],
                    request=request,
                )
            except ApplicationError as error:
                apply_error(request_form, error, "contact")
                status = 429 if isinstance(error, profile.PasswordCheckLocked) else 200
            else:
                request.session[key] = pending
                messages.info(
                    request,
                    _("Мы отправили код на %(contact)s.")
                    % {"contact": profile.mask_contact(pending)},
                )
                return redirect(request.path)
            pending = None
    return render(
        request,
        "accounts/profile_contact.html",
        {
            "kind": kind,
            "pending": pending,
            "request_form": request_form,
            "confirm_form": confirm_form,
        },
        status=status,
    )


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    return _contact_change(request, profile.EMAIL)


@login_required
def phone_change(request: HttpRequest) -> HttpResponse:
    return _contact_change(request, profile.PHONE)


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=profile.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Настройки уведомлений сохранены."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_notifications.html", {"form": form})


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = profile.sessions_end_others_by_user(request=request)
    messages.success(
        request, _("Выполнен выход на других устройствах: %(count)d.") % {"count": ended}
    )
    return redirect("accounts:profile")


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """«Завершить» beside an app's login in «Активные сеансы»; another's token is a 404."""
    if not token_revoke(request=request, user=request.user, token_id=token_id):
        raise Http404
    messages.success(request, _("Сеанс приложения завершён."))
    return redirect("accounts:profile")


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest) -> HttpResponse:
    consent_withdraw(user=request.user, request=request)
    messages.info(request, _("Согласие на обработку персональных данных отозвано."))
    return redirect("accounts:profile")
