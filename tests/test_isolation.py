"""Customer isolation over Django's whole URL map.

Every route is found by walking the resolver, so a new route is tested without anyone
remembering to add it; a route with a parameter this file does not know fails the test.
The walk runs twice: as an outsider (customer B against customer A's objects), and as a user
granted only one contract of a counterparty, who must find nothing of its other contract.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: Routes open to anonymous visitors.
PUBLIC = {
    "accounts:login",
    "accounts:agreement",
    "accounts:register",
    "accounts:register_contract",
    "accounts:register_ul",
    "accounts:register_ip",
    "accounts:register_fl",
    "accounts:register_code",
    "accounts:register_link",
    "accounts:register_done",
    "accounts:register_steps",
    "accounts:register_steps_link",
    "accounts:signup",
    "accounts:signup_link",
    "accounts:activate",
    "accounts:password_reset",
    "accounts:password_reset_confirm",
    "accounts:password_reset_link",
    "set_language",
    "notifications:dev_outbox",
    "captcha-image",
    "captcha-refresh",
    "outages:list",
    # S2/S5 and T2/T3: news, information, help, the connection calculator — for any visitor.
    "content:info_index",
    "content:info_page",
    "content:news_list",
    "content:news_detail",
    "content:help",
    "content:instruction",
    "connection:calculator",
    "connection:document",
    # The installable app (P2): the same for everyone, nothing personal (lkk/core/pwa.py).
    "manifest",
    "service_worker",
    "offline",
}
#: Parameters of public routes that are not customer objects → a value for them.
PUBLIC_PARAMS: dict[str, Callable[[object], str]] = {
    "key": lambda a: _captcha_key(),
    "token": lambda a: "not-a-real-link-token",
    "info_slug": lambda a: _public_content("info_slug"),
    "news_id": lambda a: _public_content("news_id"),
    "instruction": lambda a: _public_content("instruction"),
    "document": lambda a: _public_content("document"),
}
#: Public routes that answer only a script: the headers it sends.
PUBLIC_HEADERS = {"captcha-refresh": {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}}
#: The second factor of operators and admins (lkk/accounts/tests/test_otp.py): an anonymous
#: visitor is sent to the login page, a customer away from it.
STAFF_STEPS = {"accounts:otp_verify", "accounts:otp_setup"}
#: The operators' pages (O1, lkk/accounts/tests/test_moderation.py): an anonymous visitor is sent
#: to the login page, a customer gets a 404.
STAFF_ONLY = {
    "backoffice:home",
    "backoffice:moderation_queue",
    "backoffice:moderation_detail",
    "backoffice:moderation_decide",
    "backoffice:moderation_document",
    "backoffice:office_issue",
    "applications:staff_queue",  # lkk/applications/tests/test_applications.py
    "applications:staff_detail",
    "applications:staff_assign",
    "applications:staff_transition",
    "applications:staff_reply",
    "applications:staff_stage",
    "applications:staff_document",
    "appointments:office_day",
    "appointments:visit_mark",
    "appointments:slot_block",
    "outages:manage",
    "outages:manage_new",
    "outages:manage_edit",
    "outages:manage_import",
    "outages:import_template",
    # The editors of news, pages, FAQ, instructions, surveys and connection rates (S2–S5, T3).
    *(f"content:manage_{v}" for v in ("list", "create", "edit", "delete")),
    *(f"connection:manage_{v}" for v in ("list", "create", "edit", "delete")),
    *(f"surveys:manage_{v}" for v in ("list", "create", "edit", "results", "export")),
    "exchange:batch_list",  # lkk/exchange/tests/test_api.py
    "exchange:batch_detail",
}
STAFF_PARAMS: dict[str, Callable[[object], object]] = {
    "pk": lambda a: 1,
    "doc_pk": lambda a: 1,
    "kind": lambda a: "news",
    "table": lambda a: "rates",
}
#: Machine-to-machine routes: the exchange with billing (I1, I2; lkk/exchange/tests/test_api.py).
#: Billing's data are every customer's, so no customer scope applies: only a system's bearer
#: token opens them, and no session (a customer's, an operator's) counts — without the token
#: they answer 401 to everyone. `test_machine_routes_need_the_token` below.
MACHINE = {"exchange:api_import", "exchange:api_export", "exchange:api_export_ack"}
MACHINE_PARAMS: dict[str, Callable[[object], object]] = {
    "entity": lambda a: "counterparties",
    "source": lambda a: "readings",
    "batch_id": lambda a: 1,
}
MACHINE_TOKEN = "t" * 40
#: Routes that exist only with DEBUG or DEMO_MODE: with neither (as in production) they are a 404.
DEV_ONLY = {"notifications:dev_outbox"}
#: Routes that only change state by POST and then redirect (tested in their own modules).
POST_ONLY = {
    "accounts:logout",
    "set_language",
    "accounts:sessions_end_others",
    "accounts:consent_withdraw",
    "customers:switch_counterparty",  # lkk/customers/tests/test_switcher.py
    "notifications:read_all",  # lkk/notifications/tests/test_notices.py
    # lkk/applications/tests/test_applications.py (another customer's: 404 on POST too)
    "applications:submit",
    "applications:delete",
    "applications:message",
    "applications:rate",
    "appointments:cancel",  # lkk/appointments/tests/test_booking.py
    "outages:subscription_delete",  # lkk/outages/tests/test_outages.py
    "notifications:push_subscribe",  # lkk/notifications/tests/test_push.py
    "notifications:push_unsubscribe",  # lkk/notifications/tests/test_push.py
    "accounts:api_token_revoke",  # lkk/api/tests/test_auth.py (another's token: 404)
    "reports:retry",  # lkk/reports/tests/test_reports.py
}
#: The Django admin has its own login and is covered by tests/test_admin.py.
SEPARATELY_TESTED_NAMESPACES = {"admin", "api"}
# "api": the REST API has its own walker over its OpenAPI schema, as customer B and as a user
# granted one contract (lkk/api/tests/test_isolation_api.py).

#: URL parameter → how to get customer A's object for it.
OBJECTS: dict[str, Callable[[object], int]] = {
    "counterparty_id": lambda a: a.counterparty.pk,
    "contract_id": lambda a: a.contract.pk,
    "object_id": lambda a: a.meter.metering_point.consumption_object_id,
    "point_id": lambda a: a.meter.metering_point_id,
    "meter_id": lambda a: a.meter.pk,
    "submission_id": lambda a: a.submission.pk,
    "upload_id": lambda a: _upload_of(a),
    "notification_id": lambda a: _notice_of(a.user, a.contract.number),
    "application_id": lambda a: _application_of(a.user, a.contract).pk,
    "attachment_id": lambda a: _application_of(a.user, a.contract).attachments.get().pk,
    "appointment_id": lambda a: _visit_of(a.user, a.contract.number),
    "subscription_id": lambda a: _subscription_of(a.user),
    "survey_id": lambda a: _survey_for(a),
    "token_id": lambda a: _token_of(a.user),
    "document_id": lambda a: _document_of(a.contract),
    "report_id": lambda a: _report_of(a.user, a.contract),
}
#: URL parameters that are not customer objects (the kind of a new application) → a value.
FIXED_PARAMS: dict[str, Callable[[object], str]] = {"kind": lambda a: "complaint"}
#: Query parameters that pick an object on pages without a path parameter.
QUERY_OBJECTS: dict[str, str] = {"contract": "contract_id"}


def _upload_of(a) -> int:
    """Customer A has no upload of readings: a minimal one is made for the test."""
    import uuid

    from lkk.readings.models import BulkUpload

    return BulkUpload.objects.create(
        token=uuid.uuid4(), counterparty=a.counterparty, uploaded_by=a.user, file_name="a.xlsx"
    ).pk


def _notice_of(user, about: str) -> int:
    """A notice in the user's «Уведомления» that names `about` (a contract's number); no copy by
    email (the demo-only outbox page shows every message sent, by design)."""
    from lkk.notifications.services import notify

    title = f"Заявка по договору {about}"
    return notify(user, topic="applications", title=title, channels=()).pk


def _application_of(user, contract):
    """A draft application of `user` on `contract` with one attached file (made once)."""
    from django.core.files.base import ContentFile

    from lkk.applications.models import Application, Attachment

    found = Application.objects.filter(author=user, contract=contract).first()
    if found is not None:
        return found
    app = Application.objects.create(
        kind="complaint",
        counterparty=contract.counterparty,
        contract=contract,
        author=user,
        data={"topic": "other", "text": f"Жалоба по договору {contract.number}"},
    )
    attachment = Attachment(
        application=app, uploaded_by=user, name="акт.pdf", content_type="application/pdf", size=9
    )
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return app


def _visit_of(user, about: str) -> int:
    """A visit booked by the user tomorrow, its comment naming `about` (a contract's number)."""
    import datetime as dt

    from django.utils import timezone

    from lkk.appointments.models import Appointment, Office, Service, Slot

    service, _ = Service.objects.get_or_create(name="Консультация")
    office, _ = Office.objects.get_or_create(name="Офис", defaults={"address": "г. Рязань"})
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2, minutes=user.pk)
    slot = Slot.objects.create(
        office=office, starts_at=start, ends_at=start + dt.timedelta(minutes=1), taken=1
    )
    return Appointment.objects.create(
        user=user, office=office, service=service, slot=slot, comment=f"Договор {about}"
    ).pk


