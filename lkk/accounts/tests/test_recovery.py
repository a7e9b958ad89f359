"""Password recovery (A7): SECURITY.md "Accounts" — no enumeration, no password sent, a reset
ends the other sessions."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lkk.accounts.models import ConfirmationCode
from lkk.accounts.services import recovery
from lkk.audit.models import AuditEvent
from lkk.customers.models import AccessGrant, Contact
from lkk.customers.tests.factories import ContractFactory, UserFactory
from lkk.notifications.models import OutboxMessage

REQUEST = reverse("accounts:password_reset")
CONFIRM = reverse("accounts:password_reset_confirm")
LOGIN = reverse("accounts:login")
NEW = "Zebra-lantern-1984"
SENT = "Если учётная запись найдена, мы отправили код на указанные в ней контакты."
DONE = "Пароль изменён. Войдите с новым паролем."
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _captcha_out_of_the_way(settings):
    """The per-address captcha of the request form has its own tests."""
    settings.LKK_RECOVERY_CAPTCHA_AFTER = 1000


@pytest.fixture
def person():
    return UserFactory(username="ivanov", email="Ivanov@Example.ru", phone="+79123456789")


@pytest.fixture
def contracted():
    """A user acting for a counterparty whose contract lists the user's email."""
    user = UserFactory(username="buh", email="buh@firm.ru", phone="")
    contract = ContractFactory(number="12-345/Э")
    AccessGrant.objects.create(user=user, counterparty=contract.counterparty)
    Contact.objects.create(
        billing_id="c1", counterparty=contract.counterparty, contract=contract,
        kind=Contact.Kind.EMAIL, value="BUH@firm.ru",
    )  # fmt: skip
    return user, contract


def _request(client, identifier, number="", email=""):
    data = {"identifier": identifier, "contract_number": number, "email": email}
    return client.post(REQUEST, data, follow=True)


def _page(response) -> str:
    return _CSRF.sub("", response.content.decode())


def _code(recipient: str) -> str:
    body = OutboxMessage.objects.filter(recipient=recipient).order_by("-pk").first().body
    return re.search(r"\b([0-9]{6})\b", body).group(1)


def _confirm(client, code, password=NEW, password2=None):
    data = {"code": code, "new_password1": password, "new_password2": password2 or password}
    return client.post(CONFIRM, data)


def test_login_page_links_to_recovery(client):
    page = client.get(LOGIN).content.decode()
    assert "Забыли пароль?" in page and REQUEST in page


def test_request_page(client):
    page = client.get(REQUEST).content.decode()
    assert "Логин, email, телефон или ИНН" in page
    assert "Номер договора" in page


@pytest.mark.parametrize(
    ("identifier", "recipient", "channel"),
    [
        ("ivanov", "ivanov@example.ru", "email"),
        ("IVANOV", "ivanov@example.ru", "email"),
        (" ivanov@example.RU ", "ivanov@example.ru", "email"),
        ("8 (912) 345-67-89", "+79123456789", "sms"),
    ],
)
def test_found_by_login_email_phone(client, person, identifier, recipient, channel):
    response = _request(client, identifier)
    assert SENT in response.content.decode()
    message = OutboxMessage.objects.get()
    assert (message.recipient, message.channel, message.kind) == (
        recipient,
        channel,
        "password_reset",
    )
    record = ConfirmationCode.objects.get()
    assert (record.purpose, record.subject) == ("recovery", f"user:{person.pk}")
    assert (record.link_hash is not None) == (channel == "email")
    assert client.session[recovery.SESSION_KEY]["user"] == person.pk

    assert _confirm(client, _code(recipient)).url == LOGIN
    person.refresh_from_db()
    assert person.check_password(NEW)


