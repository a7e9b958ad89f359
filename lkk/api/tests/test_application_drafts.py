"""Applications through the API: edit, delete and submit a draft, files by multipart (the site's
content checks, size limit and quota), the rating after completion (T4)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lkk.applications.models import Application, Attachment, Status

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _requisites(api, contract, **more):
    fields = {"what": "bank", "new_value": "р/с 40702810000000000001"}
    body = {"kind": "requisites", "contract": contract.pk, "fields": fields, **more}
    return api.post("/api/v1/applications/", body, format="json")


def _pdf(name: str = "выписка.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _attach(api, app_id: int, slot: str = "documents", files=None):
    files = [_pdf()] if files is None else files
    return api.post(
        f"/api/v1/applications/{app_id}/attachments/",
        {"slot": slot, "files": files},
        format="multipart",
    )


def test_a_kind_with_a_required_file_is_filed_through_the_api(api_a, customer_a):
    draft = _requisites(api_a, customer_a.contract)
    assert draft.status_code == 201, draft.json()
    app_id = draft.json()["id"]
    refused = api_a.post(f"/api/v1/applications/{app_id}/submit/")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"documents": ["Приложите: Подтверждающие документы."]}
    added = _attach(api_a, app_id)
    assert added.status_code == 201, added.json()
    [row] = added.json()
    assert row["name"] == "выписка.pdf" and row["content_type"] == "application/pdf"
    assert row["slot"] == "documents" and row["size"] == len(PDF)
    submitted = api_a.post(f"/api/v1/applications/{app_id}/submit/")
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["status"] == "submitted" and body["number"].startswith("З-")
    assert [a["name"] for a in body["attachments"]] == ["выписка.pdf"]
    download = api_a.get(f"/api/v1/application-attachments/{row['id']}/file/")
    assert b"".join(download.streaming_content) == PDF
    # Submitted: no more files, no edits, no delete.
    assert _attach(api_a, app_id).json()["errors"] == {"slot": ["Поданную заявку изменить нельзя."]}
    edit = api_a.put(f"/api/v1/applications/{app_id}/", {"fields": {}}, format="json")
    assert edit.status_code == 400
    assert edit.json()["detail"] == "Поданную заявку изменить нельзя."
    gone = api_a.delete(f"/api/v1/applications/{app_id}/")
    assert gone.status_code == 400
    assert gone.json()["detail"] == "Удалить можно только черновик."


def test_files_are_checked_like_the_sites(api_a, customer_a, settings):
    app_id = _requisites(api_a, customer_a.contract).json()["id"]
    html = _attach(api_a, app_id, files=[_pdf("счёт.pdf", b"<html><script>alert(1)</script>")])
    assert html.status_code == 400
    assert html.json()["errors"] == {
        "files": ["Файл «счёт.pdf» не подходит: принимаются только PDF, JPEG, PNG, DOCX, XLSX."]
    }
    empty = _attach(api_a, app_id, files=[_pdf("пусто.pdf", b"")])
    assert empty.status_code == 400 and "files" in empty.json()["errors"]
    none = _attach(api_a, app_id, files=[])
    assert none.status_code == 400 and "files" in none.json()["errors"]
    slot = _attach(api_a, app_id, slot="nope")
    assert slot.json()["errors"] == {"slot": ["У заявки этого вида нет такого поля вложений."]}
    too_many = _attach(api_a, app_id, files=[_pdf(f"{n}.pdf") for n in range(6)])
    assert too_many.status_code == 400 and "files" in too_many.json()["errors"]
    settings.LKK_UPLOAD_MAX_BYTES = 20
    big = _attach(api_a, app_id)
    assert big.status_code == 400
    assert big.json()["errors"]["files"][0].startswith("Файл «выписка.pdf» больше")
    settings.LKK_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    settings.LKK_APPLICATION_QUOTA_BYTES = len(PDF) + 10
    assert _attach(api_a, app_id).status_code == 201
    over = _attach(api_a, app_id)
    assert over.status_code == 400
    assert over.json()["errors"]["files"][0].startswith("Превышен объём ваших файлов")
    assert Attachment.objects.filter(application_id=app_id).count() == 1


def test_multipart_text_with_nul_is_refused_and_json_is_not_taken_for_files(api_a, customer_a):
    app_id = _requisites(api_a, customer_a.contract).json()["id"]
    nul = _attach(api_a, app_id, slot="docu\x00ments")
    assert nul.status_code == 400
    assert "недопустимые символы" in nul.json()["detail"]
    as_json = api_a.post(
        f"/api/v1/applications/{app_id}/attachments/", {"slot": "documents"}, format="json"
    )
    assert as_json.status_code == 415
    assert not Attachment.objects.filter(application_id=app_id).exists()


def test_edit_and_delete_a_draft(api_a, customer_a):
    app_id = _requisites(api_a, customer_a.contract).json()["id"]
    edited = api_a.put(
        f"/api/v1/applications/{app_id}/",
        {"contract": customer_a.contract.pk, "fields": {"what": "address", "new_value": "Рязань"}},
        format="json",
    )
    assert edited.status_code == 200, edited.json()
    assert edited.json()["data"] == {"what": "address", "new_value": "Рязань"}
    bad = api_a.put(
        f"/api/v1/applications/{app_id}/",
        {"contract": customer_a.contract.pk, "fields": {"what": "moon", "new_value": ""}},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"what", "new_value"}
    assert Application.objects.get(pk=app_id).data["what"] == "address"  # nothing lost
    _attach(api_a, app_id)
    assert api_a.delete(f"/api/v1/applications/{app_id}/").status_code == 204
    assert not Application.objects.filter(pk=app_id).exists()
    assert not Attachment.objects.filter(application_id=app_id).exists()
    assert api_a.delete(f"/api/v1/applications/{app_id}/").status_code == 404


def test_message_with_a_file(api_a, customer_a):
    app_id = _requisites(api_a, customer_a.contract).json()["id"]
    _attach(api_a, app_id)
    api_a.post(f"/api/v1/applications/{app_id}/submit/")
    posted = api_a.post(
        f"/api/v1/applications/{app_id}/messages/",
        {"text": "Прилагаю акт", "files": [_pdf("акт.pdf")]},
        format="multipart",
    )
    assert posted.status_code == 201, posted.json()
    assert [a["name"] for a in posted.json()["attachments"]] == ["акт.pdf"]
    bad = api_a.post(
        f"/api/v1/applications/{app_id}/messages/",
        {"text": "Ещё", "files": [_pdf("x.pdf", b"MZ\x90\x00")]},
        format="multipart",
    )
    assert bad.status_code == 400 and "files" in bad.json()["errors"]
    listed = api_a.post(f"/api/v1/applications/{app_id}/messages/", [1], format="json")
    assert listed.status_code == 400 and "text" in listed.json()["errors"]


def test_rating_after_completion_once(api_a, customer_a):
    app = Application.objects.create(
        kind="connection", counterparty=customer_a.counterparty, contract=customer_a.contract,
        author=customer_a.user, status=Status.DONE, number="З-2026-000777",
    )  # fmt: skip
    assert app.can_rate
    url = f"/api/v1/applications/{app.pk}/rate/"
    for body, field in (({"quality": 6, "availability": 5}, "quality"),
                        ({"quality": 5}, "availability"),
                        ({"quality": "отлично", "availability": 4}, "quality")):  # fmt: skip
        refused = api_a.post(url, body, format="json")
        assert refused.status_code == 400 and field in refused.json()["errors"], body
    rated = api_a.post(url, {"quality": 5, "availability": 4}, format="json")
    assert rated.status_code == 200
    assert rated.json()["rating_quality"] == 5 and rated.json()["can_rate"] is False
    again = api_a.post(url, {"quality": 1, "availability": 1}, format="json")
    assert again.status_code == 400
    assert again.json()["detail"] == "Оценить можно выполненную заявку, и только один раз."
    app.refresh_from_db()
    assert (app.rating_quality, app.rating_availability) == (5, 4)
