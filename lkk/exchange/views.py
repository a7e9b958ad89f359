"""The exchange API for billing (machine to machine, a per-system bearer token; no customer or
operator session counts) and the operators' read-only pages of import runs."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from lkk.backoffice.decorators import operator_required
from lkk.core.params import param_page
from lkk.exchange import services
from lkk.exchange.models import Channel, ExportBatch, ImportBatch
from lkk.exchange.spec import ENTITIES


def _system(request: HttpRequest) -> str | bool | None:
    """The system whose token the request carries: its name; None without a token; False for
    a wrong one. Compared in constant time against every configured token."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    found: str | bool = False
    for name, expected in settings.LKK_EXCHANGE_TOKENS.items():
        if hmac.compare_digest(token.strip().encode(), expected.encode()):
            found = name
    return found


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="lkk-exchange"'
    return response


def machine_only(view):
    """Billing's token or nothing: cookies (a customer's or an operator's session) do not count,
    so the API needs no CSRF token either."""

    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        system = _system(request)
        if system is None:
            return _error(401, _("Нужен токен системы обмена: заголовок Authorization: Bearer …"))
        if system is False:
            return _error(403, _("Токен системы обмена не подходит."))
        request.exchange_system = system
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _read_body(request: HttpRequest) -> bytes | JsonResponse:
    """The body, refused above LKK_EXCHANGE_MAX_BYTES before it is read into memory."""
    limit = settings.LKK_EXCHANGE_MAX_BYTES
    too_big = _error(413, _("Тело запроса больше %(size)s: разделите данные на части.")
                     % {"size": filesizeformat(limit)})  # fmt: skip
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return too_big
    body = request.read(limit + 1)
    if len(body) > limit:
        return too_big
    return body


@machine_only
@require_http_methods(["POST"])
def import_entity(request: HttpRequest, entity: str) -> HttpResponse:
    """POST /exchange/v1/import/<entity>/: one entity's rows (CSV, JSON or a zip with files/);
    the answer is the batch's report. 200 even with rejected rows; 400 if the file is refused."""
    if entity not in ENTITIES:
        return _error(404, _("Неизвестные данные «%(entity)s».") % {"entity": entity[:40]})
    body = _read_body(request)
    if isinstance(body, HttpResponse):
        return body
    batch = services.import_body(
        entity, body, request.content_type or "", system=request.exchange_system
    )
    return _json(batch.report(), status=400 if batch.error else 200)


@machine_only
@require_http_methods(["GET"])
def export_source(request: HttpRequest, source: str) -> HttpResponse:
    """GET /exchange/v1/export/<source>/: a new batch of the rows waiting for billing (those
    not acknowledged yet included)."""
    if source not in services.EXPORT_SOURCES:
        return _error(404, _("Неизвестная выгрузка «%(source)s».") % {"source": source[:40]})
    batch = services.export_batch(source, channel=Channel.API, system=request.exchange_system)
    return _json(
        {"batch": batch.pk, "source": source, "count": batch.rows_count,
         "rows": services.batch_rows(batch)}
    )  # fmt: skip


@machine_only
@require_http_methods(["POST"])
def export_ack(request: HttpRequest, batch_id: int) -> HttpResponse:
    """POST /exchange/v1/export/<batch>/ack/ with {"ids": [...]} (or {"all": true}): billing
    took these rows; they are never exported again."""
    batch = ExportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return _error(404, _("Выгрузка не найдена."))
    body = _read_body(request)
    if isinstance(body, HttpResponse):
        return body
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        return _error(400, _('Нужен JSON: {"ids": [1, 2, 3]}.'))
    ids = data.get("ids") if isinstance(data, dict) else None
    if isinstance(data, dict) and data.get("all") is True and ids is None:
        wanted = None
    elif isinstance(ids, list) and all(
        isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in ids
    ):
        wanted = ids
    else:
        return _error(400, _('Нужен JSON: {"ids": [1, 2, 3]} — ID строк выгрузки.'))
    return _json(services.ack(batch, wanted).report(batch))


# --- back office ------------------------------------------------------------------------------


@operator_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(ImportBatch.objects.select_related("started_by"), 50).get_page(
        param_page(request.GET) or 1
    )
    return render(request, "exchange/batch_list.html", {"page": page})


@operator_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("started_by"), pk=pk)
    return render(request, "exchange/batch_detail.html", {"batch": batch})
