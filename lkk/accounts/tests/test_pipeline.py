"""The trust rule of A5 over every way into the cabinet (lkk/accounts/services/registration.py).

A test per way: exactly one request, at most one user, and grants for exactly the contracts the
way asked for and proved — under `auto` and `moderated`. Then the attacks of issue 7: public
identifiers (ОГРНИП, ИНН+ОГРН, СНИЛС, contract numbers, a name) with a contact billing does not
hold open nothing until an operator approves; documents are checked by content and stored
under generated names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lkk.accounts.models import RegistrationDocument, RegistrationRequest
from lkk.accounts.services import registration as pipeline
from lkk.accounts.tests.helpers import CAPTCHA, PASSWORD, code_for, log_in, otp_login, token_of
from lkk.core import validators
from lkk.customers.models import AccessGrant, Contact, Contract, Counterparty
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory
from lkk.notifications.models import OutboxMessage

State = RegistrationRequest.State
Way = RegistrationRequest.Way
PENDING_TEXT = "Заявка передана на проверку"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OWNER = {"last_name": "Петров", "first_name": "Пётр", "middle_name": "Петрович"}

pytestmark = pytest.mark.usefixtures("captcha_passes")


@dataclass
class World:
    """A counterparty of each legal form, four contracts each; the owner's email on file."""

    ul: Counterparty
    ip: Counterparty
    fl: Counterparty
    contracts: dict[str, list[Contract]] = field(default_factory=dict)


def _with_contracts(world: World, kind: str, cp: Counterparty) -> None:
    world.contracts[kind] = [
        ContractFactory(counterparty=cp, number=f"{kind.upper()}-{i}") for i in range(1, 5)
    ]
    # The owner's email is listed in the third contract's details, the phone for the counterparty.
    Contact.objects.create(
        billing_id=f"{kind}-e", counterparty=cp, contract=world.contracts[kind][2],
        kind="email", value=f"Owner-{kind}@Firm.ru",
    )  # fmt: skip
    phone = {"ul": "+79120000001", "ip": "+79120000002", "fl": "+79120000003"}[kind]
    Contact.objects.create(billing_id=f"{kind}-p", counterparty=cp, kind="phone", value=phone)


@pytest.fixture
def world(db) -> World:
    full_name = "Петров Пётр Петрович"
    ul = CounterpartyFactory()
    ip = CounterpartyFactory(
        kind="ip", inn=validators.make_inn_person("6200000001"), kpp="", ogrn="",
        ogrnip=validators.make_ogrnip("30462000000001"),
        name=f"Индивидуальный предприниматель {full_name}", short_name="ИП Петров П. П.",
    )  # fmt: skip
    fl = CounterpartyFactory(
        kind="fl", inn="", kpp="", ogrn="", snils=validators.make_snils("100000007"),
        name=full_name, short_name="Петров П. П.",
    )  # fmt: skip
    w = World(ul=ul, ip=ip, fl=fl)
    for kind, cp in (("ul", ul), ("ip", ip), ("fl", fl)):
        _with_contracts(w, kind, cp)
    return w


def owner_email(kind: str) -> str:
    return f"owner-{kind}@firm.ru"


# --- Driving each way through its pages ---------------------------------------------------------


def _code(client, url: str, recipient: str):
    return client.post(url, {"code": code_for(recipient)})


def _legal_data(world: World, way: str, email: str) -> dict:
    base = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on"}
    base |= CAPTCHA
    person = OWNER | {"phone": "+7 912 345-67-89"}
    if way == "ul":
        return base | {"inn": world.ul.inn, "ogrn": world.ul.ogrn}
    if way == "ip":
        return base | person | {"ogrnip": world.ip.ogrnip}
    return base | person | {"snils": world.fl.snils}


def legal(client, world: World, way: str, email: str, **extra):
    data = _legal_data(world, way, email) | extra
    return client.post(reverse(f"accounts:register_{way}"), data)


