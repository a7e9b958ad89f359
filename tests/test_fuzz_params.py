"""Hostile query parameters on every route of Django's URL map: never a server error.

Each route is fuzzed with the query parameters its view reads, declared below as data; a
request without parameters records what the view really reads, so a view that starts reading
a new parameter fails here until it is declared. A route that is neither fuzzed nor excluded
with a reason fails `test_every_route_is_fuzzed_or_excluded`.

Every parameter first gets each value of `HOSTILE` (Unicode digits that `str.isdigit()` takes,
ids past a bigint, NUL, SQL and HTML fragments, repeated parameters), then hypothesis mixes
them with random text. The module runs on SQLite and, in the second pass of `make test`, on
PostgreSQL, which refuses NUL in text and ids past a bigint in its own way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.functional import cached_property
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lkk.accounts.models import RegistrationDocument, RegistrationRequest
from lkk.applications import services
from lkk.applications.kinds import KINDS
from lkk.appointments.models import Appointment, Office, Service, Slot
from lkk.billing.models import Document
from lkk.core.uploads import uploads_check
from lkk.customers.models import AccessGrant, Contract
from lkk.customers.tests.factories import ContractFactory
from lkk.notifications.services import notify
from lkk.outages.models import Subscription
from lkk.readings.models import BulkUpload
from lkk.reports.models import Report

#: `str.isdigit()` is true for these, and `int()` refuses them or reads a number nobody typed.
UNICODE_DIGITS = ("²", "①", "٣", "१२", "１２", "𝟙", "3²", "߁")
#: Plain numbers past a bigint: SQLite overflows, PostgreSQL refuses; Python refuses to read
#: an int of more than 4300 digits.
TOO_BIG = ("99999999999999999999999", str(2**63), "9" * 4301)
#: Values that have broken, or could break, a parameter's parser.
HOSTILE: tuple[str, ...] = (
    *UNICODE_DIGITS,
    *TOO_BIG,
    *(str(2**63 - 1), str(-(2**63) - 1)),
    *("-1", "0", "00", "+1", "1e9", "1.5", "1,5", "0x1F", "1_000", "NaN", "inf"),
    *("", " ", "\t", "\x00", "1\x00", "\x00\x01\x1f\x7f", "\n1", "1\n", "\u202e1", "😀"),
    *("' OR '1'='1", "1; DROP TABLE customers_contract;--", "%", "_", "\\", "%00", "%s"),
    *("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}", "{% now %}"),
    *("../../etc/passwd", "-", "--", "--name", "-number", "x" * 3000),
    *("all", "due", "active", "csv", "xlsx", "2026-02-30", "2026-11-20", "true", "null"),
)

#: Names no view reads, among them those of QueryDict's methods: a template's
#: `request.GET.items` looks up a parameter named «items» before the method.
STRAY = ("id", "contract", "page", "items", "lists", "keys")

LIST = ("page", "q", "sort")
#: Routes a logged-in customer opens → the query parameters their views read.
CUSTOMER_ROUTES: dict[str, tuple[str, ...]] = {
    "customers:home": ("contract", "page", "q"),
    "customers:counterparty_list": LIST,
    "customers:counterparty_detail": (),
    "customers:contract_list": (*LIST, "status"),
    "customers:contract_detail": (),
    "customers:object_list": (*LIST, "contract"),
    "customers:object_detail": ("page",),
    "customers:point_list": (*LIST, "contract"),
    "customers:point_detail": (),
    "customers:meter_list": (*LIST, "contract", "verification"),
    "customers:meter_detail": ("page",),
    "readings:start": LIST,
    "readings:submit_contract": ("page",),
    "readings:submit_meter": ("page",),
    "readings:receipt": ("page",),
    "readings:receipt_correct": (),
    "readings:history": ("page",),
    "readings:history_export": ("format",),
    "readings:bulk": ("contract", "counterparty"),
    "readings:bulk_template": ("contract", "counterparty"),
    "readings:bulk_result": ("page",),
    "accounts:agreement": (),
    "accounts:consent": ("next",),
    "accounts:profile": (),
    "accounts:password_change": (),
    "accounts:email_change": (),
    "accounts:phone_change": (),
    "accounts:notification_preferences": (),
    "notifications:list": ("page", "show"),
    "notifications:open": (),
    "accounts:binding": (),
    "accounts:binding_code": (),
    "applications:list": (*LIST, "status", "kind", "contract"),
    "applications:new": (),
    "applications:create": ("contract",),
    "applications:detail": (),
    "applications:edit": (),
    "applications:attachment": (),
    "appointments:list": ("page",),
    "appointments:new": ("office", "service", "day"),
    "appointments:detail": (),
    "appointments:move": ("day",),
    "outages:subscriptions": ("page",),
    "surveys:list": (),
    "surveys:answer": (),
    "billing:index": LIST,
    "billing:contract": ("from", "to"),
    "billing:contract_export": ("format", "from", "to"),
    "billing:contract_qr": (),
    "billing:documents": (*LIST, "kind", "contract", "from", "to"),
    "billing:document_download": (),
    "reports:new": (),
    "reports:list": ("page",),
    "reports:detail": (),
    "reports:status": (),
    "reports:download": ("format",),
}
#: Routes an anonymous visitor opens (login, registration, recovery) → their query parameters.
PUBLIC_ROUTES: dict[str, tuple[str, ...]] = {
    "accounts:login": ("next",),
    "accounts:register": (),
    "accounts:register_contract": (),
    "accounts:register_ul": (),
    "accounts:register_ip": (),
    "accounts:register_fl": (),
    "accounts:register_code": (),
    "accounts:register_link": ("t",),
    "accounts:register_done": (),
    "accounts:register_steps": ("step",),
    "accounts:signup": (),
    "accounts:activate": ("t",),
    "accounts:password_reset": (),
    "accounts:password_reset_confirm": (),
    "accounts:password_reset_link": (),
    "outages:list": ("settlement", "street", "house", "date_from", "date_to", "page"),
    "content:info_index": (),
    "content:info_page": (),
    "content:news_list": ("page",),
    "content:news_detail": (),
    "content:help": (),
    "content:instruction": (),
    "connection:calculator": ("purpose", "power_kw", "previous_kw", "voltage", "category"),
    "connection:document": (),
}
#: Routes an operator opens after the second factor (the back office) → their parameters.
STAFF_ROUTES: dict[str, tuple[str, ...]] = {
    "backoffice:home": (),
    "backoffice:moderation_queue": (),
    "backoffice:moderation_detail": (),
    "backoffice:moderation_document": (),
    "backoffice:office_issue": ("inn", "counterparty"),
    "applications:staff_queue": ("status", "kind", "overdue", "mine", "q", "page"),
    "applications:staff_detail": (),
    "applications:staff_document": (),
    "appointments:office_day": ("office", "day"),
    "outages:manage": ("page",),
    "outages:manage_new": (),
    "outages:manage_edit": (),
    "outages:manage_import": (),
    "outages:import_template": (),
    "content:manage_list": ("page",),
    "content:manage_create": (),
    "content:manage_edit": (),
    "connection:manage_list": ("page",),
    "connection:manage_create": (),
    "connection:manage_edit": (),
    "surveys:manage_list": ("page",),
    "surveys:manage_create": (),
    "surveys:manage_edit": (),
    "surveys:manage_results": (),
    "surveys:manage_export": ("format",),
    "exchange:batch_list": ("page",),
    "exchange:batch_detail": (),
}
#: The second factor's steps, opened by an operator right after the password.
SECOND_FACTOR_ROUTES: dict[str, tuple[str, ...]] = {
    "accounts:otp_verify": ("next",),
    "accounts:otp_setup": ("next",),
}
#: Routes not fuzzed here, and why.
EXCLUDED: dict[str, str] = {
    "customers:switch_counterparty": "POST only: test_switcher_refuses_hostile_ids below",
    "backoffice:moderation_decide": "POST only: test_moderation_ignores_hostile_ids below",
    "accounts:logout": "Django's LogoutView: POST only, `next` checked by Django",
    "accounts:sessions_end_others": "POST only, reads no parameter",
    "accounts:consent_withdraw": "POST only, reads no parameter",
    "set_language": "Django's own view: `language` checked against LANGUAGES, `next` by Django",
    "captcha-image": "django-simple-captcha's view: reads no query parameter",
    "captcha-refresh": "django-simple-captcha's view: reads no query parameter",
    "notifications:dev_outbox": "exists only with DEBUG or DEMO_MODE; reads no parameter",
    "notifications:read_all": "POST only, reads no parameter",
    "applications:submit": "POST only, reads no parameter",
    "applications:delete": "POST only, reads no parameter",
    "applications:message": "POST only, reads no parameter",
    "applications:rate": "POST only, reads no parameter",
    "applications:staff_assign": "POST only (back office), reads no parameter",
    "applications:staff_transition": "POST only (back office), reads no parameter",
    "applications:staff_reply": "POST only (back office), reads no parameter",
    "applications:staff_stage": "POST only (back office), reads no parameter",
    "appointments:cancel": "POST only, reads no parameter",
    "appointments:visit_mark": "POST only (operator): `mark`, `office`, `day` by core.params",
    "appointments:slot_block": "POST only (operator): `blocked`, `office`, `day` by core.params",
    "outages:subscription_delete": "POST only, reads no parameter",
    "content:manage_delete": "POST only, reads no parameter",
    "connection:manage_delete": "POST only, reads no parameter",
    # The exchange API reads no query parameter; without billing's token every request is a
    # 401 before any is read (tests/test_isolation.py::test_machine_routes_need_the_token);
    # hostile bodies: lkk/exchange/tests/test_api.py, test_import.py.
    "exchange:api_import": "machine-to-machine (token), no query parameter: test_api.py",
    "exchange:api_export": "machine-to-machine (token), reads no query parameter: test_api.py",
    "exchange:api_export_ack": "machine-to-machine (token), POST JSON body: test_api.py",
    "notifications:push_subscribe": "POST only (JSON): lkk/notifications/tests/test_push.py",
    "notifications:push_unsubscribe": "POST only, reads no parameter",
    "accounts:api_token_revoke": "POST only: lkk/api/tests/test_auth.py",
    "manifest": "the web app manifest: reads no parameter (lkk/core/tests/test_pwa.py)",
    "service_worker": "the service worker: reads no parameter (lkk/core/tests/test_pwa.py)",
    "offline": "the offline page: reads no parameter (lkk/core/tests/test_pwa.py)",
    "reports:retry": "POST only, reads no parameter",
}
#: Namespaces with their own login and tests (tests/test_admin.py).
EXCLUDED_NAMESPACES = {
    "admin": "the Django admin: operators with a second factor",
    "api": "the REST API: schemathesis fuzzes every operation of its schema "
    "(lkk/api/tests/test_schemathesis.py)",
}

#: URL path parameter → customer A's object for it (as in tests/test_isolation.py).
OBJECTS: dict[str, Callable[[object], object]] = {
    "counterparty_id": lambda a: a.counterparty.pk,
    "contract_id": lambda a: a.contract.pk,
    "object_id": lambda a: a.meter.metering_point.consumption_object_id,
    "point_id": lambda a: a.meter.metering_point_id,
    "meter_id": lambda a: a.meter.pk,
    "submission_id": lambda a: a.submission.pk,
    "upload_id": lambda a: a.upload.pk,
    "token": lambda a: "not-a-real-link-token",
    "pk": lambda a: a.registration.pk,
    "doc_pk": lambda a: a.document.pk,
    "notification_id": lambda a: a.notice.pk,
    "application_id": lambda a: a.application.pk,
    "attachment_id": lambda a: a.attachment.pk,
    "kind": lambda a: "reconciliation",  # a new application's kind; the editors' below
    "appointment_id": lambda a: a.visit.pk,
    "subscription_id": lambda a: a.subscription.pk,
    "survey_id": lambda a: a.survey.pk,
    "info_slug": lambda a: "tariffs",
    "news_id": lambda a: a.news.pk,
    "instruction": lambda a: "registration",
    "document": lambda a: "terms",
    "table": lambda a: "rates",
    "document_id": lambda a: a.billing_document.pk,
    "report_id": lambda a: a.report.pk,
}
#: The same parameter name meaning another thing in a namespace: the editors' `kind` is a table.
NAMESPACE_OBJECTS: dict[tuple[str, str], Callable[[object], object]] = {
    ("content", "kind"): lambda a: "news",
}


def _walk(patterns, namespace: str = "") -> Iterator[tuple[str, tuple[str, ...]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in EXCLUDED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, f"{namespace}:{ns}" if namespace and ns else ns)
        elif isinstance(entry, URLPattern):
            pattern = entry.pattern
            params = tuple(getattr(pattern, "converters", {}) or pattern.regex.groupindex)
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), params


URL_MAP = dict(_walk(get_resolver().url_patterns))
FUZZED = {**CUSTOMER_ROUTES, **PUBLIC_ROUTES, **STAFF_ROUTES, **SECOND_FACTOR_ROUTES}
#: Route × parameter pairs fuzzed by this module.
PAIRS = [(name, param) for name, params in sorted(FUZZED.items()) for param in params]


def _values_of(params: tuple[str, ...]) -> st.SearchStrategy[dict[str, list[str]]]:
    """A query of some of `params` (plus a stray one), each given one to three values."""
    one = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
        st.from_regex(r"[+-]?[0-9]{1,30}", fullmatch=True),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=5),
    )
    names = st.sampled_from((*params, *STRAY))
    return st.dictionaries(names, st.lists(one, min_size=1, max_size=3), max_size=4)


@pytest.fixture
def customer(customer_a):
    """Customer A with an upload of readings whose rejected rows fill more than one page, and
    a registration request waiting for an operator that names A's counterparty."""
    customer_a.registration = RegistrationRequest.objects.create(
        way=RegistrationRequest.Way.UL,
        state=RegistrationRequest.State.PENDING,
        username="new-client",
        email="new@client.ru",
        channel="email",
        contact="new@client.ru",
        password_hash=make_password("Зелёный-слон-2024"),
        company_kind="ul",
        inn=customer_a.counterparty.inn,
        counterparty=customer_a.counterparty,
        contract_numbers=[customer_a.contract.number],
    )
    customer_a.document = RegistrationDocument.objects.create(
        request=customer_a.registration,
        file=SimpleUploadedFile("d.pdf", b"%PDF-1.4 fuzz"),
        name="доверенность.pdf",
        content_type="application/pdf",
        size=13,
    )
    customer_a.upload = BulkUpload.objects.create(
        token=uuid.uuid4(),
        counterparty=customer_a.counterparty,
        uploaded_by=customer_a.user,
        file_name="a.xlsx",
        rejected_rows=[{"row": i, "reason": "—"} for i in range(2, 250)],
    )
    customer_a.notice = notify(customer_a.user, topic="applications", title="Заявка принята")
    customer_a.application = _submitted_application(customer_a)
    customer_a.attachment = customer_a.application.attachments.get()
    customer_a.visit = _visit(customer_a.user)
    customer_a.subscription = Subscription.objects.create(
        user=customer_a.user, settlement="Рязань", street="Ленина"
    )
    _content_of(customer_a)
    customer_a.billing_document = Document.objects.create(
        billing_id="FUZZ-DOC", contract=customer_a.contract, kind=Document.Kind.INVOICE,
        number="FUZZ/1", issued_on=dt.date(2026, 10, 3), period=dt.date(2026, 9, 1),
        amount=Decimal("1000.00"),
    )  # fmt: skip
    customer_a.report = Report.objects.create(
        owner=customer_a.user, counterparty=customer_a.counterparty, kind="consumption",
        params={"start": "2026-01-01", "end": "2026-10-01", "contracts": []},
        expires_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    return customer_a


def _submitted_application(customer):
    """A complaint of A's with a file, submitted: the operator's queue shows it too."""
    checked = uploads_check(
        [SimpleUploadedFile("акт.pdf", b"%PDF-1.4 fuzz")], max_bytes=10**6, max_files=1,
        max_total=10**6,
    )  # fmt: skip
    app = services.application_save(
        user=customer.user,
        kind=KINDS["complaint"],
        counterparty=customer.counterparty,
        contract=customer.contract,
        data={"topic": "other", "text": "Жалоба"},
        files={"documents": checked},
    )
    return services.application_submit(application=app, user=customer.user)


def _visit(user) -> Appointment:
    """A visit of the user in two days at an office with free slots (the move page reads `day`
    only when the visit can still be moved)."""
    import datetime as dt

    from django.utils import timezone

    service = Service.objects.create(name="Консультация")
    office = Office.objects.create(name="Офис", address="г. Рязань", capacity=2)
    office.services.add(service)
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    slot = Slot.objects.create(
        office=office, starts_at=start, ends_at=start + dt.timedelta(minutes=30), capacity=2
    )
    return Appointment.objects.create(user=user, office=office, service=service, slot=slot)


def _content_of(customer_a) -> None:
    """S2–S5, T2/T3: an open survey for A, public news, a page, files; and a survey, news and
    a rate with the registration's pk, so that every staff route with `pk` finds its row."""
    import datetime as dt
    from decimal import Decimal

    from lkk.connection.models import ConnectionDocument, Rate
    from lkk.content.models import InfoPage, Instruction, News
    from lkk.surveys.models import Question, Survey

    pk = customer_a.registration.pk  # the rows with an explicit pk first: then no clash
    Survey.objects.create(pk=pk, title="Опрос оператора", status="open")
    News.objects.create(pk=pk, title="Н2", summary="К", body="Т", status="draft")
    customer_a.survey = Survey.objects.create(title="Опрос", status="open")
    Question.objects.create(survey=customer_a.survey, kind="scale", text="Оценка")
    customer_a.news = News.objects.create(title="Н", summary="К", body="Т", status="published")
    Rate.objects.create(
        pk=pk, voltage="0.4", category="3", purpose="new", per_kw=Decimal("1000.00"),
        valid_from=dt.date(2026, 1, 1),
    )  # fmt: skip
    InfoPage.objects.create(slug="tariffs", title="Тарифы", body="<p>Т</p>")
    upload = SimpleUploadedFile("i.pdf", b"%PDF-1.4 fuzz")
    Instruction.objects.create(slug="registration", title="И", file=upload, file_name="i.pdf")
    ConnectionDocument.objects.create(kind="terms", file=upload, file_name="t.pdf")


def _log_in(request: pytest.FixtureRequest, client, name: str, customer) -> None:
    """Opens the route as the one it is for: its customer, an operator, or nobody."""
    if name in CUSTOMER_ROUTES:
        client.force_login(customer.user)
    elif name in STAFF_ROUTES:
        otp_login(client, request.getfixturevalue("operator"))
    elif name in SECOND_FACTOR_ROUTES:
        client.force_login(request.getfixturevalue("operator"))


def _url(name: str, customer) -> str:
    namespace = name.split(":")[0]
    return reverse(
        name,
        kwargs={
            p: NAMESPACE_OBJECTS.get((namespace, p), OBJECTS[p])(customer) for p in URL_MAP[name]
        },
    )


def _get(client, url: str, query: dict[str, object]):
    """A GET in its own savepoint, so a failed query on PostgreSQL does not end the test's
    transaction for the requests after it."""
    with transaction.atomic():
        return client.get(url, query)


@contextmanager
def _parameters_read(monkeypatch) -> Iterator[set[str]]:
    """The names a request's query string (`request.GET`) is asked for meanwhile."""
    names: set[str] = set()

    class Recording(QueryDict):
        def __getitem__(self, key):
            names.add(key)
            return super().__getitem__(key)

        def __contains__(self, key):
            names.add(key)
            return super().__contains__(key)

        def get(self, key, default=None):
            names.add(key)
            return super().get(key, default)

        def getlist(self, key, default=None):
            names.add(key)
            return super().getlist(key, default)

    parse = WSGIRequest.__dict__["GET"].func

    def recorded(request: WSGIRequest) -> QueryDict:
        query = parse(request)
        query.__class__ = Recording
        return query

    get = cached_property(recorded)
    get.__set_name__(WSGIRequest, "GET")
    with monkeypatch.context() as patch:
        patch.setattr(WSGIRequest, "GET", get)
        yield names


def test_every_route_is_fuzzed_or_excluded():
    unknown = sorted(set(URL_MAP) - set(FUZZED) - set(EXCLUDED))
    assert not unknown, f"routes neither fuzzed nor excluded with a reason: {unknown}"
    stale = sorted((set(FUZZED) | set(EXCLUDED)) - set(URL_MAP))
    assert not stale, f"routes declared here but gone from the URL map: {stale}"
    groups = (CUSTOMER_ROUTES, PUBLIC_ROUTES, STAFF_ROUTES, SECOND_FACTOR_ROUTES, EXCLUDED)
    assert sum(map(len, groups)) == len(set().union(*groups)), "a route is declared twice"
    for name in FUZZED:
        missing = [p for p in URL_MAP[name] if p not in OBJECTS]
        assert not missing, f"{name}: no value for path parameter(s) {missing}"
    assert len(PAIRS) >= 40


@pytest.mark.parametrize("name", sorted(FUZZED))
def test_declared_parameters_are_the_ones_the_view_reads(
    request, client, monkeypatch, customer, name
):
    _log_in(request, client, name, customer)
    url = _url(name, customer)
    with _parameters_read(monkeypatch) as names:
        response = _get(client, url, {})
    assert response.status_code < 500
    assert names == set(FUZZED[name]), (
        f"{name} reads {sorted(names)}: declare them in this module so they are fuzzed"
    )


def _sweep(client, url: str, params: tuple[str, ...], valid: dict[str, str]) -> list[str]:
    """Every hostile value alone, and repeated beside a valid one, for every parameter."""
    failures = []
    for stray in STRAY:
        failures += _sweep_one(client, url, {stray: "ab"})
    for param in params:
        queries: list[dict[str, object]] = [{param: value} for value in HOSTILE]
        if param in valid:
            queries += [{param: [valid[param], "²"]}, {param: ["²", valid[param]]}]
        for query in queries:
            failures += _sweep_one(client, url, query)
    return failures


def _sweep_one(client, url: str, query: dict[str, object]) -> list[str]:
    try:
        status = _get(client, url, query).status_code
    except Exception as error:  # the test client re-raises the view's exception
        status = f"500 {type(error).__name__}: {str(error)[:80]}"
    if isinstance(status, int) and status < 500:
        return []
    return [f"{str(query)[:60]} → {status}"]


@pytest.mark.parametrize("name", sorted(FUZZED))
def test_hostile_parameters_never_give_a_server_error(request, client, customer, name):
    _log_in(request, client, name, customer)
    url = _url(name, customer)
    params = FUZZED[name]
    valid = {
        "contract": str(customer.contract.pk),
        "counterparty": str(customer.counterparty.pk),
        "page": "2",
    }
    failures = _sweep(client, url, params, valid)
    assert not failures, f"{name}: server errors\n" + "\n".join(failures)

    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(query=_values_of(params))
    def fuzz(query: dict[str, list[str]]) -> None:
        assert _get(client, url, query).status_code < 500

    fuzz()


def otp_login(client, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    assert client.post(reverse("accounts:otp_verify"), {"code": f"{code:06d}"}).status_code == 302


def test_switcher_refuses_hostile_ids(client, customer):
    """Only a granted counterparty's id (or «all») switches; anything else is a 404."""
    client.force_login(customer.user)
    url = reverse("customers:switch_counterparty")
    for value in HOSTILE:
        response = _get_post(client, url, {"counterparty": value})
        assert response.status_code in (302, 404), repr(value)
        if value in UNICODE_DIGITS or value in TOO_BIG:
            assert response.status_code == 404, repr(value)
    own = _get_post(client, url, {"counterparty": customer.counterparty.pk})
    assert own.status_code == 302


def _get_post(client, url: str, data: dict[str, object]):
    with transaction.atomic():
        return client.post(url, data)


def test_moderation_ignores_hostile_ids(client, operator, customer):
    """The operator's checkboxes of contracts (`contracts=ID`, repeated): a hostile value is
    refused without a 5xx and grants nothing; a real contract of the request's counterparty is
    granted."""
    other = ContractFactory(counterparty=customer.counterparty, number="740009001")
    req = customer.registration
    otp_login(client, operator)
    url = reverse("backoffice:moderation_decide", args=[req.pk])
    decide = {"action": "approve", "scope": "some"}
    response = _get_post(client, url, {**decide, "contracts": list(HOSTILE)})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == RegistrationRequest.State.PENDING, "no contract chosen: nothing granted"
    response = _get_post(client, url, {**decide, "contracts": [*HOSTILE, str(other.pk)]})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == RegistrationRequest.State.PENDING, "a hostile value spoils the choice"
    response = _get_post(client, url, {**decide, "contracts": [str(other.pk)]})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == RegistrationRequest.State.APPROVED
    grant = AccessGrant.objects.get(user=req.user)
    assert list(grant.contracts.all()) == [other]
    assert Contract.objects.filter(pk=other.pk).exists()
