"""S4: who sees a survey, answering once (a repeat, a double submit, a race), the results."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from lkk.core.errors import ApplicationError
from lkk.surveys import services
from lkk.surveys.models import Answer, Question, Response, Survey
from tests.test_admin import otp_login


def make_survey(audience="all", status="open", title="Опрос") -> Survey:
    survey = Survey.objects.create(title=title, audience=audience, status=status)
    Question.objects.create(survey=survey, order=1, kind="scale", text="Оценка")
    Question.objects.create(
        survey=survey, order=2, kind="single", text="Частота", options="Часто\nРедко"
    )
    Question.objects.create(
        survey=survey, order=3, kind="multiple", text="Разделы", options="А\nБ\nВ", required=False
    )
    Question.objects.create(survey=survey, order=4, kind="text", text="Отзыв", required=False)
    return survey


def answers_of(survey: Survey, scale="5", single="1", multiple=("1", "3"), text="=HYPERLINK()"):
    q = {x.kind: x.pk for x in survey.questions.all()}
    return {
        f"q{q['scale']}": scale,
        f"q{q['single']}": single,
        f"q{q['multiple']}": list(multiple),
        f"q{q['text']}": text,
    }


def test_a_customer_sees_surveys_for_everyone_and_for_their_category(client, customer_a):
    for_all, for_ul = make_survey(title="Всем"), make_survey("ul", title="Для ЮЛ")
    for_fl, draft = make_survey("fl", title="Для ФЛ"), make_survey(status="draft", title="Черн")
    closed = make_survey(status="closed", title="Закрыт")
    client.force_login(customer_a.user)
    page = client.get(reverse("surveys:list")).content.decode()
    assert "Всем" in page and "Для ЮЛ" in page
    assert "Для ФЛ" not in page and "Черн" not in page and "Закрыт" not in page
    for survey in (for_all, for_ul):
        assert client.get(reverse("surveys:answer", args=[survey.pk])).status_code == 200
    for survey in (for_fl, draft, closed):
        url = reverse("surveys:answer", args=[survey.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, answers_of(survey)).status_code == 404
    assert not Response.objects.exists()


def test_a_customer_answers_once(client, customer_a):
    survey = make_survey()
    client.force_login(customer_a.user)
    url = reverse("surveys:answer", args=[survey.pk])
    first = client.post(url, answers_of(survey), follow=True)
    assert "Спасибо! Ваши ответы приняты." in first.content.decode()
    second = client.post(url, answers_of(survey, scale="1"), follow=True)
    assert "Вы уже ответили на этот опрос" in second.content.decode()
    assert Response.objects.count() == 1
    assert Answer.objects.filter(option=1, question__kind="scale").count() == 0
    assert "Вы уже ответили" in client.get(url).content.decode()


def test_two_concurrent_posts_make_one_response(customer_a, monkeypatch):
    """Both requests passed the check before either wrote: the unique constraint decides."""
    survey = make_survey()
    data = {q.pk: (["1"] if q.kind == "multiple" else "2") for q in survey.questions.all()}
    data = {k: ([1] if isinstance(v, list) else v) for k, v in data.items()}
    services.survey_answer(customer_a.user, survey, data)

    class NeverFound:
        def exists(self):
            return False

    real_filter = Response.objects.filter
    monkeypatch.setattr(
        Response.objects,
        "filter",
        lambda *a, **kw: NeverFound() if "user" in kw else real_filter(*a, **kw),
    )
    with pytest.raises(ApplicationError, match="уже ответили"):
        services.survey_answer(customer_a.user, survey, data)
    monkeypatch.undo()
    assert Response.objects.filter(survey=survey).count() == 1


def test_required_questions_need_an_answer(client, customer_a):
    survey = make_survey()
    client.force_login(customer_a.user)
    response = client.post(reverse("surveys:answer", args=[survey.pk]), {})
    assert response.status_code == 200
    assert response.content.decode().count("Ответьте на этот вопрос.") == 2
    hostile = answers_of(survey, scale="9", single="<script>")
    body = client.post(reverse("surveys:answer", args=[survey.pk]), hostile).content.decode()
    assert "Выберите вариант из списка." in body
    assert not Response.objects.exists()


def test_results_counts_percentages_and_exports(client, operator, customer_a, customer_b):
    survey = make_survey()
    for customer, scale, single in ((customer_a, "5", "1"), (customer_b, "4", "1")):
        client.force_login(customer.user)
        client.post(reverse("surveys:answer", args=[survey.pk]), answers_of(survey, scale, single))
    total, results = services.survey_results(survey)
    assert total == 2
    by_kind = {r.question.kind: r for r in results}
    assert [(o.count, str(o.percent)) for o in by_kind["scale"].options] == [
        (0, "0.0"), (0, "0.0"), (0, "0.0"), (1, "50.0"), (1, "50.0")
    ]  # fmt: skip
    assert [(o.count, str(o.percent)) for o in by_kind["single"].options] == [
        (2, "100.0"), (0, "0.0")
    ]  # fmt: skip
    assert by_kind["text"].texts == ["=HYPERLINK()", "=HYPERLINK()"]

    client.logout()
    otp_login(client, operator)
    page = client.get(reverse("surveys:manage_results", args=[survey.pk])).content.decode()
    assert "2 ответа" in page and "100,0" in page
    assert 'id="chart-q' in page and "<script>" not in page.split("</footer>")[0].split("json")[0]
    csv = client.get(reverse("surveys:manage_export", args=[survey.pk]), {"format": "csv"})
    assert csv["Content-Disposition"].startswith("attachment")
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK()" in text and "А; В" in text
    xlsx = client.get(reverse("surveys:manage_export", args=[survey.pk]), {"format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3:] == ("Оценка", "Частота", "Разделы", "Отзыв")
    assert rows[1][3:] == ("5", "Часто", "А; В", "=HYPERLINK()")
    assert sheet.cell(2, 7).data_type == "s"


def test_operator_builds_opens_and_closes_a_survey(client, operator, customer_a):
    otp_login(client, operator)
    prefix = "questions"
    data = {
        "title": "Новый опрос", "description": "", "audience": "ip", "status": "open",
        f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "50",
        f"{prefix}-0-order": "1", f"{prefix}-0-text": "Да или нет?", f"{prefix}-0-kind": "single",
        f"{prefix}-0-required": "on", f"{prefix}-0-options": "Да",
        # An extra form left as it was shown: skipped.
        f"{prefix}-1-order": "1", f"{prefix}-1-text": "", f"{prefix}-1-kind": "single",
        f"{prefix}-1-required": "on", f"{prefix}-1-options": "",
    }  # fmt: skip
    refused = client.post(reverse("surveys:manage_create"), data)
    assert "Укажите не меньше двух вариантов" in refused.content.decode()
    data[f"{prefix}-0-options"] = "Да\nНет"
    assert client.post(reverse("surveys:manage_create"), data).status_code == 302
    survey = Survey.objects.get(title="Новый опрос")
    assert survey.status == "open" and survey.opened_at and survey.questions.count() == 1
    client.logout()
    client.force_login(customer_a.user)  # ЮЛ: a survey for ИП is not for them
    assert client.get(reverse("surveys:answer", args=[survey.pk])).status_code == 404
