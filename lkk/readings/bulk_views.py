"""«Загрузка показаний из файла» (M5): the template, the upload and its result. Thin views:
`lkk.readings.bulk` reads, judges and records."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lkk.core.errors import ApplicationError
from lkk.core.params import param_id, param_page
from lkk.customers.access import get_object_for_user
from lkk.customers.models import Contract, Counterparty
from lkk.readings import bulk, services
from lkk.readings.models import BulkUpload

#: Rejected rows per page of the result.
REJECTED_PAGE = 100


#: What the file chooser offers.
XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BulkUploadForm(forms.Form):
    """The file, the counterparty it is for, and the one-time token of this form."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    counterparty = forms.ModelChoiceField(
        queryset=Counterparty.objects.none(), widget=forms.HiddenInput
    )
    file = forms.FileField(
        label=gettext_lazy("Файл с показаниями (.xlsx)"),
        widget=forms.FileInput(attrs={"accept": XLSX_ACCEPT}),
        error_messages={
            "required": gettext_lazy("Выберите файл .xlsx с показаниями."),
            "empty": gettext_lazy("Файл пустой."),
            "invalid": gettext_lazy("Выберите файл .xlsx с показаниями."),
            "missing": gettext_lazy("Выберите файл .xlsx с показаниями."),
        },
    )

    def __init__(self, *args: object, user, **kwargs: object) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = Counterparty.objects.visible_to(user)
        stale = _("Форма устарела. Откройте её заново.")
        self.fields["token"].error_messages.update(invalid=stale, required=stale)
        self.fields["counterparty"].error_messages.update(invalid_choice=stale, required=stale)


def _scope(request: HttpRequest, counterparties: list[Counterparty] | None = None):
    """(counterparty, contract) the page is for: `?contract=`, `?counterparty=` or the first
    visible one; someone else's ID is a 404."""
    contract = None
    if (contract_id := param_id(request.GET, "contract")) is not None:
        contract = get_object_for_user(
            Contract.objects.select_related("counterparty"),
            request.user,
            pk=contract_id,
        )
        return contract.counterparty, contract
    wanted = param_id(request.GET, "counterparty")
    if counterparties is None:
        if wanted is not None:
            return get_object_for_user(Counterparty, request.user, pk=wanted), None
        return Counterparty.objects.visible_to(request.user).order_by("short_name").first(), None
    if wanted is not None:
        chosen = next((c for c in counterparties if c.pk == wanted), None)
        if chosen is None:
            raise Http404
        return chosen, None
    return (counterparties[0] if counterparties else None), None


@login_required
@never_cache
def bulk_upload(request: HttpRequest) -> HttpResponse:
    counterparties = list(Counterparty.objects.visible_to(request.user).order_by("short_name"))
    counterparty, contract = _scope(request, counterparties)
    if request.method == "POST":
        form = BulkUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record, created = bulk.upload_process(
                    user=request.user,
                    counterparty=form.cleaned_data["counterparty"],
                    token=form.cleaned_data["token"],
                    upload=upload,
                    file_name=upload.name,
                    size=upload.size,
                )
            except ApplicationError as error:
                form.add_error(error.field, error.message)
            else:
                if not created:
                    messages.info(request, _("Этот файл уже загружен: вот результат загрузки."))
                return redirect("readings:bulk_result", upload_id=record.pk)
        counterparty = form.cleaned_data.get("counterparty") or counterparty
    else:
        form = BulkUploadForm(user=request.user, initial={"counterparty": counterparty})
    window = services.reading_window()
    today = timezone.localdate()
    return render(
        request,
        "readings/bulk_upload.html",
        {
            "form": form,
            "counterparties": counterparties,
            "counterparty": counterparty,
            "contract": contract,
            "window_open": window.is_open(today),
            "window_message": "" if window.is_open(today) else window.closed_message(today),
            "max_rows": bulk.MAX_ROWS,
            "max_bytes": settings.LKK_UPLOAD_MAX_BYTES,
        },
    )


@login_required
@require_GET
def bulk_template(request: HttpRequest) -> HttpResponse:
    counterparty, contract = _scope(request)
    if counterparty is None:
        raise Http404
    template = bulk.template_build(user=request.user, counterparty=counterparty, contract=contract)
    response = HttpResponse(template.content, content_type=bulk.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=template.file_name
    )
    add_never_cache_headers(response)
    return response


@login_required
def bulk_result(request: HttpRequest, upload_id: int) -> HttpResponse:
    record = get_object_for_user(
        BulkUpload.objects.select_related("counterparty", "submission"),
        request.user,
        pk=upload_id,
    )
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    page = Paginator(record.rejected_rows, REJECTED_PAGE).get_page(param_page(request.GET))
    return render(request, "readings/bulk_result.html", {"upload": record, "page_obj": page})
