"""S4 for operators: build a survey, open and close it, read the results, download answers."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lkk.backoffice.decorators import operator_required
from lkk.content.services import operator_audit
from lkk.core.params import param_choice, param_page
from lkk.surveys.forms import QuestionFormSet, SurveyForm
from lkk.surveys.models import Survey
from lkk.surveys.services import chart_data, export_rows, survey_results, survey_set_status

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@operator_required
@require_http_methods(["GET"])
def manage_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    surveys = Survey.objects.annotate(n=Count("responses")).order_by("-created_at", "-pk")
    page = Paginator(surveys, 50).get_page(param_page(request.GET) or 1)
    return render(request, "surveys/manage_list.html", {"page_obj": page})


@operator_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk) if pk else Survey()
    post = request.POST if request.method == "POST" else None
    form = SurveyForm(post, instance=survey)
    questions = QuestionFormSet(post, instance=survey, prefix="questions")
    if post is not None and form.is_valid() and questions.is_valid():
        kept = [f for f in questions.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if form.cleaned_data["status"] != Survey.Status.DRAFT and not kept:
            form.add_error("status", _("Чтобы открыть опрос, добавьте хотя бы один вопрос."))
        else:
            with transaction.atomic():
                saved = form.save(commit=False)
                survey_set_status(saved, form.cleaned_data["status"])
                saved.save()
                questions.instance = saved
                questions.save()
                operator_audit(request, "survey_saved", saved)
            messages.success(request, _("Опрос сохранён."))
            return redirect("surveys:manage_edit", pk=saved.pk)
    return render(
        request,
        "surveys/manage_form.html",
        {"survey": survey if survey.pk else None, "form": form, "questions": questions},
    )


@operator_required
@require_http_methods(["GET"])
def manage_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    total, results = survey_results(survey)
    charts = [(f"chart-q{r.question.pk}", chart_data(r)) for r in results if r.options]
    return render(
        request,
        "surveys/manage_results.html",
        {"survey": survey, "total": total, "results": results, "charts": charts},
    )


def _text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_text(h) for h in header])
    for row in rows:
        writer.writerow(
            [f"{v:%d.%m.%Y %H:%M}" if isinstance(v, dt.datetime) else _text(v) for v in row]
        )
    return buffer.getvalue().encode("utf-8")


def _xlsx(header, rows) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False, "in_memory": True},
    )  # fmt: skip
    sheet = book.add_worksheet(_("Ответы"))
    bold, when = (
        book.add_format({"bold": True}),
        book.add_format({"num_format": "dd.mm.yyyy hh:mm"}),
    )
    sheet.write_row(0, 0, header, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, when)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


EXPORTS = {"csv": ("text/csv; charset=utf-8", _csv), "xlsx": (XLSX_TYPE, _xlsx)}


@operator_required
@require_http_methods(["GET"])
def manage_export(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    kind = param_choice(request.GET, "format", EXPORTS, default="xlsx")
    if kind is None:
        raise Http404
    content_type, build = EXPORTS[kind]
    header, rows = export_rows(survey)
    response = HttpResponse(build(header, rows), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"survey-{survey.pk}.{kind}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