def steps(client, cp: Counterparty, numbers: list[str], email: str):
    url = reverse("accounts:register_steps")
    step1 = {"step": "1", "username": "steps-user", "email": email, "password1": PASSWORD,
             "password2": PASSWORD} | CAPTCHA  # fmt: skip
    assert client.post(url, step1).status_code == 302
    step2 = {"step": "2", "first_name": "Иван", "last_name": "Петров", "phone": "+79120001122"}
    assert client.post(url, step2).status_code == 302
    step3 = {"step": "3", "company_kind": cp.kind, "inn": cp.inn, "kpp": cp.kpp,
             "company_name": cp.name, "contract_number": numbers, "consent": "on",
             "create": "1"}  # fmt: skip
    sent = client.post(url, step3)
    assert sent.status_code == 200 and "отправлено письмо со ссылкой" in sent.content.decode()
    return client.get(re.sub(r"^http://testserver", "", _link(email)))


def _link(recipient: str) -> str:
    body = OutboxMessage.objects.filter(recipient=recipient).order_by("-pk")[0].body
    return re.search(r"(http://testserver\S+)", body).group(1)


@dataclass
class Expected:
    """What a way asks for: the counterparty, all its contracts (None) or these; the user."""

    counterparty: Counterparty | None
    contracts: list[Contract] | None
    username: str
    existing_user: object = None


def drive(way: str, client: Client, world: World, operator) -> tuple[object, Expected]:
    """Runs the way as its customer would; returns the final response and what it asks for."""
    ul = world.ul
    email = owner_email("ul")
    if way == "contract":
        data = {"inn": ul.inn, "contract_number": world.contracts["ul"][0].number,
                "password1": PASSWORD, "password2": PASSWORD, "contact": email,
                "consent": "on"}  # fmt: skip
        assert client.post(reverse("accounts:register_contract"), data).status_code == 302
        response = _code(client, reverse("accounts:register_code"), email)
        login = f"{ul.inn}{world.contracts['ul'][0].number}"
        return response, Expected(ul, None, login)
    if way in ("ul", "ip", "fl"):
        cp = getattr(world, way)
        assert legal(client, world, way, owner_email(way)).status_code == 302
        response = _code(client, reverse("accounts:register_code"), owner_email(way))
        return response, Expected(cp, None, owner_email(way))
    if way == "steps":
        chosen = world.contracts["ul"][1:3]
        response = steps(client, ul, [c.number for c in chosen], email)
        return response, Expected(ul, chosen, "steps-user")
    if way == "signup":
        data = {"username": "own-account", "email": "self@mail.ru", "password1": PASSWORD,
                "password2": PASSWORD, "consent": "on"} | CAPTCHA  # fmt: skip
        assert client.post(reverse("accounts:signup"), data).status_code == 200
        response = client.get(reverse("accounts:register_link"), {"t": token_of("self@mail.ru")})
        return response, Expected(None, None, "own-account")
    if way == "binding":
        user = UserFactory(username="binder")
        client.force_login(user)
        data = {"inn": ul.inn, "contract_number": world.contracts["ul"][3].number,
                "contact": email}  # fmt: skip
        assert client.post(reverse("accounts:binding"), data).status_code == 302
        response = _code(client, reverse("accounts:binding_code"), email)
        return response, Expected(ul, None, "binder", existing_user=user)
    assert way == "office"
    staff = Client()
    otp_login(staff, operator)
    chosen = [world.contracts["ul"][0], world.contracts["ul"][3]]
    issue = {"scope": "some", "contracts": [str(c.pk) for c in chosen],
             "contact": "Owner-ul@Firm.ru"}  # fmt: skip
    page = staff.post(f"{reverse('backoffice:office_issue')}?counterparty={ul.pk}", issue)
    assert "Доступ выдан" in page.content.decode()
    data = {"t": token_of(email), "password1": PASSWORD, "password2": PASSWORD, "consent": "on"}
    response = client.post(reverse("accounts:activate"), data)
    return response, Expected(ul, chosen, email)


WAYS = ["contract", "ul", "ip", "fl", "steps", "signup", "binding", "office"]
#: Ways that need no operator whatever the policy: nothing to prove, or an operator issued it.
AT_ONCE = {"signup", "office"}


