"""Outages (S3) and surveys (S4) through the API: the public search, subscriptions, the surveys
meant for the user and the answer given once."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from lkk.outages.models import Subscription
from lkk.outages.tests.test_outages import _outage
from lkk.surveys.models import Response
from lkk.surveys.tests.test_surveys import make_survey

# --- Outages ------------------------------------------------------------------------------------


def test_public_search_by_address_and_dates(db):
    lenina = _outage()
    _outage(street="ул. Гагарина", houses="")
    _outage(street="ул. Ленина", published=False, reason="черновик")
    anonymous = APIClient()
    found = anonymous.get("/api/v1/outages/", {"street": "ленина", "house": "19 А"})
    assert found.status_code == 200
    assert [o["id"] for o in found.json()["results"]] == [lenina.pk]
    assert found.json()["results"][0]["reason"] == "Ремонт ТП-12"
    later = anonymous.get("/api/v1/outages/", {"date_from": "2026-12-04"}).json()
    assert later["count"] == 0
    assert anonymous.get("/api/v1/outages/", {"house": "20"}).json()["count"] == 1  # Гагарина
    for params, field in (({"date_from": "2026-13-45"}, "date_from"),
                          ({"street": "x" * 101}, "street")):  # fmt: skip
        bad = anonymous.get("/api/v1/outages/", params)
        assert bad.status_code == 400 and field in bad.json()["errors"], params
    assert anonymous.post("/api/v1/outages/", {}, format="json").status_code == 405


def test_subscriptions(api_a, api_b, customer_a):
    made = api_a.post(
        "/api/v1/outage-subscriptions/",
        {"settlement": "г. Рязань", "street": "ул. Ленина", "house": "19а"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    again = api_a.post(
        "/api/v1/outage-subscriptions/",
        {"settlement": "Рязань", "street": "Ленина", "house": "19 А"},
        format="json",
    )
    assert again.json()["id"] == made.json()["id"]  # the same address: no second row
    for body, expected in (
        ({"settlement": "Рязань", "street": ""}, {"street": ["Укажите улицу."]}),
        ({"street": "Ленина"}, {"settlement": ["Обязательное поле."]}),
        ({"settlement": "Рязань", "street": "Ленина", "house": "корпус"},
         {"house": ["Укажите номер дома, например 19а, или оставьте поле пустым."]}),
        ({"settlement": "Рязань", "street": "Ленина", "house": "1" * 21}, "house"),
    ):  # fmt: skip
        bad = api_a.post("/api/v1/outage-subscriptions/", body, format="json")
        assert bad.status_code == 400, body
        errors = bad.json()["errors"]
        assert errors == expected if isinstance(expected, dict) else expected in errors
    assert api_a.get("/api/v1/outage-subscriptions/").json()["count"] == 1
    assert api_b.get("/api/v1/outage-subscriptions/").json()["count"] == 0
    sub_id = made.json()["id"]
    assert api_b.delete(f"/api/v1/outage-subscriptions/{sub_id}/").status_code == 404
    assert api_a.delete(f"/api/v1/outage-subscriptions/{sub_id}/").status_code == 204
    assert not Subscription.objects.filter(pk=sub_id).exists()


def test_subscribe_to_my_objects(api_a, customer_a):
    point = customer_a.meter.metering_point
    obj = point.consumption_object
    obj.address = "Рязанская обл., г. Рязань, ул. Есенина, д. 5"
    obj.save()
    added = api_a.post("/api/v1/outage-subscriptions/my-objects/")
    assert added.status_code == 200 and added.json() == {"added": 1}
    assert api_a.post("/api/v1/outage-subscriptions/my-objects/").json() == {"added": 0}
    [row] = api_a.get("/api/v1/outage-subscriptions/").json()["results"]
    assert (row["settlement"], row["street"], row["house"]) == ("г. Рязань", "ул. Есенина", "5")


# --- Surveys ------------------------------------------------------------------------------------


def _answers(survey, **override):
    q = {x.kind: x.pk for x in survey.questions.all()}
    answers = {str(q["scale"]): 5, str(q["single"]): 1, str(q["multiple"]): [1, 3],
               str(q["text"]): "Всё понятно"}  # fmt: skip
    answers.update({str(q[k]): v for k, v in override.items()})
    return {"answers": answers}


def test_surveys_meant_for_me_and_their_questions(api_a, customer_a):
    for_all, for_fl = make_survey(title="Всем"), make_survey("fl", title="Для ФЛ")
    make_survey(status="closed", title="Закрыт")
    listed = api_a.get("/api/v1/surveys/").json()
    assert [(s["title"], s["answered"]) for s in listed["results"]] == [("Всем", False)]
    detail = api_a.get(f"/api/v1/surveys/{for_all.pk}/").json()
    kinds = [(q["kind"], q["options"]) for q in detail["questions"]]
    assert kinds[0] == ("scale", ["1", "2", "3", "4", "5"])
    assert kinds[1] == ("single", ["Часто", "Редко"])
    assert api_a.get(f"/api/v1/surveys/{for_fl.pk}/").status_code == 404
    answer = api_a.post(f"/api/v1/surveys/{for_fl.pk}/answer/", _answers(for_fl), format="json")
    assert answer.status_code == 404


def test_answer_once(api_a, customer_a):
    survey = make_survey()
    url = f"/api/v1/surveys/{survey.pk}/answer/"
    q = {x.kind: x.pk for x in survey.questions.all()}
    missing = api_a.post(url, {"answers": {}}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {
        f"answers.{q['scale']}": ["Ответьте на этот вопрос."],
        f"answers.{q['single']}": ["Ответьте на этот вопрос."],
    }
    wrong = api_a.post(url, _answers(survey, scale=9, multiple=[1, 7]), format="json")
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {f"answers.{q['scale']}", f"answers.{q['multiple']}"}
    assert "Выберите вариант из списка." in wrong.json()["errors"][f"answers.{q['scale']}"]
    for body in ({"answers": "всё"}, [1], {"answers": {str(q["scale"]): {"a": 1}}}):
        assert api_a.post(url, body, format="json").status_code == 400, body
    done = api_a.post(url, _answers(survey), format="json", headers={"Idempotency-Key": "s-1"})
    assert done.status_code == 201
    assert done.json()["detail"] == "Спасибо! Ваши ответы приняты."
    replay = api_a.post(url, _answers(survey), format="json", headers={"Idempotency-Key": "s-1"})
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    second = api_a.post(url, _answers(survey, scale=1), format="json")
    assert second.status_code == 409
    assert second.json()["detail"] == "Вы уже ответили на этот опрос. Спасибо!"
    assert Response.objects.filter(survey=survey).count() == 1
    assert api_a.get("/api/v1/surveys/").json()["results"][0]["answered"] is True


def test_a_closed_survey_is_gone(api_a, customer_a):
    survey = make_survey()
    survey.status = "closed"
    survey.closed_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    survey.save()
    answer = api_a.post(f"/api/v1/surveys/{survey.pk}/answer/", _answers(survey), format="json")
    assert answer.status_code == 404
