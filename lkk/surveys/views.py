"""S4 for customers: «Опросы» — the open surveys meant for them, each answered once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lkk.core.errors import ApplicationError
from lkk.surveys.forms import AnswerForm
from lkk.surveys.services import answered_ids, survey_answer, surveys_for, surveys_listed


@login_required
@require_http_methods(["GET"])
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = surveys_listed(request.user).only("pk", "title", "description", "opened_at")
    return render(request, "surveys/list.html", {"surveys": list(surveys)})


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer_view(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = surveys_for(request.user).filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    if answered_ids(request.user, [survey.pk]):
        if request.method == "POST":
            messages.warning(request, _("Вы уже ответили на этот опрос. Спасибо!"))
        return render(request, "surveys/answered.html", {"survey": survey})
    questions = list(survey.questions.all())
    form = AnswerForm(survey, questions, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(request.user, survey, form.answers())
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(request, _("Спасибо! Ваши ответы приняты."))
        return redirect("surveys:list")
    return render(request, "surveys/answer.html", {"survey": survey, "form": form})
