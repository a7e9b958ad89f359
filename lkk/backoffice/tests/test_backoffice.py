"""O1: the operators' queue of registration requests (approve, reject, documents), and the
account issued at the office (A2a) — lkk/backoffice/views.py over the registration pipeline."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lkk.accounts.models import RegistrationDocument, RegistrationRequest
from lkk.accounts.services import registration as pipeline
from lkk.accounts.tests.helpers import (
    PASSWORD,
    last_message,
    log_in,
    otp_login,
    token_of,
    wrong_code,
)
from lkk.audit.models import AuditEvent
from lkk.core.errors import ApplicationError
from lkk.core.uploads import uploads_check
from lkk.customers.access import access_scope
from lkk.customers.models import AccessGrant, Contact, Contract
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory
from lkk.notifications.models import OutboxMessage

State = RegistrationRequest.State
QUEUE = "/backoffice/registrations/"
ISSUE = "/backoffice/accounts/issue/"
ACTIVATE = "/accounts/activate/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def staff(operator) -> Client:
    client = Client()
    otp_login(client, operator)
    return client


@pytest.fixture
def pending(db):
    """A request in the queue: the email is not on file, one number entered is not billing's."""
    cp = CounterpartyFactory()
    first = ContractFactory(counterparty=cp, number="740001001")
    second = ContractFactory(counterparty=cp, number="740001002")
    ContractFactory(counterparty=cp, number="740001003", status=Contract.Status.TERMINATED)
    req = RegistrationRequest.objects.create(
        way=RegistrationRequest.Way.STEPS,
        state=State.PENDING,
        username="new-client",
        email="new@client.ru",
        channel="email",
        contact="new@client.ru",
        password_hash=make_password(PASSWORD),
        first_name="Анна",
        last_name="Смирнова",
        phone="+79120003344",
        company_kind="ul",
        inn=cp.inn,
        kpp=cp.kpp,
        company_name=cp.name,
        existing_counterparty=True,
        contract_numbers=[first.number, "NOPE-9"],
        counterparty=cp,
        consent=True,
    )
    req.contracts.set([first])
    return req, cp, first, second