def _subscription_of(user) -> int:
    from lkk.outages.models import Subscription

    return Subscription.objects.create(user=user, settlement="Рязань", street="Ленина").pk


def _survey_for(a) -> int:
    """An open survey for ИП: customer A becomes an ИП, customer B (an ЮЛ) is not meant."""
    from lkk.surveys.models import Survey

    a.counterparty.kind = "ip"
    a.counterparty.save(update_fields=["kind"])
    return Survey.objects.create(title="Опрос для ИП", audience="ip", status="open").pk


def _survey_of_audience(audience: str) -> int:
    from lkk.surveys.models import Question, Survey

    survey = Survey.objects.create(title=f"Опрос {audience}", audience=audience, status="open")
    Question.objects.create(survey=survey, kind="scale", text="Оценка")
    return survey.pk


def _public_content(param: str) -> object:
    """Published news, a page, an instruction and a connection document anyone may open."""
    from django.core.files.base import ContentFile

    from lkk.connection.models import ConnectionDocument
    from lkk.content.models import InfoPage, Instruction, News

    if param == "news_id":
        return News.objects.create(title="Н", summary="К", body="Т", status="published").pk
    if param == "info_slug":
        return InfoPage.objects.get_or_create(slug="tariffs", defaults={"title": "Т", "body": "Т"})[
            0
        ].slug
    model = Instruction if param == "instruction" else ConnectionDocument
    slug = "registration" if param == "instruction" else "terms"
    found = model.objects.filter(**({"slug": slug} if param == "instruction" else {"kind": slug}))
    if not found.exists():
        doc = (
            Instruction(slug=slug, title="Инструкция", file_name="i.pdf")
            if param == "instruction"
            else ConnectionDocument(kind=slug, file_name="t.pdf")
        )
        doc.file.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return slug


