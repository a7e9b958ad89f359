"""Applications and appeals (Q1–Q4, T1, T2, T4, O1): the registry derives the forms, the one
transition service allows exactly its table, numbers are gap-free, files are checked by content
and handed out only to who may see them, every change notifies the customer's users."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lkk.applications import services
from lkk.applications.kinds import KINDS, AttachmentSpec, FieldSpec, Kind
from lkk.applications.models import Application, Attachment, Status, StatusChange
from lkk.applications.tests.helpers import (
    EXE,
    HTML,
    PDF,
    PNG,
    SVG,
    office,
    plain_zip,
    staff_client,
    upload,
)
from lkk.audit.models import AuditEvent
from lkk.core.errors import ApplicationError
from lkk.core.uploads import DOCX, XLSX
from lkk.customers.models import AccessGrant
from lkk.customers.tests.factories import ContractFactory, UserFactory
from lkk.notifications.models import Notification

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff(operator):
    return staff_client(operator)


def complaint_post(**extra):
    return {"contract": "", "topic": "quality", "text": "Скачки напряжения по вечерам", **extra}


def file_complaint(client, customer, **extra) -> Application:
    data = complaint_post(contract=customer.contract.pk, submit="1", **extra)
    response = client.post(reverse("applications:create", args=["complaint"]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Application.objects.order_by("-pk").first()


def make(customer, kind="complaint", status=Status.DRAFT, **data) -> Application:
    """An application saved and (unless a draft) submitted through the services."""
    app = services.application_save(
        user=customer.user,
        kind=KINDS[kind],
        counterparty=customer.counterparty,
        contract=customer.contract,
        data=data or {"topic": "quality", "text": "Текст"},
        files={},
    )
    if status != Status.DRAFT:
        services.application_transition(
            application=app, actor=customer.user, to=Status.SUBMITTED, by_operator=False
        )
    return app


# --- Q1: the registry derives the forms --------------------------------------------------------


def test_a_kind_added_to_the_registry_gets_a_working_form(client, customer_a, monkeypatch):
    """Nothing but the registry entry: the choice page, the form, its validation, the storage,
    the customer's and the operator's display all follow."""
    kind = Kind(
        "meter_check",
        "Проверка прибора учёта",
        "Выезд для проверки прибора учёта.",
        fields=(
            FieldSpec("serial", "Заводской номер", max_length=20),
            FieldSpec("visit_on", "Желаемая дата", "date"),
            FieldSpec("floor", "Этаж", "integer", required=False),
            FieldSpec("when", "Время", "choice", choices=(("am", "Утро"), ("pm", "Вечер"))),
        ),
        attachments=(AttachmentSpec("photo", "Фото прибора", required=True),),
        contract="required",
    )
    monkeypatch.setitem(KINDS, kind.slug, kind)
    client.force_login(customer_a.user)
    assert "Проверка прибора учёта" in client.get(reverse("applications:new")).content.decode()
    url = reverse("applications:create", args=["meter_check"])
    page = client.get(url).content.decode()
    assert 'name="serial"' in page and 'name="photo"' in page and 'type="date"' in page

    bad = client.post(url, {"contract": customer_a.contract.pk, "serial": "", "when": "x"})
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert set(errors) >= {"serial", "visit_on", "when", "photo"}

    good = client.post(
        url,
        {
            "contract": customer_a.contract.pk,
            "serial": "123",
            "visit_on": "2026-04-01",
            "when": "pm",
            "photo": upload("p.png", PNG),
            "submit": "1",
        },
    )
    assert good.status_code == 302
    app = Application.objects.get(kind="meter_check")
    assert app.data == {"serial": "123", "visit_on": "2026-04-01", "when": "pm"}
    assert app.status == Status.SUBMITTED and app.attachments.get().slot == "photo"
    detail = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "01.04.2026" in detail and "Вечер" in detail and "Проверка прибора учёта" in detail
    assert kind.describe()["fields"][0] == {
        "name": "serial",
        "label": "Заводской номер",
        "type": "text",
        "required": True,
        "choices": [],
        "max_length": 20,
    }


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_every_kind_of_the_registry_has_a_form_page(client, customer_a, slug):
    client.force_login(customer_a.user)
    page = client.get(reverse("applications:create", args=[slug]))
    assert page.status_code == 200
    for spec in KINDS[slug].fields:
        assert f'name="{spec.name}"' in page.content.decode()


def test_an_unknown_kind_is_a_404(client, customer_a):
    client.force_login(customer_a.user)
    assert client.get("/applications/new/nothing/").status_code == 404


def test_values_are_validated_by_the_kinds_validators(client, customer_a):
    client.force_login(customer_a.user)
    url = reverse("applications:create", args=["connection"])
    response = client.post(
        url,
        {
            "applicant": "ООО «Альфа»",
            "object_name": "Склад",
            "object_address": "ул. Ленина, 1",
            "power_kind": "new",
            "max_power_kw": "-5",
            "voltage": "0.4",
            "reliability": "3",
            "cadastral_number": "не номер",
            "counterparty": customer_a.counterparty.pk,
        },
    )
    errors = response.context["form"].errors
    assert "max_power_kw" in errors and "cadastral_number" in errors
    assert "77:01:0001001:123" in str(errors["cadastral_number"])
    assert "plan" in errors and "title_documents" in errors  # the required documents
    assert not Application.objects.exists()


def test_the_contract_is_one_of_the_users(client, customer_a, customer_b):
    client.force_login(customer_a.user)
    response = client.post(
        reverse("applications:create", args=["complaint"]),
        complaint_post(contract=customer_b.contract.pk),
    )
    assert "contract" in response.context["form"].errors
    assert not Application.objects.exists()


@pytest.mark.parametrize("slug", ["reconciliation", "doc_copies", "invoice"])
def test_finance_kinds_take_the_contract_from_the_address(client, customer_a, customer_b, slug):
    client.force_login(customer_a.user)
    url = reverse("applications:create", args=[slug])
    own = client.get(url, {"contract": customer_a.contract.pk})
    assert own.context["form"].initial["contract"] == customer_a.contract.pk
    assert f'<option value="{customer_a.contract.pk}" selected>' in own.content.decode()
    for value in (customer_b.contract.pk, "1e3", "٣", "-1", "9" * 30):
        other = client.get(url, {"contract": value})
        assert other.status_code == 200
        assert "contract" not in other.context["form"].initial
        assert customer_b.contract.number not in other.content.decode()


# --- Q3: lifecycle -----------------------------------------------------------------------------

ALL = list(Status.values)
ACTORS = ["customer", "operator"]


def test_every_transition_is_allowed_or_refused_by_the_table(customer_a, operator):
    """Every (from, to, actor) of the six statuses: allowed exactly when the table says so; a
    refused move changes nothing and records nothing."""
    checked = 0
    for frm in ALL:
        for to in ALL:
            for actor in ACTORS:
                app = make(customer_a)
                Application.objects.filter(pk=app.pk).update(
                    status=frm, number="" if frm == Status.DRAFT else f"З-2026-{app.pk:06d}"
                )
                app.refresh_from_db()
                user = operator if actor == "operator" else customer_a.user
                call = {
                    "application": app,
                    "actor": user,
                    "to": to,
                    "by_operator": actor == "operator",
                    "comment": "Так",
                }
                if actor in services.TRANSITIONS.get((frm, to), ()):
                    services.application_transition(**call)
                    app.refresh_from_db()
                    assert app.status == to, (frm, to, actor)
                    change = StatusChange.objects.get(application=app)
                    assert (change.from_status, change.to_status, change.actor) == (frm, to, user)
                else:
                    with pytest.raises(ApplicationError):
                        services.application_transition(**call)
                    app.refresh_from_db()
                    assert app.status == frm, (frm, to, actor)
                    assert not StatusChange.objects.filter(application=app).exists()
                checked += 1
    assert checked == 72


def test_the_table_is_the_documented_lifecycle():
    table = {(f, t): set(who) for (f, t), who in services.TRANSITIONS.items()}
    assert table == {
        ("draft", "submitted"): {"customer"},
        ("submitted", "in_work"): {"operator"},
        ("submitted", "rejected"): {"operator"},
        ("in_work", "needs_info"): {"operator"},
        ("needs_info", "in_work"): {"customer", "operator"},
        ("in_work", "done"): {"operator"},
        ("in_work", "rejected"): {"operator"},
        ("needs_info", "rejected"): {"operator"},
    }


def test_a_customer_cannot_act_as_an_operator(customer_a):
    app = make(customer_a, status=Status.SUBMITTED)
    with pytest.raises(ApplicationError):
        services.application_transition(
            application=app, actor=customer_a.user, to=Status.IN_WORK, by_operator=True
        )


@pytest.mark.parametrize(
    ("to", "message"),
    [(Status.REJECTED, "Укажите причину отказа."), (Status.NEEDS_INFO, "какая информация")],
)
def test_refusal_and_a_request_for_information_need_a_comment(customer_a, operator, to, message):
    app = make(customer_a, status=Status.SUBMITTED)
    services.application_transition(
        application=app, actor=operator, to=Status.IN_WORK, by_operator=True
    )
    with pytest.raises(ApplicationError, match=message) as err:
        services.application_transition(application=app, actor=operator, to=to, by_operator=True)
    assert err.value.field == "comment"


def test_submit_gives_a_number_a_date_and_a_30_day_deadline(customer_a):
    with time_machine.travel(NOW, tick=False):
        first = make(customer_a, status=Status.SUBMITTED)
        second = make(customer_a, status=Status.SUBMITTED)
    assert first.number == "З-2026-000001" and second.number == "З-2026-000002"
    assert first.due_on == dt.date(2026, 4, 9)
    with time_machine.travel(dt.datetime(2027, 1, 2, 9, tzinfo=dt.UTC), tick=False):
        assert make(customer_a, status=Status.SUBMITTED).number == "З-2027-000001"


def test_a_failed_submit_gives_its_number_back(customer_a, monkeypatch):
    """Gap-free: the counter moves inside the submit's transaction."""
    with time_machine.travel(NOW, tick=False):
        make(customer_a, status=Status.SUBMITTED)
        app = make(customer_a)

        def boom(*args, **kwargs):
            raise RuntimeError("notification failed")

        monkeypatch.setattr(services, "_notify_customers", boom)
        with pytest.raises(RuntimeError):
            services.application_submit(application=app, user=customer_a.user)
        monkeypatch.undo()
        services.application_submit(application=app, user=customer_a.user)
    assert app.number == "З-2026-000002"