@pytest.mark.parametrize("policy", ["auto", "moderated"])
@pytest.mark.parametrize("way", WAYS)
def test_a_way_grants_exactly_what_it_asked_for_and_proved(
    client, world, operator, settings, way, policy
):
    settings.LKK_VERIFICATION_POLICY = policy
    users_before = set(get_user_model().objects.values_list("pk", flat=True))
    grants_before = AccessGrant.objects.count()

    response, expected = drive(way, client, world, operator)

    req = RegistrationRequest.objects.get()  # exactly one request
    assert req.way == way
    queued = policy == "moderated" and way not in AT_ONCE
    if queued:
        assert req.state == State.PENDING
        assert PENDING_TEXT in response.content.decode()
        assert AccessGrant.objects.count() == grants_before
        staff = Client()
        otp_login(staff, operator)
        decision = {"action": "approve", "scope": "all"}
        if expected.contracts is not None:
            decision = {"action": "approve", "scope": "some",
                        "contracts": [str(c.pk) for c in expected.contracts]}  # fmt: skip
        staff.post(reverse("backoffice:moderation_decide", args=[req.pk]), decision)
    else:
        assert response.status_code == 302, response.content.decode()[-800:]
    req.refresh_from_db()
    assert req.state == State.APPROVED

    new_users = get_user_model().objects.exclude(pk__in=users_before)
    if expected.existing_user:  # the binding's account, made by the test before it bound
        new_users = new_users.exclude(pk=expected.existing_user.pk)
    assert new_users.count() == (0 if expected.existing_user else 1)  # at most one user
    user = expected.existing_user or new_users.get()
    assert req.user == user and user.get_username() == expected.username
    assert user.check_password(PASSWORD) or expected.existing_user

    grants = AccessGrant.objects.filter(user=user)
    if expected.counterparty is None:
        assert not grants.exists()
        assert AccessGrant.objects.count() == grants_before
        return
    assert AccessGrant.objects.count() == grants_before + 1
    grant = grants.get(counterparty=expected.counterparty)
    if expected.contracts is None:
        assert grant.all_contracts and not grant.contracts.exists()
    else:
        assert not grant.all_contracts
        assert set(grant.contracts.all()) == set(expected.contracts)

    # What the customer sees is exactly that.
    customer = Client()
    customer.force_login(user)
    home = customer.get(reverse("customers:home")).content.decode()
    wanted = expected.contracts or world.contracts[expected.counterparty.kind]
    for contract in Contract.objects.filter(counterparty=expected.counterparty):
        assert (contract.number in home) == (contract in wanted), contract.number


# --- Issue 7: public identifiers with a contact billing does not hold -------------------------


@pytest.mark.parametrize("way", ["ip", "ul", "fl"])
def test_someone_elses_identifiers_with_an_email_not_on_file_are_queued(
    client, world, operator, way
):
    """ОГРНИП / ИНН+ОГРН / СНИЛС and the owner's ФИО are public: with the attacker's own email
    the confirmed request waits for an operator and grants nothing."""
    assert legal(client, world, way, "attacker@evil.ru").status_code == 302
    response = _code(client, reverse("accounts:register_code"), "attacker@evil.ru")
    assert response.status_code == 200
    page = response.content.decode()
    assert PENDING_TEXT in page and "О решении мы сообщим по электронной почте." in page
    assert "контакт, который вы подтвердили, не указан в договоре" in page
    req = RegistrationRequest.objects.get()
    assert req.state == State.PENDING and not req.contact_on_file
    assert req.counterparty == getattr(world, way)
    assert not AccessGrant.objects.exists()
    assert not get_user_model().objects.filter(username="attacker@evil.ru").exists()
    assert not response.wsgi_request.user.is_authenticated
    # It is in the operators' queue, marked as not on file.
    staff = Client()
    otp_login(staff, operator)
    queue = staff.get(reverse("backoffice:moderation_queue")).content.decode()
    assert "attacker@evil.ru" in queue
    detail = staff.get(reverse("backoffice:moderation_detail", args=[req.pk])).content.decode()
    assert "нет в данных биллинга" in detail


@pytest.mark.parametrize("way", ["ip", "fl"])
def test_a_wrong_fio_is_refused_on_its_field(client, world, way):
    response = legal(client, world, way, owner_email(way), last_name="Сидоров")
    page = response.content.decode()
    assert re.search(r'id="id_last_name_error">[^<]*ФИО не совпадает с данными договора', page)
    assert not RegistrationRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("way", ["ip", "ul", "fl"])