def _token_of(user) -> int:
    """An app login (API token) of the user, for «Активные сеансы»."""
    from django.test import RequestFactory

    from lkk.api.services import token_issue

    return token_issue(request=RequestFactory().get("/"), user=user)[0].pk


def _document_of(contract) -> int:
    """A billing document (B2) of the contract: customer A has none of its own."""
    import datetime as dt
    from decimal import Decimal

    from lkk.billing.models import Document

    return Document.objects.create(
        billing_id=f"DOC-{contract.pk}", contract=contract, kind=Document.Kind.INVOICE,
        number=f"{contract.number}/1", issued_on=dt.date(2026, 10, 3),
        period=dt.date(2026, 9, 1), amount=Decimal("1000.00"),
    ).pk  # fmt: skip


def _report_of(user, contract) -> int:
    """A consumption report of the user's over the contract, built at once (eager Celery)."""
    import datetime as dt

    from lkk.reports.builders import Params
    from lkk.reports.services import report_build, report_order

    params = Params(dt.date(2026, 1, 1), dt.date(2026, 10, 1), (contract.pk,))
    report = report_order(
        user=user, counterparty_id=contract.counterparty_id, kind="consumption", params=params
    )
    report_build(report.pk)
    return report.pk


def _captcha_key() -> str:
    from captcha.models import CaptchaStore

    return CaptchaStore.generate_key()


def _text_of(response) -> str:
    """A page's text; for a download packed as a zip (XLSX), the text of every part in it."""
    import io
    import zipfile

    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return content.decode("utf-8", "replace")  # an image (the captcha) has no text to betray


def _walk(patterns, namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            if ns in SEPARATELY_TESTED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, full)
        elif isinstance(entry, URLPattern):
            pattern = entry.pattern
            params = list(getattr(pattern, "converters", {}) or pattern.regex.groupindex)
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, params


