"""Per-meter reading history (M4) — being written; every route answers 404 until then."""

from django.http import Http404, HttpRequest, HttpResponse


def meter_history(request: HttpRequest, meter_id: int) -> HttpResponse:
    raise Http404


def meter_history_export(request: HttpRequest, meter_id: int) -> HttpResponse:
    raise Http404