@pytest.fixture
def document(pending, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    req = pending[0]
    upload = SimpleUploadedFile("Доверенность.pdf", PDF, content_type="text/html")
    checked = uploads_check([upload], max_bytes=10**6, max_files=5, max_total=10**7)
    pipeline.documents_attach(req=req, documents=checked)
    return RegistrationDocument.objects.get(request=req)


# --- The queue ----------------------------------------------------------------------------------


def test_the_queue_and_the_detail_show_entered_beside_billing(staff, pending, document):
    req, cp, first, second = pending
    done = RegistrationRequest.objects.create(way="contract", state=State.APPROVED, username="x9")
    queue = staff.get(QUEUE).content.decode()
    assert "new-client" in queue and cp.short_name in queue
    assert "x9" not in queue and f"{QUEUE}{done.pk}/" not in queue
    assert reverse("backoffice:office_issue") in queue
    page = staff.get(f"{QUEUE}{req.pk}/").content.decode()
    assert cp.name in page and cp.inn in page and second.number in page
    assert "740001001 — есть в биллинге" in page and "NOPE-9 — не найден" in page
    assert "Расторгнут" in page
    assert "new@client.ru — " in page and "нет в данных биллинга" in page
    assert "Пошаговая регистрация" in page
    assert "Доверенность.pdf" in page
    assert reverse("backoffice:moderation_document", args=[req.pk, document.pk]) in page
    # The contract the customer listed is pre-checked; the other is not.
    assert re.search(rf'name="contracts" value="{first.pk}"[^>]* checked', page)
    assert not re.search(rf'name="contracts" value="{second.pk}"[^>]* checked', page)


def test_the_queue_is_empty(staff, db):
    assert "Заявок на проверке нет." in staff.get(QUEUE).content.decode()


# --- The landing page and the menu (issue 8) ----------------------------------------------------

HOME = "/backoffice/"
CUSTOMER_MENU = ("Объекты потребления", "Точки учёта", "Передача показаний")


def _menu(page: str) -> str:
    return page[page.index('id="menu"') : page.index("</nav>")]


def test_the_landing_page_counts_the_queue_and_links_the_back_office(staff, pending):
    page = staff.get(HOME).content.decode()
    assert 'data-testid="backoffice-home"' in page
    assert "На проверке 1 заявка." in page
    for name in ("backoffice:moderation_queue", "backoffice:office_issue", "admin:index"):
        assert f'href="{reverse(name)}"' in page, name
    assert "Выдать доступ клиенту в офисе" in page
    # The audit log is the admins' (AuditEventAdmin): an operator is not offered it.
    assert reverse("admin:audit_auditevent_changelist") not in page


def test_an_admin_is_offered_the_audit_log(client, admin_user):
    otp_login(client, admin_user)
    page = client.get(HOME).content.decode()
    assert "На проверке 0 заявок." in page
    assert f'href="{reverse("admin:audit_auditevent_changelist")}"' in page
    assert reverse("admin:audit_auditevent_changelist") in _menu(page)


def test_staff_see_the_back_office_menu_not_the_customers(staff, db):
    for url in (HOME, QUEUE, ISSUE, reverse("accounts:profile")):
        menu = _menu(staff.get(url).content.decode())
        assert 'data-testid="backoffice-menu"' in menu, url
        assert f'href="{QUEUE}"' in menu and f'href="{ISSUE}"' in menu, url
        assert not any(title in menu for title in CUSTOMER_MENU), url
    # The customer's «Главная» has nothing for them: it sends them to theirs.
    response = staff.get(reverse("customers:home"))
    assert response.status_code == 302 and response.url == HOME


def test_customers_see_their_menu_and_no_back_office(client, customer_a):
    client.force_login(customer_a.user)
    menu = _menu(client.get(reverse("customers:home")).content.decode())
    assert all(title in menu for title in CUSTOMER_MENU)
    assert "backoffice-menu" not in menu and "/backoffice/" not in menu
    assert "/admin/" not in menu
    assert client.get(HOME).status_code == 404


def test_a_customer_and_a_visitor_cannot_open_the_back_office(
    client, customer_a, pending, document
):
    req = pending[0]
    urls = [
        HOME,
        QUEUE,
        f"{QUEUE}{req.pk}/",
        f"{QUEUE}{req.pk}/decide/",
        reverse("backoffice:moderation_document", args=[req.pk, document.pk]),
        ISSUE,
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url
    client.force_login(customer_a.user)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "approve", "scope": "all"}).status_code == 404, url
    req.refresh_from_db()
    assert req.state == State.PENDING
    assert not AccessGrant.objects.filter(counterparty=pending[1]).exists()


def test_staff_without_the_second_factor_cannot_open_the_queue(client, operator, pending):
    client.force_login(operator)
    response = client.get(QUEUE)
    assert response.status_code != 200
    assert "new-client" not in response.content.decode()


def test_approve_with_all_contracts(staff, operator, pending):
    req, cp, *_ = pending
    response = staff.post(f"{QUEUE}{req.pk}/decide/", {"action": "approve", "scope": "all"})
    assert response.status_code == 302 and response.url == QUEUE
    assert "Заявка одобрена." in staff.get(QUEUE).content.decode()
    req.refresh_from_db()
    assert req.state == State.APPROVED and req.decided_by == operator and req.decided_at
    grant = AccessGrant.objects.get(user=req.user)
    assert grant.counterparty == cp and grant.all_contracts and grant.granted_by == operator
    mail = OutboxMessage.objects.get(recipient="new@client.ru", kind="registration_approved")
    assert "прав доступа" in mail.subject and "new-client" in mail.body
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.REGISTRATION_APPROVED).exists()
    action = AuditEvent.objects.get(kind=AuditEvent.Kind.OPERATOR_ACTION)
    assert action.actor == operator and action.details["request"] == req.pk
    user = req.user
    assert (user.username, user.email, user.last_name) == (
        "new-client",
        "new@client.ru",
        "Смирнова",
    )
    log_in(Client(), "new-client")


def test_approve_with_some_contracts_limits_what_the_user_sees(staff, pending):
    req, _cp, first, second = pending
    staff.post(
        f"{QUEUE}{req.pk}/decide/",
        {"action": "approve", "scope": "some", "contracts": [str(second.pk)]},
    )
    req.refresh_from_db()
    grant = AccessGrant.objects.get(user=req.user)
    assert not grant.all_contracts
    assert list(grant.contracts.all()) == [second]
    scope = access_scope(req.user)
    visible = Contract.objects.filter(scope.contract_condition("", "counterparty"))
    assert list(visible) == [second]
    customer = Client()
    log_in(customer, "new-client")
    home = customer.get(reverse("customers:home")).content.decode()
    assert second.number in home and first.number not in home