def test_the_operator_queue_marks_overdue_applications(customer_a, staff):
    with time_machine.travel(NOW, tick=False):
        late = make(customer_a, status=Status.SUBMITTED)
    with time_machine.travel(NOW + dt.timedelta(days=25), tick=False):
        fresh = make(customer_a, status=Status.SUBMITTED)
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        page = staff.get(reverse("applications:staff_queue")).content.decode()
        assert page.count('data-testid="overdue"') == 1
        only = staff.get(reverse("applications:staff_queue"), {"overdue": "1"}).content.decode()
    assert late.number in only and fresh.number not in only


# --- Customer journey, operator processing, notices ----------------------------------------------


def test_complaint_from_filing_to_completion(client, customer_a, staff, operator):
    client.force_login(customer_a.user)
    app = file_complaint(client, customer_a, documents=upload("акт.pdf"))
    assert app.status == Status.SUBMITTED and re.fullmatch(r"З-\d{4}-\d{6}", app.number)
    assert app.attachments.get().name == "акт.pdf"

    detail = reverse("applications:staff_detail", args=[app.pk])
    assert app.number in staff.get(reverse("applications:staff_queue")).content.decode()
    staff.post(reverse("applications:staff_assign", args=[app.pk]))
    staff.post(reverse("applications:staff_transition", args=[app.pk]), {"status": "in_work"})
    refused = staff.post(
        reverse("applications:staff_transition", args=[app.pk]), {"status": "needs_info"}
    )
    assert refused.status_code == 400 and "какая информация нужна" in refused.content.decode()
    staff.post(
        reverse("applications:staff_transition", args=[app.pk]),
        {"status": "needs_info", "comment": "Приложите фото счётчика"},
    )
    app.refresh_from_db()
    assert app.status == Status.NEEDS_INFO and app.assignee == operator

    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "Приложите фото счётчика" in page and 'data-testid="needs-info"' in page
    client.post(
        reverse("applications:message", args=[app.pk]),
        {"text": "Фото во вложении", "documents": upload("фото.png", PNG)},
    )
    app.refresh_from_db()
    assert app.status == Status.IN_WORK

    staff.post(
        reverse("applications:staff_reply", args=[app.pk]),
        {"text": "Напряжение восстановлено", "documents": upload("ответ.pdf")},
    )
    staff.post(
        reverse("applications:staff_transition", args=[app.pk]),
        {"status": "done", "comment": "Выполнено"},
    )
    app.refresh_from_db()
    assert app.status == Status.DONE and app.closed_at is not None
    assert staff.get(detail).status_code == 200

    titles = list(Notification.objects.filter(user=customer_a.user).values_list("title", flat=True))
    assert f"Заявка {app.number}: подана" in titles
    assert f"Заявка {app.number}: нужна информация" in titles
    assert f"Заявка {app.number}: ответ оператора" in titles
    assert f"Заявка {app.number}: выполнена" in titles
    customer_a.user.refresh_from_db()
    assert customer_a.user.unread_notifications == len(titles)
    notices = client.get(reverse("notifications:list")).content.decode()
    assert f"Заявка {app.number}: выполнена" in notices
    assert 'data-testid="unread-count"' in notices

    actions = [
        e.details["action"]
        for e in AuditEvent.objects.filter(kind="operator_action", actor=operator)
    ]
    assert actions.count("application_status") == 3
    assert "application_assign" in actions and "application_message" in actions