ROUTES = sorted(set((name, tuple(params)) for name, params in _walk(get_resolver().url_patterns)))


def _marks_of(a) -> list[str]:
    """Texts that would betray customer A's data on a page."""
    return [a.contract.number, a.counterparty.short_name, a.meter.serial_number]


def test_every_route_is_known():
    names = [name for name, _ in ROUTES]
    assert all(name for name in names), "every route needs a name to be tested"
    for name, params in ROUTES:
        known = {
            **OBJECTS,
            **FIXED_PARAMS,
            **(PUBLIC_PARAMS if name in PUBLIC else {}),
            **(STAFF_PARAMS if name in STAFF_ONLY else {}),
            **(MACHINE_PARAMS if name in MACHINE else {}),
        }
        unknown = [p for p in params if p not in known]
        assert not unknown, f"{name}: the isolation test does not know parameter(s) {unknown}"
    assert len(ROUTES) >= 12


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[n for n, _ in ROUTES])
def test_route_isolation(client, settings, customer_a, customer_b, name, params):
    values = {
        **OBJECTS,
        **FIXED_PARAMS,
        **(PUBLIC_PARAMS if name in PUBLIC else {}),
        **(STAFF_PARAMS if name in STAFF_ONLY else {}),
        **(MACHINE_PARAMS if name in MACHINE else {}),
    }
    url = reverse(name, kwargs={p: values[p](customer_a) for p in params})
    if name in MACHINE:
        assert client.get(url).status_code == 401
        assert client.post(url, {}).status_code == 401
        client.force_login(customer_a.user)
        assert client.get(url).status_code == 401
        assert client.post(url, {}).status_code == 401
        return
    if name in DEV_ONLY:
        assert not (settings.DEBUG or settings.DEMO_MODE)
        assert client.get(url).status_code == 404
        settings.DEMO_MODE = True
    if name in POST_ONLY:
        response = client.get(url)
        assert response.status_code in (302, 405)
        return

    anonymous = client.get(url, **PUBLIC_HEADERS.get(name, {}))
    if name in PUBLIC:
        assert anonymous.status_code == 200
        return
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("accounts:login"))
    if name in STAFF_STEPS:
        client.force_login(customer_a.user)
        away = client.get(url)
        assert away.status_code == 302
        assert not away.url.startswith(reverse("accounts:login"))
        return
    if name in STAFF_ONLY:
        client.force_login(customer_a.user)
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
        return

    client.force_login(customer_a.user)
    assert client.get(url).status_code == 200, "the owner must see their own object"

    client.force_login(customer_b.user)
    response = client.get(url)
    if [p for p in params if p not in FIXED_PARAMS]:
        assert response.status_code == 404
        # Writing through another customer's object is refused the same way.
        assert client.post(url, {}).status_code == 404
        return
    assert response.status_code == 200
    body = _text_of(response)
    for mark in _marks_of(customer_a):
        assert mark not in body
    # A list narrowed to A's contract by a query parameter shows B nothing of A either.
    for query, param in QUERY_OBJECTS.items():
        narrowed = client.get(url, {query: OBJECTS[param](customer_a)})
        assert narrowed.status_code in (200, 404)
        for mark in _marks_of(customer_a):
            assert mark not in _text_of(narrowed)


