"""Demo applications (Q1–Q4, T2): a few per demo customer, in every status, made through the
services so that numbers, history, messages and notices are what a real run would leave.

Idempotent: a demo user who already has applications gets none. The count does not grow with
`--scale`: only the named demo users get applications.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lkk.applications import services
from lkk.applications.kinds import CONNECTION_GROUP, KINDS
from lkk.applications.models import Application, Status
from lkk.core.uploads import uploads_check
from lkk.customers.models import AccessGrant, Contract

DEMO_USERS = ("ul_demo", "ip_demo", "fl_demo", "big_demo")
#: A one-page PDF the demo attaches as a stage document.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _pdf(name: str):
    return uploads_check(
        [SimpleUploadedFile(name, PDF)], max_bytes=10**6, max_files=1, max_total=10**6
    )


def applications_seed() -> int:
    """Adds the demo applications; returns how many were made."""
    user_model = get_user_model()
    operator = user_model.objects.filter(username="operator").first()
    if operator is None:
        return 0
    operator.groups.add(Group.objects.get_or_create(name=CONNECTION_GROUP)[0])
    made = 0
    for username in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None or Application.objects.filter(author=user).exists():
            continue
        grant = AccessGrant.objects.filter(user=user).select_related("counterparty").first()
        if grant is None:
            continue
        contract = Contract.objects.filter(counterparty=grant.counterparty).order_by("number")[0]
        made += _for_customer(user, operator, grant.counterparty, contract)
    return made


def _save(user, kind: str, counterparty, contract, data, files=None) -> Application:
    return services.application_save(
        user=user,
        kind=KINDS[kind],
        counterparty=counterparty,
        contract=contract,
        data=data,
        files=files or {},
    )


def _submit(user, app: Application) -> Application:
    return services.application_submit(application=app, user=user)


def _move(operator, app: Application, to: str, comment: str = "") -> None:
    services.application_transition(
        application=app, actor=operator, to=to, by_operator=True, comment=comment
    )


def _for_customer(user, operator, counterparty, contract) -> int:
    # Processing in progress, waiting for the customer.
    complaint = _submit(
        user,
        _save(user, "complaint", counterparty, contract,
              {"topic": "quality", "text": "По вечерам напряжение падает до 190 В."}),
    )  # fmt: skip
    _move(operator, complaint, Status.IN_WORK)
    _move(operator, complaint, Status.NEEDS_INFO, "Укажите, в какие дни и часы это было.")

    # Done, with the operator's answer.
    reconciliation = _submit(
        user,
        _save(user, "reconciliation", counterparty, contract,
              {"period_from": "2026-01-01", "period_to": "2026-06-30"}),
    )  # fmt: skip
    _move(operator, reconciliation, Status.IN_WORK)
    services.message_post(
        application=reconciliation,
        author=operator,
        text="Акт сверки за первое полугодие направлен на вашу электронную почту.",
        files=_pdf("Акт сверки.pdf"),
        by_operator=True,
    )
    _move(operator, reconciliation, Status.DONE, "Акт сверки направлен.")

    # Refused, with the reason.
    consultation = _submit(
        user,
        _save(user, "consultation", counterparty, None,
              {"question": "Можно ли перейти на двухставочный тариф?", "reply_by": "portal"}),
    )  # fmt: skip
    _move(operator, consultation, Status.REJECTED, "Вопрос решается в отделе тарифов: "
          "обратитесь, пожалуйста, по телефону контактного центра.")  # fmt: skip

    # A draft not yet submitted.
    draft = {"subject": "Копия договора", "text": "Прошу выдать заверенную копию договора."}
    _save(user, "general", counterparty, contract, draft)

    # Technological connection, two stages done, with their documents.
    connection = _save(
        user, "connection", counterparty, None,
        {"applicant": counterparty.short_name, "object_name": "Гараж",
         "object_address": "г. Рязань, ул. Полевая, 12", "power_kind": "new",
         "max_power_kw": "15", "voltage": "0.4", "reliability": "3"},
        files={"plan": _pdf("План участка.pdf"), "title_documents": _pdf("Выписка ЕГРН.pdf")},
    )  # fmt: skip
    _submit(user, connection)
    _move(operator, connection, Status.IN_WORK)
    for stage, name in (("contract_sent", "Договор и ТУ.pdf"),
                        ("contract_signed", "Договор подписан.pdf")):  # fmt: skip
        services.stage_advance(
            application=connection,
            operator=operator,
            stage=stage,
            reached_on=timezone.localdate(),
            comment="",
            files=_pdf(name),
        )
    return 5