def test_notices_reach_every_user_with_access_and_nobody_else(customer_a, operator):
    colleague = UserFactory(username="colleague")
    AccessGrant.objects.create(user=colleague, counterparty=customer_a.counterparty)
    other_contract = ContractFactory(counterparty=customer_a.counterparty)
    clerk = UserFactory(username="clerk_other")
    grant = AccessGrant.objects.create(
        user=clerk, counterparty=customer_a.counterparty, all_contracts=False
    )
    grant.contracts.add(other_contract)
    app = make(customer_a, status=Status.SUBMITTED)
    services.application_transition(
        application=app, actor=operator, to=Status.IN_WORK, by_operator=True
    )
    for user in (customer_a.user, colleague):
        assert Notification.objects.filter(user=user, title__contains="в работе").count() == 1
    assert not Notification.objects.filter(user=clerk).exists()
    assert not Notification.objects.filter(user=operator).exists()


def test_drafts_are_edited_submitted_and_deleted(client, customer_a):
    client.force_login(customer_a.user)
    response = client.post(
        reverse("applications:create", args=["complaint"]),
        complaint_post(contract=customer_a.contract.pk, draft="1", documents=upload("a.pdf")),
    )
    app = Application.objects.get()
    assert response.url == reverse("applications:detail", args=[app.pk])
    assert app.status == Status.DRAFT and not app.number
    edit = reverse("applications:edit", args=[app.pk])
    assert "Скачки напряжения" in client.get(edit).content.decode()
    client.post(edit, complaint_post(contract=customer_a.contract.pk, text="Новый текст", draft=1))
    app.refresh_from_db()
    assert app.data["text"] == "Новый текст" and app.attachments.count() == 1
    stored = app.attachments.get().file.path

    client.post(reverse("applications:submit", args=[app.pk]))
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert client.get(edit).status_code == 302  # a submitted application is not edited
    client.post(reverse("applications:delete", args=[app.pk]))
    assert Application.objects.filter(pk=app.pk).exists()  # nor deleted

    draft = make(customer_a)
    services.application_save(
        user=customer_a.user,
        kind=KINDS["complaint"],
        counterparty=customer_a.counterparty,
        contract=customer_a.contract,
        data={"topic": "other", "text": "x"},
        files={},
        application=draft,
    )
    client.post(reverse("applications:delete", args=[draft.pk]))
    assert not Application.objects.filter(pk=draft.pk).exists()
    import os

    assert os.path.exists(stored)


