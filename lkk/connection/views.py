"""T3 «Калькулятор стоимости присоединения» and the T2 documents: open to any visitor."""

from __future__ import annotations

from decimal import Decimal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from lkk.connection.forms import CalculatorForm
from lkk.connection.models import ConnectionDocument
from lkk.connection.services import connection_cost
from lkk.core.errors import ApplicationError, apply_error

FIELDS = ("purpose", "power_kw", "previous_kw", "voltage", "category")


@require_http_methods(["GET"])
def calculator(request: HttpRequest) -> HttpResponse:
    """A GET form: the result has an address to share, and nothing is stored."""
    bound = any(name in request.GET for name in FIELDS)
    form = CalculatorForm(request.GET if bound else None)
    cost = None
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            cost = connection_cost(
                power_kw=data["power_kw"],
                purpose=data["purpose"],
                voltage=data["voltage"],
                category=data["category"],
                previous_kw=data.get("previous_kw") or Decimal("0"),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
    documents = ConnectionDocument.objects.defer("file")
    return render(
        request, "connection/calculator.html", {"form": form, "cost": cost, "documents": documents}
    )


@require_http_methods(["GET"])
def document(request: HttpRequest, document: str) -> HttpResponse:
    found = get_object_or_404(ConnectionDocument, kind=document)
    if not found.file:
        raise Http404
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.file_name or f"{found.kind}.pdf",
        content_type="application/pdf",
    )
