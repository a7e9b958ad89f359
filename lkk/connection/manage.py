"""The operators' tables of T3 (rates, the fixed fee) and the T2 documents, in the editors of
lkk/content/manage.py."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as N_
from django.views.decorators.http import require_http_methods, require_POST

from lkk.backoffice.decorators import operator_required
from lkk.connection import forms
from lkk.connection.models import ConnectionDocument, FixedFee, Rate
from lkk.content.manage import Editor, editor_delete, editor_form, editor_list
from lkk.content.services import INSTRUCTION_MAX_BYTES, operator_audit
from lkk.core.uploads import uploads_check


def _save(request, form):
    with transaction.atomic():
        obj = form.save()
        operator_audit(request, "connection_saved", obj)
    return obj


@transaction.atomic
def _document_save(request, form) -> ConnectionDocument:
    obj = form.save(commit=False)
    upload = form.cleaned_data.get("upload")
    if upload is not None:
        (checked,) = uploads_check(
            [upload],
            allowed=("application/pdf",),
            max_bytes=INSTRUCTION_MAX_BYTES,
            max_files=1,
            max_total=INSTRUCTION_MAX_BYTES,
            field="upload",
        )
        obj.file, obj.file_name, obj.size = checked.file, checked.name, checked.size
    obj.save()
    operator_audit(request, "connection_document_saved", obj)
    return obj


EDITORS = {
    "rates": Editor(
        "rates",
        Rate,
        forms.RateForm,
        N_("Ставки платы за присоединение"),
        (
            ("__str__", N_("Ставка")),
            ("per_kw", N_("₽/кВт без НДС")),
            ("vat_percent", N_("НДС, %")),
            ("valid_from", N_("Действует с")),
        ),
        save=_save,
    ),
    "fixed": Editor(
        "fixed",
        FixedFee,
        forms.FixedFeeForm,
        N_("Льготная плата (до 15 кВт)"),
        (
            ("amount", N_("Плата без НДС, ₽")),
            ("max_kw", N_("До, кВт")),
            ("valid_from", N_("Действует с")),
        ),
        save=_save,
    ),
    "documents": Editor(
        "documents",
        ConnectionDocument,
        forms.DocumentForm,
        N_("Документы о присоединении"),
        (
            ("get_kind_display", N_("Документ")),
            ("file_name", N_("Файл")),
            ("updated_at", N_("Изменён")),
        ),
        save=_document_save,
    ),
}


def _editor(table: str) -> Editor:
    if table not in EDITORS:
        raise Http404
    return EDITORS[table]


@operator_required
@require_http_methods(["GET"])
def manage_list(request: HttpRequest, table: str) -> HttpResponse:
    return editor_list(request, _editor(table), url_ns="connection")


@operator_required
@require_http_methods(["GET", "POST"])
def manage_create(request: HttpRequest, table: str) -> HttpResponse:
    return editor_form(request, _editor(table), None, url_ns="connection")


@operator_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, table: str, pk: int) -> HttpResponse:
    return editor_form(request, _editor(table), pk, url_ns="connection")


@operator_required
@require_POST
def manage_delete(request: HttpRequest, table: str, pk: int) -> HttpResponse:
    return editor_delete(request, _editor(table), pk, url_ns="connection")
