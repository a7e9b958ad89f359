"""Reads and writes of surveys (S4)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.core.errors import ApplicationError
from lkk.customers.access import access_scope
from lkk.surveys.models import Answer, Question, Response, Survey


def already() -> str:
    return _("Вы уже ответили на этот опрос. Спасибо!")


def categories_of(user) -> list[str]:
    """The categories (ЮЛ/ИП/ФЛ) of the counterparties the user was granted."""
    return sorted({kind for _pk, _name, kind in access_scope(user).all_counterparties})


def surveys_for(user):
    """Open surveys meant for the user: for everyone, or for a category they act for."""
    if not user.is_authenticated or user.is_staff:
        return Survey.objects.none()
    audiences = ["all", *categories_of(user)]
    return Survey.objects.filter(status=Survey.Status.OPEN, audience__in=audiences)


def surveys_listed(user):
    """`surveys_for` with `done`: whether the user answered each, in the same query."""
    mine = Response.objects.filter(survey=OuterRef("pk"), user=user)
    return surveys_for(user).annotate(done=Exists(mine))


def answered_ids(user, surveys) -> set[int]:
    return set(
        Response.objects.filter(user=user, survey__in=surveys).values_list("survey_id", flat=True)
    )


def survey_answer(user, survey: Survey, data: dict[int, object]) -> Response:
    """Saves the user's answers: `data` maps a question's id to an option number, a list of
    them, a score or a text. A second response (a repeat, a double submit, two tabs) is
    refused by the database's constraint and reported as ApplicationError."""
    if survey.status != Survey.Status.OPEN:
        raise ApplicationError(_("Опрос закрыт: ответы больше не принимаются."))
    if Response.objects.filter(survey=survey, user=user).exists():
        raise ApplicationError(already())
    categories = categories_of(user)
    category = (
        survey.audience if survey.audience != "all" else (categories[0] if categories else "")
    )
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, user=user, category=category)
            rows = []
            for question in survey.questions.all():
                value = data.get(question.pk)
                if value in (None, "", []):
                    continue
                if question.kind == Question.Kind.TEXT:
                    rows.append(Answer(response=response, question=question, text=str(value)))
                elif isinstance(value, list):
                    rows += [Answer(response=response, question=question, option=v) for v in value]
                else:
                    rows.append(Answer(response=response, question=question, option=int(value)))
            Answer.objects.bulk_create(rows)
    except IntegrityError:
        raise ApplicationError(already()) from None
    return response


def survey_set_status(survey: Survey, status: str) -> None:
    now = timezone.now()
    survey.status = status
    if status == Survey.Status.OPEN:
        survey.opened_at, survey.closed_at = survey.opened_at or now, None
    elif status == Survey.Status.CLOSED:
        survey.closed_at = now


@dataclass
class OptionResult:
    label: str
    count: int
    percent: Decimal


@dataclass
class QuestionResult:
    question: Question
    answered: int
    options: list[OptionResult] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def survey_results(survey: Survey, texts_per_question: int = 20) -> tuple[int, list]:
    """Responses in all, and per question: how many answered it, and per option the count and
    its share of those who answered (for several options the shares add up to more than 100).
    Four queries whatever the number of responses."""
    total = Response.objects.filter(survey=survey).count()
    questions = list(survey.questions.all())
    answers = Answer.objects.filter(question__survey=survey)
    counts = defaultdict(int)
    for qid, option, n in (
        answers.exclude(option=None)
        .values_list("question_id", "option")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(qid, option)] = n
    answered = dict(
        answers.values_list("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    )
    texts = defaultdict(list)
    for qid, text in (
        answers.filter(question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .order_by("-pk")
        .values_list("question_id", "text")[: texts_per_question * max(len(questions), 1)]
    ):
        if len(texts[qid]) < texts_per_question:
            texts[qid].append(text)
    results = []
    for q in questions:
        n = answered.get(q.pk, 0)
        result = QuestionResult(question=q, answered=n, texts=texts.get(q.pk, []))
        if q.kind != Question.Kind.TEXT:
            for number, label in enumerate(q.option_list, start=1):
                c = counts.get((q.pk, number), 0)
                result.options.append(OptionResult(label, c, _percent(c, n)))
        results.append(result)
    return total, results


def chart_data(result: QuestionResult) -> dict:
    """For lkk/charts.js: the options' counts as a bar chart."""
    return {
        "type": "bar",
        "unit": "",
        "labels": [o.label for o in result.options],
        "datasets": [{"label": _("Ответов"), "data": [o.count for o in result.options]}],
    }


def export_rows(survey: Survey):
    """The header and one row per response: date, category, then every question's answer."""
    questions = list(survey.questions.all())
    header = [_("№"), _("Дата"), _("Категория"), *[q.text for q in questions]]
    by_response = defaultdict(lambda: defaultdict(list))
    for rid, qid, option, text in (
        Answer.objects.filter(response__survey=survey)
        .order_by("pk")
        .values_list("response_id", "question_id", "option", "text")
    ):
        by_response[rid][qid].append((option, text))
    labels = {q.pk: q.option_list for q in questions}
    rows = []
    for response in Response.objects.filter(survey=survey).order_by("pk"):
        cells = []
        for q in questions:
            values = []
            for option, text in by_response[response.pk].get(q.pk, []):
                if option is not None and 1 <= option <= len(labels[q.pk]):
                    values.append(labels[q.pk][option - 1])
                elif text:
                    values.append(text)
            cells.append("; ".join(values))
        local = timezone.localtime(response.created_at)
        rows.append([response.pk, local.replace(tzinfo=None), response.category.upper(), *cells])
    return header, rows
