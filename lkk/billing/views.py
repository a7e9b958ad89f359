"""«Финансы» (B1) and «Документы» (B2): a contract's money, its files, the payment QR code."""

from __future__ import annotations

import csv
import io
import os
import re
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lkk.billing import payment, selectors
from lkk.billing import rows as document_rows
from lkk.billing.models import Document, Zone
from lkk.billing.words import rubles_in_words
from lkk.core.lists import SearchSortListView
from lkk.core.params import param_choice, param_date, param_id
from lkk.customers.access import get_object_for_user
from lkk.customers.models import Contract

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _read_only(request: HttpRequest) -> HttpResponse | None:
    """Called after the object was found (another customer's object is a 404 first)."""
    if request.method in ("GET", "HEAD"):
        return None
    return HttpResponseNotAllowed(["GET", "HEAD"])


def _safe(text: str) -> str:
    return SAFE_FILENAME.sub("_", text).strip("._") or "file"


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _contract(request: HttpRequest, contract_id: int) -> Contract:
    return get_object_for_user(
        Contract.objects.select_related("counterparty"), request.user, pk=contract_id
    )


# --- «Финансы»: the list of contracts -----------------------------------------------------


class FinanceIndex(SearchSortListView):
    """Every visible contract with its balance: the way into a contract's «Финансы»."""

    template_name = "billing/finance_index.html"
    heading = gettext_lazy("Финансы")
    search_placeholder = gettext_lazy("Номер договора или контрагент")
    search_fields = ("number", "counterparty__short_name")
    sort_fields = {"number": "number", "balance": "balance"}
    default_sort = "number"
    columns = (
        ("number", gettext_lazy("Договор")),
        ("", gettext_lazy("Контрагент")),
        ("balance", gettext_lazy("Сальдо, ₽")),
        ("", gettext_lazy("Сальдо на дату")),
    )

    def get_base_queryset(self) -> QuerySet:
        return Contract.objects.visible_to(self.request.user).select_related("counterparty")


# --- A contract's «Финансы» ---------------------------------------------------------------


def _finance_data(request: HttpRequest, contract: Contract) -> dict[str, object]:
    period = selectors.Period.from_params(request.GET)
    user = request.user
    charges = selectors.charges_of(user, [contract.pk], period)
    rows, zones, totals = selectors.charge_rows(charges)
    payments = list(selectors.payments_of(user, [contract.pk], period))
    paid = sum((p.amount for p in payments), Decimal(0))
    return {
        "contract": contract,
        "period": period,
        "rows": rows,
        "zones": zones,
        "zone_labels": selectors.zone_labels(zones),
        "totals": totals,
        "payments": payments,
        "paid": paid,
    }