def test_list_filters_and_search(client, customer_a):
    make(customer_a, status=Status.SUBMITTED, topic="quality", text="Про счётчик")
    make(customer_a, kind="reconciliation", period_from="2026-01-01", period_to="2026-03-31")
    client.force_login(customer_a.user)
    url = reverse("applications:list")
    assert "Найдено записей: 2" in client.get(url).content.decode()
    assert "Найдена 1 запись" in client.get(url, {"status": "draft"}).content.decode()
    assert "Найдена 1 запись" in client.get(url, {"kind": "complaint"}).content.decode()
    assert "Найдена 1 запись" in client.get(url, {"q": "СЧЁТЧИК"}).content.decode()
    assert "Найдена 1 запись" in client.get(url, {"q": "з-20"}).content.decode()


# --- T2, T4: stages of connection, the rating -----------------------------------------------------


def connection_application(customer) -> Application:
    app = services.application_save(
        user=customer.user,
        kind=KINDS["connection"],
        counterparty=customer.counterparty,
        contract=None,
        data={"applicant": "ООО", "max_power_kw": "15", "voltage": "0.4", "reliability": "3"},
        files={
            "plan": [_checked("план.pdf")],
            "title_documents": [_checked("право.pdf")],
        },
    )
    services.application_submit(application=app, user=customer.user)
    return app


