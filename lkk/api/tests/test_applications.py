"""Applications and appeals through the API: the kinds, form, services and files of the site."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lkk.applications.kinds import KINDS
from lkk.applications.models import Application, Attachment, Message, Status
from lkk.applications.services import application_submit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _general(api, contract, **more):
    body = {
        "kind": "general",
        "contract": contract.pk,
        "fields": {"subject": "Счёт", "text": "Прошу пересчитать счёт за октябрь."},
        **more,
    }
    return api.post("/api/v1/applications/", body, format="json")


def test_kinds_are_the_registry(api_a):
    answer = api_a.get("/api/v1/application-kinds/")
    assert answer.status_code == 200
    assert answer.json() == [kind.describe() for kind in KINDS.values()]


def test_draft_then_list_and_detail(api_a, customer_a):
    answer = _general(api_a, customer_a.contract)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status"] == "draft" and body["number"] == ""
    assert body["data"] == {"subject": "Счёт", "text": "Прошу пересчитать счёт за октябрь."}
    assert {"label": "Тема", "value": "Счёт"} in body["values"]
    listed = api_a.get("/api/v1/applications/").json()
    assert [a["id"] for a in listed["results"]] == [body["id"]]
    assert api_a.get(f"/api/v1/applications/{body['id']}/").json()["id"] == body["id"]


def test_submit_at_once_registers(api_a, customer_a):
    answer = _general(api_a, customer_a.contract, submit=True)
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "submitted"
    assert body["number"].startswith("З-") and body["due_on"]


def test_form_errors_are_the_sites_in_json(api_a, customer_a):
    answer = api_a.post(
        "/api/v1/applications/",
        {"kind": "general", "contract": customer_a.contract.pk, "fields": {"subject": ""}},
        format="json",
    )
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert errors["subject"] == ["Обязательное поле."]
    assert errors["text"] == ["Обязательное поле."]
    assert not Application.objects.filter(author=customer_a.user).exists()
    unknown = api_a.post("/api/v1/applications/", {"kind": "nope"}, format="json")
    assert unknown.json()["errors"] == {"kind": ["Выберите вид заявки из списка."]}


def test_another_customers_contract_is_refused(api_a, customer_b):
    answer = _general(api_a, customer_b.contract)
    assert answer.status_code == 400
    assert "contract" in answer.json()["errors"]
    assert not Application.objects.filter(contract=customer_b.contract).exists()


def test_required_attachment_refuses_submission_and_keeps_no_draft(api_a, customer_a):
    answer = api_a.post(
        "/api/v1/applications/",
        {"kind": "requisites", "contract": customer_a.contract.pk,
         "fields": {"what": "bank", "new_value": "р/с 40702810000000000001"}, "submit": True},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["errors"]["documents"] == ["Приложите: Подтверждающие документы."]
    assert not Application.objects.filter(author=customer_a.user).exists()


def test_messages_and_file(api_a, customer_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft_id = _general(api_a, customer_a.contract).json()["id"]
    refused = api_a.post(
        f"/api/v1/applications/{draft_id}/messages/", {"text": "Есть новости?"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"text": ["Сначала подайте заявку."]}
    application = Application.objects.get(pk=draft_id)
    application_submit(application=application, user=customer_a.user)
    posted = api_a.post(
        f"/api/v1/applications/{draft_id}/messages/", {"text": "Есть новости?"}, format="json"
    )
    assert posted.status_code == 201
    empty = api_a.post(f"/api/v1/applications/{draft_id}/messages/", {"text": " "}, format="json")
    assert empty.status_code == 400 and "text" in empty.json()["errors"]
    thread = api_a.get(f"/api/v1/applications/{draft_id}/messages/").json()
    assert [m["text"] for m in thread] == ["Есть новости?"]
    attachment = Attachment(application=application, uploaded_by=customer_a.user, name="акт.pdf",
                            content_type="application/pdf", size=len(PDF))  # fmt: skip
    attachment.file.save("a.pdf", ContentFile(PDF), save=True)
    detail = api_a.get(f"/api/v1/applications/{draft_id}/").json()
    assert [a["id"] for a in detail["attachments"]] == [attachment.pk]
    download = api_a.get(f"/api/v1/application-attachments/{attachment.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF


def test_another_customers_application_is_404(api_a, api_b, customer_a):
    app_id = _general(api_a, customer_a.contract, submit=True).json()["id"]
    for call in (
        lambda: api_b.get(f"/api/v1/applications/{app_id}/"),
        lambda: api_b.get(f"/api/v1/applications/{app_id}/messages/"),
        lambda: api_b.post(
            f"/api/v1/applications/{app_id}/messages/", {"text": "x"}, format="json"
        ),
    ):
        assert call().status_code == 404
    assert not Message.objects.exists()
    assert api_b.get("/api/v1/applications/").json()["count"] == 0


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path", ["/api/v1/applications/", "/api/v1/application-attachments/", "messages"]
)
def test_fixed_query_count(api_a, customer_a, settings, tmp_path, path):
    settings.MEDIA_ROOT = tmp_path
    first = Application.objects.create(kind="general", counterparty=customer_a.counterparty,
                                       contract=customer_a.contract, author=customer_a.user,
                                       data={"subject": "a", "text": "b"})  # fmt: skip
    application_submit(application=first, user=customer_a.user)
    if path == "messages":
        path = f"/api/v1/applications/{first.pk}/messages/"

    def more(n: int) -> None:
        for i in range(n):
            app = Application.objects.create(kind="general", counterparty=customer_a.counterparty,
                                             contract=customer_a.contract, author=customer_a.user,
                                             status=Status.DRAFT)  # fmt: skip
            message = Message.objects.create(application=first, author=customer_a.user, text="t")
            for owner in (app, first):
                attachment = Attachment(application=owner, uploaded_by=customer_a.user,
                                        name="a.pdf", content_type="application/pdf", size=3,
                                        message=message if owner is first else None)  # fmt: skip
                attachment.file.save(f"a{i}.pdf", ContentFile(b"%PD"), save=True)

    more(1)
    small = _queries(api_a, path)
    more(20)
    assert _queries(api_a, path) == small
    assert small <= 6