def test_the_same_with_the_email_on_file_is_granted_at_once(client, world, way):
    cp = getattr(world, way)
    assert legal(client, world, way, owner_email(way).upper()).status_code == 302
    response = _code(client, reverse("accounts:register_code"), owner_email(way))
    assert response.status_code == 302 and response.url == reverse("customers:home")
    grant = AccessGrant.objects.get()
    assert grant.counterparty == cp and grant.all_contracts
    assert grant.user.username == owner_email(way)
    home = client.get(reverse("customers:home")).content.decode()
    assert all(c.number in home for c in world.contracts[way])


def test_steps_with_the_email_on_file_grant_exactly_the_contracts_listed(client, world):
    two = world.contracts["ul"][:2]
    response = steps(client, world.ul, [c.number for c in two], owner_email("ul"))
    assert response.status_code == 302
    grant = AccessGrant.objects.get()
    assert grant.counterparty == world.ul and grant.all_contracts is False
    assert set(grant.contracts.all()) == set(two)
    # The email is listed in the third contract's details: it proves the counterparty, and the
    # way still opens only the contracts listed.
    home = client.get(reverse("customers:home")).content.decode()
    for contract in world.contracts["ul"]:
        assert (contract.number in home) == (contract in two)


def test_steps_with_an_email_not_on_file_are_queued(client, world):
    two = world.contracts["ul"][:2]
    response = steps(client, world.ul, [c.number for c in two], "attacker@evil.ru")
    assert PENDING_TEXT in response.content.decode()
    assert RegistrationRequest.objects.get().state == State.PENDING
    assert not AccessGrant.objects.exists()


def test_an_operator_approving_chosen_contracts_grants_exactly_those(client, world, operator):
    four = world.contracts["ul"]
    steps(client, world.ul, [c.number for c in four[:2]], "attacker@evil.ru")
    req = RegistrationRequest.objects.get()
    staff = Client()
    otp_login(staff, operator)
    foreign = world.contracts["ip"][0]
    chosen = [four[1], four[3]]  # not what was asked: the operator decides
    decision = {"action": "approve", "scope": "some",
                "contracts": [str(c.pk) for c in chosen]}  # fmt: skip
    staff.post(reverse("backoffice:moderation_decide", args=[req.pk]), decision)
    grant = AccessGrant.objects.get()
    assert not grant.all_contracts and set(grant.contracts.all()) == set(chosen)
    assert grant.granted_by == operator
    # A contract of another counterparty passed straight to the service is ignored.
    other = RegistrationRequest.objects.create(
        way="ul", state=State.PENDING, username="x@y.ru", email="x@y.ru", channel="email",
        contact="x@y.ru", counterparty=world.ul, password_hash="!",
    )  # fmt: skip
    user = pipeline.request_approve(
        pk=other.pk, operator=operator, contract_ids=[four[0].pk, foreign.pk]
    )
    assert list(AccessGrant.objects.get(user=user).contracts.all()) == [four[0]]
    log_in(Client(), "steps-user")


@pytest.mark.parametrize("way", ["contract", "ul", "steps", "signup"])
def test_the_session_holds_only_the_request_id(client, world, way):
    if way == "contract":
        data = {"inn": world.ul.inn, "contract_number": world.contracts["ul"][0].number,
                "password1": PASSWORD, "password2": PASSWORD, "contact": owner_email("ul"),
                "consent": "on"}  # fmt: skip
        client.post(reverse("accounts:register_contract"), data)
    elif way == "ul":
        legal(client, world, "ul", owner_email("ul"))
    elif way == "signup":
        data = {"username": "own", "email": owner_email("ul"), "password1": PASSWORD,
                "password2": PASSWORD, "consent": "on"} | CAPTCHA  # fmt: skip
        client.post(reverse("accounts:signup"), data)
    else:
        url = reverse("accounts:register_steps")
        client.post(url, {"step": "1", "username": "s", "email": owner_email("ul"),
                          "password1": PASSWORD, "password2": PASSWORD} | CAPTCHA)  # fmt: skip
    req = RegistrationRequest.objects.get()
    session = dict(client.session.items())
    assert session == {pipeline.SESSION_KEY: req.pk}
    text = repr(session)
    assert PASSWORD not in text and req.password_hash not in text
    assert owner_email("ul") not in text and "@" not in text
    # The password is kept only as Django's hash.
    identify_hasher(req.password_hash)
    assert PASSWORD not in req.password_hash