def test_approve_some_needs_a_contract_of_this_counterparty(staff, pending):
    req, *_ = pending
    foreign = ContractFactory()
    decide = f"{QUEUE}{req.pk}/decide/"
    response = staff.post(decide, {"action": "approve", "scope": "some"}, follow=True)
    assert "Выберите хотя бы один договор." in response.content.decode()
    response = staff.post(
        decide, {"action": "approve", "scope": "some", "contracts": [str(foreign.pk)]}, follow=True
    )
    assert "Проверьте выбор договоров." in response.content.decode()
    req.refresh_from_db()
    assert req.state == State.PENDING
    assert not AccessGrant.objects.exists()
    assert not get_user_model().objects.filter(username="new-client").exists()


def test_approve_without_a_counterparty_is_refused(staff, pending):
    req, *_ = pending
    RegistrationRequest.objects.filter(pk=req.pk).update(counterparty=None)
    response = staff.post(
        f"{QUEUE}{req.pk}/decide/", {"action": "approve", "scope": "all"}, follow=True
    )
    assert "Контрагент не найден в данных биллинга: одобрить нельзя." in response.content.decode()
    assert not get_user_model().objects.filter(username="new-client").exists()
    assert "Контрагент с таким ИНН не найден." in staff.get(f"{QUEUE}{req.pk}/").content.decode()


def test_reject_needs_a_reason_and_emails_it(staff, operator, pending):
    req, *_ = pending
    response = staff.post(f"{QUEUE}{req.pk}/decide/", {"action": "reject", "reason": " "})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == State.PENDING
    staff.post(f"{QUEUE}{req.pk}/decide/", {"action": "reject", "reason": "Нет доверенности"})
    req.refresh_from_db()
    assert req.state == State.REJECTED and req.rejection_reason == "Нет доверенности"
    assert req.decided_by == operator
    mail = OutboxMessage.objects.get(recipient="new@client.ru", kind="registration_rejected")
    assert "Нет доверенности" in mail.body
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.REGISTRATION_REJECTED).exists()
    assert not AccessGrant.objects.exists()
    assert not get_user_model().objects.filter(username="new-client").exists()
    # A decided request has no decision form and cannot be decided again.
    page = staff.get(f"{QUEUE}{req.pk}/").content.decode()
    assert 'data-testid="approve"' not in page
    staff.post(f"{QUEUE}{req.pk}/decide/", {"action": "approve", "scope": "all"})
    assert not AccessGrant.objects.exists()


def test_transitions_refuse_wrong_moves(pending, operator):
    req, *_ = pending
    with pytest.raises(ApplicationError):
        pipeline.request_confirm(pk=req.pk, request=None)
    with pytest.raises(ApplicationError):
        pipeline.request_approve(pk=req.pk, request=None)  # a queued one needs an operator
    pipeline.request_reject(pk=req.pk, operator=operator, reason="Дубликат")
    with pytest.raises(ApplicationError):
        pipeline.request_approve(pk=req.pk, operator=operator, all_contracts=True)
    with pytest.raises(ApplicationError):
        pipeline.request_reject(pk=req.pk, operator=operator, reason="Ещё раз")
    with pytest.raises(ApplicationError):
        pipeline.request_queue(pk=req.pk)
    assert not AccessGrant.objects.exists()


def test_decide_is_post_only_and_unknown_requests_are_404(staff, pending):
    req, *_ = pending
    assert staff.get(f"{QUEUE}{req.pk}/decide/").status_code == 405
    assert staff.get(f"{QUEUE}{req.pk + 1000}/").status_code == 404
    assert staff.post(f"{QUEUE}{req.pk + 1000}/decide/", {"action": "reject"}).status_code == 404


# --- Documents ----------------------------------------------------------------------------------


