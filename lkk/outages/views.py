"""«Плановые отключения»: the public search (S3) and a customer's subscriptions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lkk.core.errors import ApplicationError, apply_error
from lkk.core.params import param_page
from lkk.customers.access import get_object_for_user
from lkk.outages import selectors, services
from lkk.outages.forms import SearchForm, SubscriptionForm
from lkk.outages.models import Subscription


def outage_list(request: HttpRequest) -> HttpResponse:
    """Open to anyone: outages by address and dates, a page at a time (a count and a page)."""
    form = SearchForm(request.GET)
    form.is_valid()  # what is invalid is shown on its field and left out of the search
    found = {k: v for k, v in form.cleaned_data.items() if v}
    outages = selectors.outages_search(**found)
    page = Paginator(outages, settings.LKK_PAGE_SIZE).get_page(param_page(request.GET))
    return render(
        request,
        "outages/list.html",
        {"form": form, "page_obj": page, "searched": bool(found)},
    )


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    """The user's addresses for notices of outages; add one, or those of his objects."""
    form = SubscriptionForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        if request.POST.get("action") == "objects":
            added = services.subscriptions_of_my_objects(user=request.user)
            if added:
                messages.success(request, _("Добавлено адресов: %(n)s.") % {"n": added})
            else:
                messages.info(request, _("Новых адресов объектов потребления нет."))
            return redirect("outages:subscriptions")
        if form.is_valid():
            try:
                services.subscription_add(user=request.user, **form.cleaned_data)
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Подписка оформлена."))
                return redirect("outages:subscriptions")
    rows = Subscription.objects.visible_to(request.user)
    page = Paginator(rows, settings.LKK_PAGE_SIZE).get_page(param_page(request.GET))
    return render(request, "outages/subscriptions.html", {"form": form, "page_obj": page})


@login_required
@require_POST
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_object_for_user(Subscription, request.user, pk=subscription_id)
    services.subscription_delete(user=request.user, subscription=subscription)
    messages.success(request, _("Подписка удалена."))
    return redirect("outages:subscriptions")
