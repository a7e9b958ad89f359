"""O1: the operators' queue of registration requests (A5 `moderated`)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lkk.accounts import moderation, steps
from lkk.accounts.models import RegistrationRequest
from lkk.accounts.views import is_verified
from lkk.core.errors import ApplicationError
from lkk.core.params import param_ids


def operator_required(view):
    """Staff with the second factor; a visitor goes to the login, a customer gets 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_staff and is_verified(user)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@operator_required
def queue(request: HttpRequest) -> HttpResponse:
    pending = RegistrationRequest.objects.filter(
        state=RegistrationRequest.State.PENDING
    ).select_related("counterparty")
    return render(request, "accounts/moderation_queue.html", {"requests": pending})


@operator_required
@require_http_methods(["GET"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(RegistrationRequest.objects.select_related("counterparty"), pk=pk)
    contracts = moderation.matched_contracts(req)
    found = steps.numbers_found(req.counterparty, req.contract_numbers)
    entered = [(n, n in found) for n in req.contract_numbers]
    entered_lower = {n.lower() for n in req.contract_numbers}
    return render(
        request,
        "accounts/moderation_detail.html",
        {
            "req": req,
            "contracts": [(c, c.number.lower() in entered_lower) for c in contracts],
            "entered": entered,
        },
    )


@operator_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(RegistrationRequest, pk=pk)
    try:
        if request.POST.get("action") == "reject":
            moderation.request_reject(
                pk=req.pk,
                operator=request.user,
                reason=request.POST.get("reason", ""),
                request=request,
            )
            messages.success(request, _("Заявка отклонена."))
        else:
            ids = None
            if request.POST.get("scope") == "some":
                ids = param_ids(request.POST, "contracts")
            moderation.request_approve(
                pk=req.pk, operator=request.user, contract_ids=ids, request=request
            )
            messages.success(request, _("Заявка одобрена."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:moderation_detail", pk=req.pk)
    return redirect("backoffice:moderation_queue")
