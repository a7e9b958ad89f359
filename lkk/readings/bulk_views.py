"""Bulk submission from an XLSX template (M5) — being written; 404 until then."""

from django.http import Http404, HttpRequest, HttpResponse


def bulk_upload(request: HttpRequest) -> HttpResponse:
    raise Http404


def bulk_template(request: HttpRequest) -> HttpResponse:
    raise Http404


def bulk_result(request: HttpRequest, upload_id: int) -> HttpResponse:
    raise Http404