def test_a_document_is_served_as_an_attachment(staff, pending, document):
    req = pending[0]
    response = staff.get(reverse("backoffice:moderation_document", args=[req.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_document_is_reached_only_through_its_request(staff, pending, document):
    other = RegistrationRequest.objects.create(way="ul", state=State.PENDING, username="o")
    url = reverse("backoffice:moderation_document", args=[other.pk, document.pk])
    assert staff.get(url).status_code == 404
    url = reverse("backoffice:moderation_document", args=[pending[0].pk, document.pk + 1])
    assert staff.get(url).status_code == 404


# --- A2a: the account issued at the office ------------------------------------------------------


@pytest.fixture
def office(db):
    """A counterparty with three contracts and an email and a phone on file."""
    cp = CounterpartyFactory()
    contracts = [ContractFactory(counterparty=cp, number=f"75000100{i}") for i in (1, 2, 3)]
    Contact.objects.create(
        billing_id="O-1", counterparty=cp, contract=contracts[0], kind="email", value="Boss@Firm.ru"
    )
    Contact.objects.create(billing_id="O-2", counterparty=cp, kind="phone", value="+79120005566")
    return cp, contracts


def _issue(staff, cp, **data):
    return staff.post(f"{ISSUE}?counterparty={cp.pk}", data)


def test_office_search_and_form(staff, office):
    cp, contracts = office
    page = staff.get(ISSUE).content.decode()
    assert "Выдать доступ к личному кабинету" in page and "ИНН контрагента" in page
    page = staff.get(ISSUE, {"inn": cp.inn}).content.decode()
    assert f"?counterparty={cp.pk}" in page and cp.short_name in page
    page = staff.get(ISSUE, {"inn": "7700000001"}).content.decode()
    assert "ИНН: неверное контрольное число" in page
    page = staff.get(ISSUE, {"counterparty": cp.pk}).content.decode()
    assert cp.name in page and "Boss@Firm.ru" in page and "+79120005566" in page
    for contract in contracts:
        assert contract.number in page
    assert "пароль не отправляется" in page


def test_office_issue_then_activation_by_link(staff, operator, office):
    cp, (first, second, third) = office
    response = _issue(
        staff, cp, scope="some", contracts=[str(first.pk), str(third.pk)], contact="Boss@Firm.ru"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Доступ выдан" in page and "Логин boss@firm.ru" in page and "b***@firm.ru" in page
    req = RegistrationRequest.objects.get()
    assert (req.way, req.state, req.created_by, req.counterparty) == (
        "office",
        "draft",
        operator,
        cp,
    )
    assert set(req.contracts.all()) == {first, third} and not req.all_contracts
    assert not get_user_model().objects.filter(username="boss@firm.ru").exists()
    message = last_message("boss@firm.ru")
    assert message.channel == "email" and "/accounts/activate/?t=" in message.body
    assert re.search(r"логин и код: \d{6}", message.body)
    assert "парол" not in message.body.lower() or "задать пароль" in message.body
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.OPERATOR_ACTION, actor=operator, details__action="account_issue"
    ).exists()

    customer = Client()
    token = token_of("boss@firm.ru")
    link = f"{ACTIVATE}?t={token}"
    form = customer.get(link).content.decode()
    assert "Активация личного кабинета" in form and "Задать пароль и войти" in form
    # The one-click registration link does not activate an office account.
    page = Client().get(link.replace(ACTIVATE, "/accounts/register/link/")).content.decode()
    assert "Ссылка недействительна" in page
    bad = customer.post(
        ACTIVATE,
        {"t": token, "password1": PASSWORD, "password2": "другой",
         "consent": "on"},
    )  # fmt: skip
    assert "Пароли не совпадают" in bad.content.decode()
    response = customer.post(
        ACTIVATE,
        {"t": token, "password1": PASSWORD, "password2": PASSWORD,
         "consent": "on"},
    )  # fmt: skip
    assert response.status_code == 302 and response.url == reverse("accounts:register_done")
    assert "boss@firm.ru" in customer.get(response.url).content.decode()
    req.refresh_from_db()
    assert req.state == State.APPROVED
    user = get_user_model().objects.get(username="boss@firm.ru")
    assert req.user == user and user.check_password(PASSWORD)
    grant = AccessGrant.objects.get(user=user)
    assert grant.counterparty == cp and grant.granted_by == operator
    assert not grant.all_contracts and set(grant.contracts.all()) == {first, third}
    # The link is used up.
    again = Client().post(
        ACTIVATE,
        {"t": token, "password1": "Другой-пароль-77", "password2":
         "Другой-пароль-77", "consent": "on"},
    )  # fmt: skip
    assert "Ссылка уже использована" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    fresh = Client()
    log_in(fresh, "boss@firm.ru")
    home = fresh.get(reverse("customers:home")).content.decode()
    assert first.number in home and third.number in home and second.number not in home


def test_office_issue_then_activation_by_login_and_code(staff, office):
    cp, contracts = office
    response = _issue(staff, cp, scope="all", contact="+79120005566", username="firm-office")
    assert "Логин firm-office" in response.content.decode()
    sms = last_message("+79120005566")
    assert sms.channel == "sms"
    code = re.search(r"логин и код: (\d{6})", sms.body).group(1)
    customer = Client()
    page = customer.get(ACTIVATE).content.decode()
    assert "Введите логин и код из сообщения" in page
    data = {"username": "firm-office", "password1": PASSWORD, "password2": PASSWORD,
            "consent": "on"}  # fmt: skip
    # A wrong code and an unknown login read the same: no login is betrayed (SECURITY.md 6.3.8).
    refused = "Неверный логин или код, или срок действия кода истёк."
    wrong = customer.post(ACTIVATE, data | {"code": wrong_code(code)}).content.decode()
    unknown = customer.post(ACTIVATE, data | {"username": "nobody", "code": code}).content
    for page in (wrong, unknown.decode()):
        assert re.search(rf'id="id_code_error">{refused}', page)
        assert "Осталось попыток" not in page and "не запрашивался" not in page
    assert not get_user_model().objects.filter(username="firm-office").exists()
    response = customer.post(ACTIVATE, data | {"code": code})
    assert response.status_code == 302 and response.url == reverse("accounts:register_done")
    user = get_user_model().objects.get(username="firm-office")
    assert user.phone == "+79120005566" and user.email == ""
    assert AccessGrant.objects.get(user=user).all_contracts
    fresh = Client()
    log_in(fresh, "firm-office")
    home = fresh.get(reverse("customers:home")).content.decode()
    assert all(c.number in home for c in contracts)


def test_office_account_is_issued_under_moderated_too(staff, office, settings):
    """The operator who issued it has checked the documents: no second queue."""
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp, (first, *_rest) = office
    _issue(staff, cp, scope="some", contracts=[str(first.pk)], contact="Boss@Firm.ru")
    Client().post(
        ACTIVATE,
        {"t": token_of("boss@firm.ru"), "password1": PASSWORD, "password2": PASSWORD,
         "consent": "on"},
    )  # fmt: skip
    assert RegistrationRequest.objects.get().state == State.APPROVED
    grant = AccessGrant.objects.get()
    assert list(grant.contracts.all()) == [first]


def test_office_contact_not_on_file_is_refused(staff, operator, office):
    cp, _contracts = office
    stranger = CounterpartyFactory()
    Contact.objects.create(billing_id="S-1", counterparty=stranger, kind="email", value="e@x.ru")
    page = _issue(staff, cp, scope="all", contact="e@x.ru").content.decode()
    assert "Выберите корректный вариант" in page
    with pytest.raises(ApplicationError) as refused:
        pipeline.request_start_office(
            operator=operator, counterparty=cp, contract_ids=None, contact="e@x.ru"
        )
    assert refused.value.field == "contact"
    assert "нет в данных биллинга" in refused.value.message
    assert not RegistrationRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_office_issue_form_errors(staff, operator, office):
    cp, _contracts = office
    page = _issue(staff, cp, scope="some", contact="Boss@Firm.ru").content.decode()
    assert "Выберите хотя бы один договор." in page
    foreign = ContractFactory()
    with pytest.raises(ApplicationError):
        pipeline.request_start_office(
            operator=operator, counterparty=cp, contract_ids=[foreign.pk], contact="Boss@Firm.ru"
        )
    # A phone is no login: one must be typed.
    page = _issue(staff, cp, scope="all", contact="+79120005566").content.decode()
    assert "Укажите логин." in page
    UserFactory(username="taken")
    page = _issue(staff, cp, scope="all", contact="+79120005566", username="taken").content
    assert "Этот логин уже занят." in page.decode()
    assert not RegistrationRequest.objects.exists()
