"""The agreement's text and the consent page (A8)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from lkk.accounts.forms.consent import ConsentForm
from lkk.accounts.services.consent import agreement_current, consent_record


def agreement(request: HttpRequest) -> HttpResponse:
    current = agreement_current()
    if current is None:
        raise Http404
    return render(request, "accounts/agreement.html", {"agreement": current})


@login_required
def consent(request: HttpRequest) -> HttpResponse:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consent_record(user=request.user, request=request)
        return redirect(target)
    return render(
        request,
        "accounts/consent.html",
        {"form": form, "agreement": agreement_current(), "next": target},
    )