def test_limited_grant_sees_only_granted_contracts(client, customer_a):
    """A grant limited to some contracts hides the counterparty's other contracts."""
    from lkk.customers.models import AccessGrant
    from lkk.customers.tests.factories import ContractFactory, UserFactory

    other = ContractFactory(counterparty=customer_a.counterparty, number="T-HIDDEN-1")
    clerk = UserFactory(username="clerk")
    grant = AccessGrant.objects.create(
        user=clerk, counterparty=customer_a.counterparty, all_contracts=False
    )
    grant.contracts.add(customer_a.contract)
    client.force_login(clerk)
    listing = client.get(reverse("customers:contract_list")).content.decode()
    assert customer_a.contract.number in listing
    assert "T-HIDDEN-1" not in listing
    assert client.get(reverse("customers:contract_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("customers:home"), {"contract": other.pk}).status_code == 404


# --- The walk as a user granted one contract of a counterparty (SECURITY.md, Access control) ---

#: Routes that answer a file: the variants of each to download. A route that answers a file
#: and is not listed here fails the walk, so that every format of a new download is checked.
DOWNLOADS: dict[str, Callable[[Limited], list[dict[str, object]]]] = {
    "readings:history_export": lambda lim: [{"format": "csv"}, {"format": "xlsx"}],
    "billing:contract_export": lambda lim: [
        {"format": "csv"},
        {"format": "xlsx"},
        {"format": "xlsx", "from": "2020-01-01", "to": "2030-12-31"},
    ],
    "billing:document_download": lambda lim: [{}],
    "reports:download": lambda lim: [{"format": "xlsx"}, {"format": "pdf"}],
    "readings:bulk_template": lambda lim: [
        {},
        {"counterparty": lim.counterparty.pk},
        {"contract": lim.granted["contract_id"]},
    ],
    "applications:attachment": lambda lim: [{}],
    "content:instruction": lambda lim: [{}],
    "connection:document": lambda lim: [{}],
    "surveys:manage_export": lambda lim: [{"format": "csv"}, {"format": "xlsx"}],
}
#: Counts a page shows besides its paginator's: (pattern, what contract 1 alone gives).
COUNTS: dict[str, list[tuple[str, str]]] = {
    "customers:counterparty_list": [(r'data-testid="contract-count">(\d+)<', "1")],
    "customers:counterparty_detail": [(r"(\d+), из них действующих: (\d+)", "1")],
    "customers:home": [
        (r"Точек учёта</dt><dd[^>]*>(\d+)<", "1"),
        (r"Приборов учёта</dt><dd[^>]*>(\d+)<", "1"),
    ],
    "customers:contract_detail": [
        (r"Точки учёта \((\d+)\)", "1"),
        (r"Приборы учёта \((\d+)\)", "1"),
        (r"ТУ: (\d+)", "1"),
    ],
}
#: Lists of the user's own rows, not of contracts (his notices: one per application he filed,
#: one per status…): their counts are not contract 1's one of everything; marks still checked.
OWN_ROWS = {"notifications:list"}
PAGINATOR = re.compile(r"Найдена (\d+) запись|Найдено записей: (\d+)")


@dataclass
class Limited:
    user: object
    counterparty: object
    granted: dict[str, int]  # URL parameter → contract 1's object (or the shared counterparty)
    hidden: dict[str, int]  # URL parameter → contract 2's object
    marks: list[str]  # what would betray contract 2 on a page or in a file


def _contract_with_everything(counterparty, n: int) -> dict[str, object]:
    """Contract № n with one of everything, each named so that a page betrays it by text."""
    import datetime as dt
    from decimal import Decimal

    from lkk.billing.models import Charge, Document, Payment
    from lkk.customers.models import Contact
    from lkk.customers.tests.factories import ContractFactory, MeterFactory

    contract = ContractFactory(counterparty=counterparty, number=f"LIM{n}-CONTRACT")
    meter = MeterFactory(
        metering_point__consumption_object__contract=contract,
        metering_point__consumption_object__name=f"Объект LIM{n}",
        metering_point__code=f"LIM{n}POINT",
        serial_number=f"LIM{n}SERIAL",
    )
    money = {"amount": Decimal("1000.00")}
    Charge.objects.create(
        billing_id=f"LIM{n}-CH", contract=contract, period=dt.date(2026, 9, 1), kwh=10, **money
    )
    Payment.objects.create(
        billing_id=f"LIM{n}-P",
        contract=contract,
        paid_on=dt.date(2026, 10, 5),
        document_number=f"LIM{n}-PAY",
        **money,
    )
    document = Document.objects.create(
        billing_id=f"LIM{n}-D",
        contract=contract,
        kind=Document.Kind.INVOICE,
        number=f"LIM{n}-DOC",
        issued_on=dt.date(2026, 9, 30),
        **money,
    )
    email, phone = f"lim{n}.contact@example.ru", f"+7900{n}{n}{n}{n}{n}{n}{n}"
    for kind, value in ((Contact.Kind.EMAIL, email), (Contact.Kind.PHONE, phone)):
        Contact.objects.create(
            billing_id=f"LIM{n}-{kind}",
            counterparty=counterparty,
            contract=contract,
            kind=kind,
            value=value,
            person=f"Контакт LIM{n}",
        )
    return {
        "contract": contract,
        "meter": meter,
        "document": document,
        "marks": [
            contract.number,
            meter.metering_point.code,
            meter.serial_number,
            f"Объект LIM{n}",
            f"LIM{n}-PAY",
            f"LIM{n}-DOC",
            email,
            phone,
            f"Контакт LIM{n}",
        ],
    }


@pytest.fixture
def limited(db) -> Limited:
    """A counterparty with contracts 1 and 2; a clerk granted contract 1 only, and a director
    granted the whole counterparty. The clerk's receipt (and its upload) is from before his
    grant was narrowed: it holds readings of both contracts. The director's is of contract 2."""
    import datetime as dt
    import uuid

    from lkk.customers.models import AccessGrant
    from lkk.customers.tests.factories import CounterpartyFactory, ReadingFactory, UserFactory
    from lkk.readings.models import BulkUpload, Submission

    counterparty = CounterpartyFactory(short_name="ООО «Два договора»")
    first = _contract_with_everything(counterparty, 1)
    second = _contract_with_everything(counterparty, 2)
    clerk, director = UserFactory(username="clerk"), UserFactory(username="director")
    AccessGrant.objects.create(user=director, counterparty=counterparty)
    grant = AccessGrant.objects.create(user=clerk, counterparty=counterparty, all_contracts=False)
    grant.contracts.add(first["contract"])

    receipts, uploads = {}, {}
    for user, meters, day in (
        (clerk, [first["meter"], second["meter"]], dt.date(2026, 10, 20)),
        (director, [second["meter"]], dt.date(2026, 10, 25)),
    ):
        submission = Submission.objects.create(
            token=uuid.uuid4(), counterparty=counterparty, submitted_by=user, channel="upload"
        )
        for meter in meters:
            ReadingFactory(meter=meter, submission=submission, submitted_by=user, read_on=day)
        receipts[user] = submission.pk
        uploads[user] = BulkUpload.objects.create(
            token=submission.token,
            counterparty=counterparty,
            uploaded_by=user,
            file_name=f"{user.username}.xlsx",
            rows_total=len(meters),
            rows_accepted=len(meters),
            submission=submission,
        ).pk

    def objects(c: dict[str, object], user, audience: str) -> dict[str, int]:
        point = c["meter"].metering_point
        return {
            "contract_id": c["contract"].pk,
            "object_id": point.consumption_object_id,
            "point_id": point.pk,
            "meter_id": c["meter"].pk,
            "submission_id": receipts[user],
            "upload_id": uploads[user],
            "notification_id": _notice_of(user, c["contract"].number),
            "application_id": _application_of(user, c["contract"]).pk,
            "attachment_id": _application_of(user, c["contract"]).attachments.get().pk,
            "appointment_id": _visit_of(user, c["contract"].number),
            "subscription_id": _subscription_of(user),
            # A survey for the counterparty's category (ЮЛ), and one for ФЛ it is not meant for.
            "survey_id": _survey_of_audience(audience),
            "token_id": _token_of(user),
            "document_id": c["document"].pk,
            "report_id": _report_of(user, c["contract"]),
        }

    granted = {**objects(first, clerk, "ul"), "counterparty_id": counterparty.pk}
    assert set(granted) == set(OBJECTS), "every object parameter needs a case here"
    return Limited(
        user=clerk,
        counterparty=counterparty,
        granted=granted,
        hidden=objects(second, director, "fl"),
        marks=second["marks"],
    )


def _assert_nothing_of_contract_2(response, lim: Limited, name: str) -> None:
    disposition = response.get("Content-Disposition", "")
    if disposition.startswith("attachment"):
        assert name in DOWNLOADS, f"{name} answers a file: list its variants in DOWNLOADS"
    body = _text_of(response)
    for mark in lim.marks:
        assert mark not in body, f"{name} shows {mark!r} of a contract the user was not granted"
    # Contract 1 has one of everything: a list or a count that says more counts contract 2.
    for found in PAGINATOR.findall(body) if name not in OWN_ROWS else ():
        assert int("".join(found)) <= 1, f"{name} counts rows of the other contract"
    for pattern, expected in COUNTS.get(name, []):
        shown = re.findall(pattern, body)
        assert shown, f"{name}: the count {pattern!r} is not on the page"
        for groups in shown:
            values = groups if isinstance(groups, tuple) else (groups,)
            assert set(values) == {expected}, f"{name}: {pattern!r} shows {values}"


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[n for n, _ in ROUTES])
def test_limited_grant_route_isolation(client, settings, limited, name, params):
    """A user granted contract 1 of a counterparty finds nothing of its contract 2 anywhere: its
    objects are 404 by GET and POST, and no page, file or count betrays them."""
    if name in POST_ONLY:
        return  # they change state and redirect; tested in their own modules
    if name in DEV_ONLY:
        settings.DEMO_MODE = True
    client.force_login(limited.user)
    fixed = {
        **FIXED_PARAMS,
        **(PUBLIC_PARAMS if name in PUBLIC else {}),
        **(STAFF_PARAMS if name in STAFF_ONLY else {}),
        **(MACHINE_PARAMS if name in MACHINE else {}),
    }
    kwargs = {p: fixed[p](limited) if p in fixed else limited.granted[p] for p in params}
    url = reverse(name, kwargs=kwargs)
    headers = PUBLIC_HEADERS.get(name, {})
    if name in MACHINE:
        assert client.get(url).status_code == 401
        assert client.post(url, {}).status_code == 401
        return
    if name in STAFF_ONLY:
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
        return
    if name in STAFF_STEPS:
        assert client.get(url).status_code == 302
        return

    variants = DOWNLOADS[name](limited) if name in DOWNLOADS else [{}]
    hidden = [p for p in params if p in limited.hidden]
    if hidden:
        other = reverse(name, kwargs={**kwargs, **{p: limited.hidden[p] for p in hidden}})
        for variant in variants:
            assert client.get(other, variant).status_code == 404, f"{name}: GET {other}"
        assert client.post(other, {}).status_code == 404, f"{name}: POST {other}"

    for variant in variants:
        response = client.get(url, variant, **headers)
        if name in PUBLIC and response.status_code == 302:
            continue  # a page for visitors sends a logged-in user on
        assert response.status_code == 200, f"{name}: the user's own contract must be seen"
        _assert_nothing_of_contract_2(response, limited, name)
        # Narrowed to contract 2 by a query parameter: a 404, or nothing of it.
        for query, param in QUERY_OBJECTS.items():
            narrowed = client.get(url, {**variant, query: limited.hidden[param]}, **headers)
            assert narrowed.status_code in (200, 302, 404)
            if narrowed.status_code == 200:
                _assert_nothing_of_contract_2(narrowed, limited, name)


def test_the_limited_walk_sees_contract_2_as_its_director(client, limited):
    """The marks are real: the director, granted the whole counterparty, finds contract 2's."""
    from lkk.customers.models import AccessGrant

    director = AccessGrant.objects.get(counterparty=limited.counterparty, all_contracts=True).user
    client.force_login(director)
    page = client.get(reverse("customers:counterparty_detail", args=[limited.counterparty.pk]))
    body = page.content.decode()
    assert "lim2.contact@example.ru" in body and "+79002222222" in body
    assert "2, из них действующих: 2" in body
    listing = client.get(reverse("customers:counterparty_list")).content.decode()
    assert 'data-testid="contract-count">2<' in listing
    contract = client.get(
        reverse("customers:contract_detail", args=[limited.hidden["contract_id"]])
    )
    assert "LIM2-PAY" in contract.content.decode()
    meters = client.get(reverse("customers:meter_list")).content.decode()
    assert "LIM2SERIAL" in meters and "Найдено записей: 2" in meters


@pytest.mark.parametrize("name", sorted(MACHINE))
def test_machine_routes_need_the_token(client, settings, customer_a, name):
    """The exchange API: a session is no credential, a wrong token is 403, billing's token
    passes (the view's own answer: 200, 400, 404 or 405 — never a login page)."""
    settings.LKK_EXCHANGE_TOKENS = {"billing": MACHINE_TOKEN}
    params = [p for n, ps in ROUTES if n == name for p in ps]
    url = reverse(name, kwargs={p: MACHINE_PARAMS[p](customer_a) for p in params})
    client.force_login(customer_a.user)
    for method in (client.get, client.post):
        assert method(url).status_code == 401
        assert method(url, HTTP_AUTHORIZATION="Bearer " + "x" * 40).status_code == 403
        answer = method(url, HTTP_AUTHORIZATION=f"Bearer {MACHINE_TOKEN}")
        assert answer.status_code in (200, 400, 404, 405), answer.status_code
        assert answer["Content-Type"].startswith("application/json") or answer.status_code == 405
