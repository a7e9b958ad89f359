"""The operators' side of S3: outages entered by hand or imported from CSV."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lkk.backoffice.decorators import operator_required
from lkk.core.errors import ApplicationError, apply_error
from lkk.core.params import param_page
from lkk.outages import services
from lkk.outages.forms import ImportForm, OutageForm
from lkk.outages.models import Outage


@operator_required
def manage(request: HttpRequest) -> HttpResponse:
    """Every outage, published or not, newest first."""
    rows = Outage.objects.order_by("-starts_at", "-pk")
    page = Paginator(rows, settings.LKK_PAGE_SIZE).get_page(param_page(request.GET))
    return render(request, "outages/manage.html", {"page_obj": page})


def _edit(request: HttpRequest, outage: Outage | None) -> HttpResponse:
    form = OutageForm(request.POST or None, instance=outage)
    if request.method == "POST" and form.is_valid():
        try:
            services.outage_save(
                actor=request.user, data=form.cleaned_data, outage=outage, request=request
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Отключение сохранено."))
            return redirect("outages:manage")
    return render(request, "outages/edit.html", {"form": form, "outage": outage})


@operator_required
def outage_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@operator_required
def outage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outage = Outage.objects.filter(pk=pk).first()
    if outage is None:
        raise Http404
    return _edit(request, outage)


@operator_required
def outage_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.LKK_UPLOAD_MAX_BYTES:
            form.add_error("file", _("Файл слишком большой."))
        else:
            try:
                result = services.outages_import(
                    actor=request.user,
                    data=upload.read(),
                    publish=form.cleaned_data["publish"],
                    request=request,
                )
            except ApplicationError as error:
                apply_error(form, error)
    return render(request, "outages/import.html", {"form": form, "result": result})


@operator_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        services.csv_template().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="outages-template.csv"'
    return response