def test_found_by_inn_and_contract(client, contracted):
    user, contract = contracted
    _request(client, contract.counterparty.inn, " 12-345/Э ")
    assert OutboxMessage.objects.get().recipient == "buh@firm.ru"
    assert _confirm(client, _code("buh@firm.ru")).url == LOGIN
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_inn_path_needs_a_contact_of_the_contract(client, contracted):
    _user, contract = contracted
    Contact.objects.all().delete()
    _request(client, contract.counterparty.inn, contract.number)
    assert not OutboxMessage.objects.exists()


def test_inn_path_by_phone_listed(client, contracted):
    user, contract = contracted
    user.email, user.phone = "", "+79001112233"
    user.save()
    Contact.objects.create(
        billing_id="c2", counterparty=contract.counterparty, contract=contract,
        kind=Contact.Kind.PHONE, value="8 900 111-22-33",
    )  # fmt: skip
    _request(client, contract.counterparty.inn, contract.number)
    assert OutboxMessage.objects.get().recipient == "+79001112233"


def test_inn_path_sends_to_the_users_own_email(client, contracted):
    """The listed phone identifies the user; the code goes to the email of the account."""
    user, contract = contracted
    user.email, user.phone = "own@firm.ru", "+79001112233"
    user.save()
    Contact.objects.create(
        billing_id="c2", counterparty=contract.counterparty, contract=contract,
        kind=Contact.Kind.PHONE, value="+79001112233",
    )  # fmt: skip
    _request(client, contract.counterparty.inn, contract.number)
    assert OutboxMessage.objects.get().recipient == "own@firm.ru"


def test_inn_path_ignores_users_without_access(client, contracted):
    user, contract = contracted
    AccessGrant.objects.filter(user=user).delete()
    _request(client, contract.counterparty.inn, contract.number)
    assert not OutboxMessage.objects.exists()


def test_inn_without_contract_and_contract_without_inn(client):
    page = _request(client, "7707083893").content.decode()
    assert "По ИНН укажите и номер договора." in page
    page = _request(client, "ivanov", "12-345").content.decode()
    assert "С номером договора укажите ИНН: 10 или 12 цифр." in page
    page = _request(client, "").content.decode()
    assert "Введите логин, email, телефон или ИНН." in page


def test_known_and_unknown_answer_alike(client, person, contracted):
    _user, contract = contracted
    pages = {}
    for name, identifier, number in [
        ("login", "ivanov", ""),
        ("no-login", "petrov", ""),
        ("email", "ivanov@example.ru", ""),
        ("no-email", "nobody@example.ru", ""),
        ("phone", "+79123456789", ""),
        ("no-phone", "+79990000000", ""),
        ("contract", contract.counterparty.inn, contract.number),
        ("no-contract", contract.counterparty.inn, "99-999"),
        ("no-inn", "7707083893", contract.number),
    ]:
        client.cookies.clear()
        first = client.post(REQUEST, {"identifier": identifier, "contract_number": number})
        assert (first.status_code, first.url) == (302, CONFIRM), name
        page = client.get(CONFIRM)
        pages[name] = (page.status_code, _page(page))
    assert len(set(pages.values())) == 1, pages.keys()
    assert SENT in pages["login"][1]


# --- A miss does the work of a hit -------------------------------------------------------------

_SAVEPOINT = re.compile(r'"s\d+_x\d+"')