def _checked(name: str):
    from lkk.core.uploads import uploads_check

    return uploads_check([upload(name)], max_bytes=10**6, max_files=1, max_total=10**6)[0]


def test_connection_goes_through_its_stages_and_is_rated_once(client, customer_a, staff):
    with time_machine.travel(NOW, tick=False):
        app = connection_application(customer_a)
        assert app.stage == "submitted"
        staff.post(reverse("applications:staff_transition", args=[app.pk]), {"status": "in_work"})
        done = staff.post(
            reverse("applications:staff_transition", args=[app.pk]), {"status": "done"}
        )
        assert "все этапы" in done.content.decode()
        wrong = staff.post(
            reverse("applications:staff_stage", args=[app.pk]),
            {"stage": "connected", "reached_on": "2026-03-10"},
        )
        assert "следующий этап" in wrong.content.decode()
        for code in ("contract_sent", "contract_signed", "tu_fulfilment", "connected",
                     "documents_signed"):  # fmt: skip
            response = staff.post(
                reverse("applications:staff_stage", args=[app.pk]),
                {"stage": code, "reached_on": "2026-03-10", "documents": upload(f"{code}.pdf")},
            )
            assert response.status_code == 302, response.content.decode()[:2000]
        staff.post(reverse("applications:staff_transition", args=[app.pk]), {"status": "done"})
    app.refresh_from_db()
    assert app.status == Status.DONE and app.stage == "documents_signed"

    client.force_login(customer_a.user)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert page.count('data-testid="stage-document"') == 5
    assert "Договор и ТУ направлены</span>\n         — 10.03.2026" in page or "10.03.2026" in page
    doc = Attachment.objects.get(stage__stage="connected")
    download = client.get(reverse("applications:attachment", args=[app.pk, doc.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF

    rate = reverse("applications:rate", args=[app.pk])
    assert client.post(rate, {"quality": "6", "availability": "5"}).status_code == 400
    client.post(rate, {"quality": "4", "availability": "5"})
    client.post(rate, {"quality": "1", "availability": "1"})
    app.refresh_from_db()
    assert (app.rating_quality, app.rating_availability) == (4, 5)
    assert (
        "качество — 4" in client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    )


def test_operators_see_only_the_kinds_of_their_group(customer_a, operator):
    from django.test import Client

    from lkk.accounts.services import roles_ensure
    from lkk.accounts.tests.helpers import otp_login

    operator.groups.add(roles_ensure())
    client = Client()
    otp_login(client, operator)
    connection = connection_application(customer_a)
    complaint = make(customer_a, status=Status.SUBMITTED)
    queue = client.get(reverse("applications:staff_queue")).content.decode()
    assert complaint.number in queue and connection.number not in queue
    assert client.get(reverse("applications:staff_detail", args=[connection.pk])).status_code == 404
    operator.groups.add(Group.objects.get_or_create(name="Операторы ТП")[0])
    assert client.get(reverse("applications:staff_detail", args=[connection.pk])).status_code == 200


def test_drafts_never_reach_the_back_office(customer_a, staff):
    draft = make(customer_a)
    assert staff.get(reverse("applications:staff_detail", args=[draft.pk])).status_code == 404


# --- Q2: attachments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("договор.pdf", EXE),
        ("договор.pdf", plain_zip()),
        ("page.pdf", HTML),
        ("logo.png", SVG),
        ("отчёт.docx", plain_zip()),
        ("отчёт.docx", office(DOCX, declare=False)),
        ("отчёт.docx", office(DOCX, main_part=False)),
        ("таблица.xlsx", office(DOCX)[:200]),
    ],
)
def test_files_are_refused_by_their_content(client, customer_a, name, content):
    client.force_login(customer_a.user)
    response = client.post(
        reverse("applications:create", args=["complaint"]),
        complaint_post(contract=customer_a.contract.pk, documents=upload(name, content)),
    )
    error = str(response.context["form"].errors["documents"])
    assert "не подходит: принимаются только PDF, JPEG, PNG, DOCX, XLSX" in error
    assert not Application.objects.exists()


@pytest.mark.parametrize("content_type", [DOCX, XLSX])
def test_office_files_pass_by_their_package(client, customer_a, content_type):
    client.force_login(customer_a.user)
    client.post(
        reverse("applications:create", args=["complaint"]),
        complaint_post(
            contract=customer_a.contract.pk,
            submit="1",
            documents=upload("../../etc/файл.bin", office(content_type), "text/html"),
        ),
    )
    attachment = Attachment.objects.get()
    assert attachment.content_type == content_type
    assert attachment.name == "файл.bin"  # no path from the name reaches anything
    assert re.fullmatch(r"applications/[0-9a-f]{32}\.(docx|xlsx)", attachment.file.name)


def test_too_large_a_file_is_refused(client, customer_a, settings):
    settings.LKK_UPLOAD_MAX_BYTES = 100
    client.force_login(customer_a.user)
    response = client.post(
        reverse("applications:create", args=["complaint"]),
        complaint_post(contract=customer_a.contract.pk, documents=upload("big.pdf", PDF * 5)),
    )
    assert "больше 100" in str(response.context["form"].errors["documents"])


def test_the_quota_of_a_user_is_enforced(client, customer_a, settings):
    settings.LKK_APPLICATION_QUOTA_BYTES = len(PDF) * 2
    client.force_login(customer_a.user)
    url = reverse("applications:create", args=["complaint"])
    for _ in range(2):
        post = complaint_post(contract=customer_a.contract.pk, documents=upload("a.pdf"))
        assert client.post(url, post).status_code == 302
    post = complaint_post(contract=customer_a.contract.pk, documents=upload("a.pdf"))
    response = client.post(url, post)
    assert "Превышен объём ваших файлов" in str(response.context["form"].errors["documents"])
    assert Application.objects.count() == 2


def test_files_are_downloaded_only_by_who_may_see_them(client, customer_a, customer_b, staff):
    client.force_login(customer_a.user)
    app = file_complaint(client, customer_a, documents=upload("акт.pdf"))
    attachment = app.attachments.get()
    url = reverse("applications:attachment", args=[app.pk, attachment.pk])
    own = client.get(url)
    assert own.status_code == 200
    assert own["Content-Disposition"].startswith("attachment")
    assert own["X-Content-Type-Options"] == "nosniff"
    other_app = make(customer_b, status=Status.SUBMITTED)
    assert (
        client.get(
            reverse("applications:attachment", args=[other_app.pk, attachment.pk])
        ).status_code
        == 404
    )
    client.force_login(customer_b.user)
    assert client.get(url).status_code == 404
    for name in ("detail", "edit", "submit", "delete", "message", "rate"):  # POST too
        assert client.post(reverse(f"applications:{name}", args=[app.pk])).status_code == 404
    staff_url = reverse("applications:staff_document", args=[app.pk, attachment.pk])
    assert staff.get(staff_url).status_code == 200


# --- Fixed query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["applications:list", "applications:staff_queue"])
def test_lists_cost_the_same_for_few_and_many(client, customer_a, operator, route):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(route)).status_code == 200
        return len(ctx)

    if route == "applications:staff_queue":
        client = staff_client(operator)
    else:
        client.force_login(customer_a.user)
    make(customer_a, status=Status.SUBMITTED)
    few = count()
    for _ in range(30):
        make(customer_a, status=Status.SUBMITTED, topic="other", text="ещё")
    assert count() == few
    assert Decimal(few) <= 14