# --- Documents (SECURITY.md "Input") ------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_pdf_is_stored_under_a_generated_name_outside_the_static_root(
    client, world, media, settings
):
    static_root = Path(settings.STATIC_ROOT).resolve()
    upload = SimpleUploadedFile("Устав ООО secret-name.pdf", PDF, content_type="application/pdf")
    response = legal(client, world, "ul", "attacker@evil.ru", documents=[upload])
    assert response.status_code == 302
    doc = RegistrationDocument.objects.get()
    assert doc.name == "Устав ООО secret-name.pdf" and doc.content_type == "application/pdf"
    assert doc.size == len(PDF)
    stored = Path(doc.file.path).resolve()
    assert re.fullmatch(r"registration/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", doc.file.name)
    assert "secret" not in stored.name and "Устав" not in str(stored)
    assert stored.is_relative_to(Path(media).resolve())
    assert not stored.is_relative_to(static_root)
    assert stored.read_bytes() == PDF
    # The operator sees it by the customer's name, the customer in the pending page.
    response = _code(client, reverse("accounts:register_code"), "attacker@evil.ru")
    assert "Устав ООО secret-name.pdf" in response.content.decode()


def test_the_default_media_root_is_not_served_as_static(settings):
    media = Path(settings.MEDIA_ROOT).resolve()
    static = Path(settings.STATIC_ROOT).resolve()
    assert not media.is_relative_to(static) and not static.is_relative_to(media)


HOSTILE = {
    "html": b"<!doctype html><html><script>alert(1)</script></html>",
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64,
    "pdf-later": b"  %PDF-1.4 not at the start",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_file_renamed_pdf_is_refused_on_the_documents_field(client, world, media, kind):
    upload = SimpleUploadedFile("scan.pdf", HOSTILE[kind], content_type="application/pdf")
    response = legal(client, world, "ul", "attacker@evil.ru", documents=[upload])
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(
        r'id="id_documents_error">[^<]*Файл «scan\.pdf» не подходит: принимаются только PDF, '
        r"JPEG, PNG",
        page,
    )
    assert not RegistrationRequest.objects.exists() and not RegistrationDocument.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not any(Path(media).rglob("*.*")) if Path(media).exists() else True


def test_more_than_five_files_are_refused(client, world, media):
    files = [SimpleUploadedFile(f"{i}.pdf", PDF, content_type="application/pdf") for i in range(6)]
    page = legal(client, world, "ul", "attacker@evil.ru", documents=files).content.decode()
    assert re.search(r'id="id_documents_error">[^<]*Можно приложить не больше 5 файлов', page)
    assert not RegistrationRequest.objects.exists()
    files = [SimpleUploadedFile(f"{i}.pdf", PDF, content_type="application/pdf") for i in range(5)]
    assert legal(client, world, "ul", "attacker@evil.ru", documents=files).status_code == 302
    assert RegistrationDocument.objects.count() == 5


def test_a_file_too_large_is_refused(client, world, media, settings):
    settings.LKK_UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 1024, content_type="application/pdf")
    page = legal(client, world, "ul", "attacker@evil.ru", documents=[big]).content.decode()
    assert re.search(r'id="id_documents_error">[^<]*Файл «big\.pdf» больше 1,0', page)
    assert not RegistrationRequest.objects.exists()


def test_steps_keep_documents_too(client, world, media):
    upload = SimpleUploadedFile("Доверенность.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    url = reverse("accounts:register_steps")
    client.post(url, {"step": "1", "username": "s1", "email": "a@evil.ru", "password1": PASSWORD,
                      "password2": PASSWORD} | CAPTCHA)  # fmt: skip
    client.post(url, {"step": "2", "first_name": "А", "last_name": "Б", "phone": "+79120001122"})
    ul = world.ul
    bad = SimpleUploadedFile("x.pdf", HOSTILE["html"])
    step3 = {"step": "3", "company_kind": "ul", "inn": ul.inn, "kpp": ul.kpp,
             "company_name": ul.name, "contract_number": [world.contracts["ul"][0].number],
             "consent": "on", "create": "1"}  # fmt: skip
    page = client.post(url, step3 | {"documents": [bad]}).content.decode()
    assert "не подходит: принимаются только PDF, JPEG, PNG" in page
    assert not OutboxMessage.objects.exists()
    assert client.post(url, step3 | {"documents": [upload]}).status_code == 200
    doc = RegistrationDocument.objects.get()
    assert doc.content_type == "image/png" and doc.file.name.endswith(".png")