def _shape(sql: str) -> str:
    """A statement without its values (and savepoint names)."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = _SAVEPOINT.sub('"sp"', sql)
    return re.sub(r"(?:\s?-)?\b\d+(?:\.\d+)?\b", "?", sql)


def _statements(client, data: dict) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.cookies.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(REQUEST, {"contract_number": "", "email": "", **data})
    assert (response.status_code, response.url) == (302, CONFIRM)
    return [_shape(q["sql"]) for q in queries.captured_queries]


def _kinds(contract) -> dict[str, tuple[dict, dict]]:
    """Per kind of identifier: a known one and an unknown one."""
    inn = contract.counterparty.inn
    return {
        "login": ({"identifier": "ivanov"}, {"identifier": "petrov"}),
        "email": ({"identifier": "ivanov@example.ru"}, {"identifier": "nobody@example.ru"}),
        "phone": ({"identifier": "+79123456789"}, {"identifier": "+79990000000"}),
        "contract": (
            {"identifier": inn, "contract_number": contract.number},
            {"identifier": inn, "contract_number": "99-999"},
        ),
        "pair": (
            {"identifier": "ivanov", "email": "ivanov@example.ru"},
            {"identifier": "ivanov", "email": "other@example.ru"},
        ),
    }


@pytest.mark.parametrize("kind", ["login", "email", "phone", "contract", "pair"])
def test_a_miss_runs_the_statements_of_a_hit(client, person, contracted, kind):
    """The same lookups, the same code issued and the same message written: a miss differs
    only in rolling back its message (which has no one to go to)."""
    known, unknown = _kinds(contracted[1])[kind]
    hit = _statements(client, known)
    miss = _statements(client, unknown)
    assert OutboxMessage.objects.count() == 1  # the hit's
    assert [q for q in miss if not q.startswith("ROLLBACK TO SAVEPOINT")] == hit
    assert sum(q.startswith("ROLLBACK TO SAVEPOINT") for q in miss) == 1
    assert any(q.startswith('INSERT INTO "notifications_outboxmessage"') for q in miss)


def test_a_miss_issues_a_code_to_a_decoy_and_sends_nothing(client, person):
    _request(client, "Nobody@Example.ru ")
    decoy = ConfirmationCode.objects.get()
    assert decoy.subject.startswith("decoy:") and decoy.purpose == "recovery"
    assert decoy.contact.endswith("@decoy.invalid") and decoy.link_hash
    assert not OutboxMessage.objects.exists()
    assert client.session[recovery.SESSION_KEY]["user"] is None
    # The same typed identifier, the same decoy: a repeat meets the resend pause as a hit does.
    client.cookies.clear()
    _request(client, "nobody@example.ru")
    assert ConfirmationCode.objects.count() == 1
    client.cookies.clear()
    _request(client, "+7 999 000-00-00")
    assert ConfirmationCode.objects.latest("pk").contact.startswith("+700")
    assert not OutboxMessage.objects.exists()


def _measure(client, kinds: dict, *, rounds: int, warm_up: int) -> dict[str, list[list[float]]]:
    """Seconds per request, per kind: [known times, unknown times]. Known and unknown
    alternate, which goes first alternates by round, and each request has a fresh session."""
    times = {name: [[], []] for name in kinds}
    for number in range(warm_up + rounds):
        for name, pair in kinds.items():
            sides = [(0, pair[0]), (1, pair[1])]
            if number % 2:
                sides.reverse()
            for side, data in sides:
                client.cookies.clear()
                started = time.perf_counter()
                response = client.post(REQUEST, {"contract_number": "", "email": "", **data})
                elapsed = time.perf_counter() - started
                assert response.status_code == 302
                if number >= warm_up:
                    times[name][side].append(elapsed)
    return times


@pytest.mark.django_db(transaction=True)
def test_recovery_takes_as_long_for_unknown_identifiers(person, contracted, settings):
    """The attacker's measurement, repeated: POST /accounts/password/reset/ for known and
    unknown logins, emails, phones, ИНН+договор and login+email pairs.

    As in production: the real password hashers (Argon2; the old miss path hashed), real
    commits, and the delivery handed to the Celery broker after the commit (no worker needed).
    Every request goes the whole way (no resend pause, no daily cap, no captcha): the refused
    ways are the same code path for a hit and its decoy. The medians of all known and all
    unknown requests must be within 10 %; a loaded machine gets a second measurement.
    """
    from lkk import settings as project_settings
    from lkk.celery import app

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    settings.LKK_CODE_RESEND_SECONDS = 0
    settings.LKK_CODE_DAILY_LIMIT_PER_IP = 10**6
    settings.LKK_CODE_DAILY_LIMIT_PER_CONTACT = 10**6
    kinds = _kinds(contracted[1])
    client = Client()  # one handler: a new Client loads the middleware (WhiteNoise) again
    app.conf.task_always_eager = False
    try:
        for _attempt in range(2):
            times = _measure(client, kinds, rounds=20, warm_up=2)
            known = statistics.median(t for pair in times.values() for t in pair[0]) * 1000
            unknown = statistics.median(t for pair in times.values() for t in pair[1]) * 1000
            per_kind = {
                name: f"{statistics.median(k) * 1000:.1f}/{statistics.median(u) * 1000:.1f}"
                for name, (k, u) in times.items()
            }
            report = f"known {known:.1f} ms, unknown {unknown:.1f} ms; per kind {per_kind}"
            print(f"recovery medians: {report}")
            if abs(known / unknown - 1) <= 0.10:
                break
    finally:
        app.conf.task_always_eager = True
    assert abs(known / unknown - 1) <= 0.10, report
    # Every request went the whole way; only the hits' messages are in the outbox.
    recipients = set(OutboxMessage.objects.values_list("recipient", flat=True))
    assert recipients == {"ivanov@example.ru", "+79123456789", "buh@firm.ru"}
    assert ConfirmationCode.objects.filter(subject__startswith="decoy:").count() == (
        OutboxMessage.objects.count()
    )


# --- The captcha after a few requests from one address ------------------------------------------


def _has_captcha(response) -> bool:
    return 'data-testid="captcha"' in response.content.decode()


def _captcha_answer(response) -> dict[str, str]:
    from captcha.models import CaptchaStore

    key = re.search(r'name="captcha_0" value="(\w+)"', response.content.decode())[1]
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def test_the_captcha_after_three_requests_from_one_address(client, person, settings):
    settings.LKK_RECOVERY_CAPTCHA_AFTER = 3
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, 10, tzinfo=dt.UTC), tick=False) as clock:
        for identifier in ["ivanov", "nobody", "+79990000000"]:
            client.cookies.clear()
            assert not _has_captcha(client.get(REQUEST))
            assert client.post(REQUEST, {"identifier": identifier}).status_code == 302
        codes = ConfirmationCode.objects.count()

        client.cookies.clear()
        page = client.get(REQUEST)
        assert _has_captcha(page)
        assert "Введите то, что видите на картинке" in page.content.decode()
        # Without the answer, or with a wrong one, nothing is looked up or sent.
        refused = client.post(REQUEST, {"identifier": "ivanov"})
        assert refused.status_code == 200 and _has_captcha(refused)
        wrong = client.post(
            REQUEST, {"identifier": "ivanov", **_captcha_answer(refused), "captcha_1": "000000"}
        )
        assert "Неверный код с картинки. Введите новый код." in wrong.content.decode()
        assert ConfirmationCode.objects.count() == codes
        right = client.post(REQUEST, {"identifier": "ivanov", **_captcha_answer(wrong)})
        assert (right.status_code, right.url) == (302, CONFIRM)
        assert OutboxMessage.objects.filter(recipient="ivanov@example.ru").count() == 1

        # Known and unknown identifiers alike; another address has its own count.
        client.cookies.clear()
        assert _has_captcha(client.post(REQUEST, {"identifier": "nobody-else"}))
        assert not _has_captcha(Client(REMOTE_ADDR="10.9.8.7").get(REQUEST))

        # The requests count in their clock hour and the next one.
        clock.shift(dt.timedelta(hours=2, seconds=1))
        client.cookies.clear()
        assert not _has_captcha(client.get(REQUEST))


# --- The login + email pair (seed 003) ----------------------------------------------------------


def test_found_by_login_and_email_pair(client, person):
    page = client.get(REQUEST).content.decode()
    assert "Email из учётной записи" in page
    response = _request(client, " IVANOV ", email=" Ivanov@Example.RU ")
    assert SENT in response.content.decode()
    message = OutboxMessage.objects.get()
    assert (message.recipient, message.channel) == ("ivanov@example.ru", "email")
    assert ConfirmationCode.objects.get().subject == f"user:{person.pk}"
    assert _confirm(client, _code("ivanov@example.ru")).url == LOGIN
    person.refresh_from_db()
    assert person.check_password(NEW)


def test_a_pair_that_does_not_match_answers_like_one_that_does(client, person):
    UserFactory(username="petrov", email="petrov@example.ru")
    pages = {}
    for name, login, email in [
        ("match", "ivanov", "ivanov@example.ru"),
        ("another's email", "ivanov", "petrov@example.ru"),
        ("another's login", "petrov", "ivanov@example.ru"),
        ("no such login", "nobody", "ivanov@example.ru"),
        ("no such email", "ivanov", "nobody@example.ru"),
    ]:
        client.cookies.clear()
        first = client.post(REQUEST, {"identifier": login, "email": email})
        assert (first.status_code, first.url) == (302, CONFIRM), name
        page = client.get(CONFIRM)
        pages[name] = (page.status_code, _page(page))
    assert len(set(pages.values())) == 1
    assert [m.recipient for m in OutboxMessage.objects.all()] == ["ivanov@example.ru"]


def test_pair_form_errors(client, person):
    page = _request(client, "ivanov", email="not-an-email").content.decode()
    assert 'id="id_email_error"' in page
    page = _request(client, "7707083893", "12-345", "ivanov@example.ru").content.decode()
    assert "Укажите либо номер договора с ИНН, либо email с логином." in page
    assert not ConfirmationCode.objects.exists()


def test_a_refused_code_is_not_shown(client, person):
    _request(client, "ivanov")
    client.cookies.clear()
    page = _request(client, "ivanov").content.decode()  # within the 60 s pause
    assert SENT in page
    assert OutboxMessage.objects.count() == 1


def test_wrong_code_messages_alike_for_a_miss(client, person):
    def wrong_codes() -> list[str]:
        out = []
        for code in ["12", "000000", "000000", "000000", "000000", "000000", "000000"]:
            page = _confirm(client, code).content.decode()
            out.append(re.search(r'id="id_code_error">([^<]*)<', page).group(1))
        return out

    _request(client, "ivanov")
    hit = wrong_codes()
    client.cookies.clear()
    _request(client, "nobody")
    miss = wrong_codes()
    assert hit == miss
    assert hit[:3] == [
        "Код — 6 цифр.",
        "Неверный код. Осталось попыток: 4.",
        "Неверный код. Осталось попыток: 3.",
    ]
    assert hit[-1].startswith("Код больше недействителен")


def test_used_code_refused(client, person):
    _request(client, "ivanov")
    code = _code("ivanov@example.ru")
    state = dict(client.session[recovery.SESSION_KEY])
    assert _confirm(client, code).url == LOGIN
    session = client.session
    session[recovery.SESSION_KEY] = state  # replaying the step with the spent code
    session.save()
    page = _confirm(client, code, password="Another-pass-2024").content.decode()
    assert "Код уже использован. Запросите новый код." in page
    person.refresh_from_db()
    assert person.check_password(NEW)


def test_password_rules_after_right_code(client, person):
    _request(client, "ivanov")
    page = _confirm(client, _code("ivanov@example.ru"), password="12345678").content.decode()
    assert 'id="id_new_password1_error"' in page
    assert "слишком" in page or "распространённый" in page.lower()
    assert 'name="code"' not in page  # the code is spent: only the password now
    page = _confirm(client, "", password=NEW, password2=NEW + "x").content.decode()
    assert "Пароли не совпадают." in page
    assert client.post(CONFIRM, {"new_password1": NEW, "new_password2": NEW}).url == LOGIN


def test_link_flow(client, person):
    _request(client, "ivanov@example.ru")
    body = OutboxMessage.objects.get().body
    link = re.search(r"http://testserver(/accounts/password/reset/link/[^/\s]+/)", body).group(1)
    client.cookies.clear()
    page = client.get(link).content.decode()
    assert 'name="new_password1"' in page and 'name="code"' not in page
    assert ConfirmationCode.objects.get().used_at is None  # opening the link spends nothing
    response = client.post(link, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert DONE in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(NEW)
    again = client.post(link, {"new_password1": NEW, "new_password2": NEW})
    assert "Ссылка уже использована. Запросите новую." in again.content.decode()
    bogus = reverse("accounts:password_reset_link", kwargs={"token": "x" * 43})
    bad = client.post(bogus, {"new_password1": NEW, "new_password2": NEW})
    assert "Ссылка недействительна. Запросите новую." in bad.content.decode()


def test_other_sessions_end_and_audit(client, person):
    from django.test import Client

    other = Client()
    other.force_login(person)
    home = reverse("customers:home")
    assert other.get(home).status_code == 200
    _request(client, "ivanov")
    response = client.post(
        CONFIRM,
        {"code": _code("ivanov@example.ru"), "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert DONE in response.content.decode()
    gone = other.get(home)
    assert gone.status_code == 302 and gone.url.startswith(LOGIN)
    event = AuditEvent.objects.get(kind="password_reset")
    assert event.user == person
    assert recovery.SESSION_KEY not in client.session


def test_password_never_sent_nor_logged(client, person):
    _request(client, "ivanov")
    _confirm(client, _code("ivanov@example.ru"))
    assert OutboxMessage.objects.exists()
    for message in OutboxMessage.objects.all():
        assert NEW not in message.body + message.html + message.subject
    for event in AuditEvent.objects.all():
        assert NEW not in str(event.details)


def test_resend_pause_and_resend(client, person):
    _request(client, "ivanov")
    page = client.get(CONFIRM).content.decode()
    assert "Отправить код ещё раз" in page
    assert "Новый код можно запросить через 60 с." in page
    refused = client.post(CONFIRM, {"resend": "1"}).content.decode()
    assert "Новый код можно запросить через" in refused
    assert OutboxMessage.objects.count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        response = client.post(CONFIRM, {"resend": "1"}, follow=True)
        assert "Если учётная запись найдена, мы отправили новый код." in response.content.decode()
        assert OutboxMessage.objects.count() == 2
        assert _confirm(client, _code("ivanov@example.ru")).url == LOGIN


def test_resend_for_a_miss_looks_the_same(client, person):
    _request(client, "nobody")
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        response = client.post(CONFIRM, {"resend": "1"}, follow=True)
    assert "Если учётная запись найдена, мы отправили новый код." in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_confirm_without_request(client):
    page = client.get(CONFIRM)
    assert page.status_code == 200
    assert "Сначала запросите код восстановления." in page.content.decode()


def test_account_is_kept_in_session_not_in_the_page(client, person):
    _request(client, "ivanov")
    page = client.get(CONFIRM).content.decode()
    hidden = re.findall(r'<input type="hidden" name="([^"]+)"', page)
    assert set(hidden) <= {"csrfmiddlewaretoken", "next"}  # "next": the language switch
    # A visitor cannot pick the account: a posted "user" is ignored.
    other = UserFactory(username="victim")
    client.post(CONFIRM, {"code": _code("ivanov@example.ru"), "new_password1": NEW,
                          "new_password2": NEW, "user": other.pk})  # fmt: skip
    other.refresh_from_db()
    assert not other.check_password(NEW)


def test_inactive_account_is_a_miss(client, person):
    person.is_active = False
    person.save()
    _request(client, "ivanov")
    assert not OutboxMessage.objects.exists()