@login_required
def contract_finance(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract(request, contract_id)
    if refused := _read_only(request):
        return refused
    context = _finance_data(request, contract)
    context["chart"] = selectors.chart_of(request.user, contract)
    if contract.debt > 0:
        context["qr_purpose"] = payment.contract_purpose(contract)
    return render(request, "billing/contract_finance.html", context)


def _export_headers(zone_labels: list[str]) -> list[str]:
    return [
        _("Договор"),
        _("Период"),
        *[_("%(zone)s, кВт·ч") % {"zone": z} for z in zone_labels],
        _("Всего, кВт·ч"),
        _("Сумма с НДС, ₽"),
        _("В т. ч. НДС, ₽"),
    ]


def _export_rows(data: dict) -> list[list[object]]:
    rows = []
    for row in data["rows"]:
        charge = row["charge"]
        rows.append(
            [
                charge.contract.number,
                f"{charge.period:%m.%Y}",
                *row["zone_values"],
                charge.kwh,
                charge.amount,
                row["vat"],
            ]
        )
    return rows


def _payment_rows(data: dict) -> list[list[object]]:
    return [[p.paid_on, p.document_number, p.purpose, p.amount] for p in data["payments"]]


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _finance_csv(data: dict) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Начисления")])
    writer.writerow(_export_headers(data["zone_labels"]))
    for row in _export_rows(data):
        writer.writerow([_csv_cell(v) for v in row])
    totals = data["totals"]
    zone_totals = [totals.zones.get(z) for z in data["zones"]]
    writer.writerow([_csv_cell(v) for v in (_("Итого"), "", *zone_totals, totals.kwh,
                                            totals.amount, totals.vat)])  # fmt: skip
    writer.writerow([])
    writer.writerow([_("Платежи")])
    writer.writerow([_("Дата"), _("Документ"), _("Назначение"), _("Сумма, ₽")])
    for row in _payment_rows(data):
        writer.writerow([_csv_cell(v) for v in row])
    writer.writerow([_csv_cell(v) for v in (_("Итого"), "", "", data["paid"])])
    return buffer.getvalue().encode("utf-8")


def xlsx_book(
    sheets: list[tuple[str, list[str], list[list[object]], list[object] | None]],
) -> bytes:
    """An XLSX of sheets (title, headers, rows, totals row or None), numbers as numbers."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
    date = book.add_format({"num_format": "dd.mm.yyyy"})
    for title, headers, rows, total in sheets:
        sheet = book.add_worksheet(title[:31])
        sheet.write_row(0, 0, headers, bold)
        sheet.set_column(0, len(headers) - 1, 16)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate([*rows, *([total] if total else [])], start=1):
            is_total = total is not None and r == len(rows) + 1
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, value, money_bold if is_total else money)
                elif hasattr(value, "strftime"):
                    sheet.write_datetime(r, c, value, date)
                elif value is None:
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write_string(r, c, str(value), bold if is_total else None)
    book.close()
    return buffer.getvalue()


def _finance_xlsx(data: dict) -> bytes:
    totals = data["totals"]
    zone_totals = [totals.zones.get(z) for z in data["zones"]]
    return xlsx_book(
        [
            (
                _("Начисления"),
                _export_headers(data["zone_labels"]),
                _export_rows(data),
                [_("Итого"), "", *zone_totals, totals.kwh, totals.amount, totals.vat],
            ),
            (
                _("Платежи"),
                [_("Дата"), _("Документ"), _("Назначение"), _("Сумма, ₽")],
                _payment_rows(data),
                [_("Итого"), "", "", data["paid"]],
            ),
        ]
    )


FINANCE_EXPORTS = {
    "csv": ("text/csv; charset=utf-8", _finance_csv),
    "xlsx": (XLSX_TYPE, _finance_xlsx),
}


@login_required
def contract_finance_export(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The page's charges and payments for its period: `?format=csv` (default) or `xlsx`."""
    contract = _contract(request, contract_id)
    if refused := _read_only(request):
        return refused
    kind = param_choice(request.GET, "format", FINANCE_EXPORTS, default="csv")
    if kind is None:
        raise Http404
    data = _finance_data(request, contract)
    content_type, build = FINANCE_EXPORTS[kind]
    period = data["period"]
    name = f"finance-{_safe(contract.number)}-{period.start:%Y%m}-{period.end:%Y%m}.{kind}"
    return _attachment(build(data), content_type, name)


@login_required
def contract_payment_qr(request: HttpRequest, contract_id: int) -> HttpResponse:
    """«Оплатить»: the GOST R 56042-2014 QR code of the contract's current debt, as SVG."""
    contract = _contract(request, contract_id)
    if refused := _read_only(request):
        return refused
    if contract.debt <= 0:
        raise Http404
    payload = payment.qr_payload(contract.debt, payment.contract_purpose(contract))
    response = HttpResponse(payment.qr_svg(payload, _("QR-код для оплаты")), "image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


# --- «Документы» --------------------------------------------------------------------------


class DocumentList(SearchSortListView):
    """B2: the documents of every visible contract, or of one (`?contract=`), by kind and
    period (`?kind=`, `?from=`, `?to=` by the document's date)."""

    template_name = "billing/document_list.html"
    rows_html = staticmethod(document_rows.documents)
    row_fields = ("kind", "number", "issued_on", "period", "contract_id", "contract__number",
                  "amount", "file")  # fmt: skip
    heading = gettext_lazy("Документы")
    search_placeholder = gettext_lazy("Номер документа или договора")
    search_fields = ("number", "contract__number")
    sort_fields = {"date": "issued_on", "number": "number", "amount": "amount"}
    default_sort = "-date"
    columns = (
        ("", gettext_lazy("Вид")),
        ("number", gettext_lazy("Номер")),
        ("date", gettext_lazy("Дата")),
        ("", gettext_lazy("Период")),
        ("", gettext_lazy("Договор")),
        ("amount", gettext_lazy("Сумма, ₽")),
        ("", gettext_lazy("Файл")),
    )

    def get_base_queryset(self) -> QuerySet:
        params = self.request.GET
        qs = selectors.document_queryset(self.request.user).select_related("contract")
        kind = param_choice(params, "kind", Document.Kind.values)
        if kind:
            qs = qs.filter(kind=kind)
        contract = param_id(params, "contract")
        if contract is not None:
            qs = qs.filter(contract_id=contract)
        start, end = param_date(params, "from"), param_date(params, "to")
        if start:
            qs = qs.filter(issued_on__gte=start)
        if end:
            qs = qs.filter(issued_on__lte=end)
        return qs

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        context["kinds"] = Document.Kind.choices
        context["kind"] = param_choice(params, "kind", Document.Kind.values) or ""
        context["date_from"] = param_date(params, "from")
        context["date_to"] = param_date(params, "to")
        context["contract_id"] = param_id(params, "contract")
        return context


def document_lines(user, document: Document) -> tuple[list[dict], Decimal, Decimal]:
    """The lines of a rendered document and its totals without VAT and of VAT. The charge's
    zone lines when they add up to the document's amount, else one line of the whole amount."""
    charge = selectors.charge_of_document(user, document)
    lines = list(charge.lines.all()) if charge else []
    month = f"{document.period:%m.%Y}" if document.period else ""
    zone_names = dict(Zone.choices)
    if lines and sum(line.amount for line in lines) == document.amount:
        rows = [
            {
                "name": _("Электрическая энергия (%(zone)s) за %(month)s")
                % {"zone": zone_names[line.zone], "month": month},
                "qty": line.kwh,
                "unit": _("кВт·ч"),
                "price": line.price,
                "net": line.amount - line.vat_amount,
                "vat_rate": line.vat_rate,
                "vat": line.vat_amount,
                "amount": line.amount,
            }
            for line in lines
        ]
    else:
        rate = Decimal(settings.LKK_VAT_RATE)
        vat = (document.amount * rate / (100 + rate)).quantize(Decimal("0.01"))
        rows = [
            {
                "name": _("Электрическая энергия за %(month)s") % {"month": month}
                if month
                else _("Электрическая энергия"),
                "qty": None,
                "unit": "",
                "price": None,
                "net": document.amount - vat,
                "vat_rate": rate,
                "vat": vat,
                "amount": document.amount,
            }
        ]
    net = sum((row["net"] for row in rows), Decimal(0))
    vat = sum((row["vat"] for row in rows), Decimal(0))
    return rows, net, vat


def render_document_pdf(user, document: Document) -> bytes:
    from weasyprint import HTML

    rows, net, vat = document_lines(user, document)
    context = {
        "document": document,
        "contract": document.contract,
        "payer": document.contract.counterparty,
        "supplier": settings.LKK_SUPPLIER,
        "rows": rows,
        "net": net,
        "vat": vat,
        "total": document.amount,
        "in_words": rubles_in_words(document.amount),
    }
    if document.kind == Document.Kind.INVOICE and document.amount > 0:
        purpose = payment.contract_purpose(
            document.contract, f"{document.period:%m.%Y}" if document.period else ""
        )
        context["qr"] = payment.qr_png_data_uri(payment.qr_payload(document.amount, purpose))
    html = render_to_string("billing/document_pdf.html", context)
    return HTML(string=html).write_pdf()


@login_required
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    """The document as billing sent it, or as the portal renders it (PDF); an attachment,
    served only to whoever may see the document."""
    document = get_object_for_user(
        Document.objects.select_related("contract__counterparty"), request.user, pk=document_id
    )
    if refused := _read_only(request):
        return refused
    base = f"{document.kind}-{_safe(document.number)}-{document.issued_on:%Y%m%d}"
    if document.file:
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            handle = None
        if handle is not None:
            extension = os.path.splitext(document.file.name)[1].lower()
            response = FileResponse(handle, as_attachment=True, filename=base + extension)
            response["Cache-Control"] = "private, no-store"
            return response
    return _attachment(render_document_pdf(request.user, document), "application/pdf",
                       base + ".pdf")  # fmt: skip
