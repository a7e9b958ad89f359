"""One-time confirmation codes: A4 and SECURITY.md "Accounts" (one-time codes).

The clock is frozen with time-machine and moved by hand; the concurrency tests at the end run
only on PostgreSQL (`-m postgres`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import threading
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.db import connection, transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import example, given
from hypothesis import strategies as st

from lkk.accounts.models import ConfirmationCode
from lkk.accounts.services import codes
from lkk.accounts.services.codes import (
    IssuedCode,
    code_issue,
    code_verify,
    link_verify,
    normalize_email,
    normalize_phone,
    seconds_until_resend,
)
from lkk.core.errors import ApplicationError

Purpose = ConfirmationCode.Purpose

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow
SUBJECT = "registration:6f1c0d2e-9b7a-4f57-8d0e-2a4c9f3b1e55"
PHONE = "+79123456789"
IP = "203.0.113.5"

WRONG = "Неверный код. Осталось попыток: {}."
EXPIRED = "Срок действия кода истёк. Запросите новый код."
DEAD = "Код больше недействителен: превышено число попыток. Запросите новый код."
USED = "Код уже использован. Запросите новый код."
NONE = "Код не запрашивался. Запросите код."
FORMAT = "Код — 6 цифр."
DAILY = (
    "Превышено число запросов кода на сегодня. Попробуйте завтра или обратитесь в контактный центр."
)
BAD_PHONE = "Введите номер мобильного телефона: +7 и 10 цифр."


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def next_codes(monkeypatch) -> Callable[..., None]:
    """Makes the next codes the given numbers, so that two codes surely differ (or match)."""

    def set_codes(*numbers: int) -> None:
        queue = iter(numbers)
        monkeypatch.setattr(codes.secrets, "randbelow", lambda _n: next(queue))

    return set_codes


def issue(**kwargs) -> IssuedCode:
    args = {
        "purpose": Purpose.REGISTRATION,
        "subject": SUBJECT,
        "channel": ConfirmationCode.Channel.SMS,
        "contact": PHONE,
        "ip": IP,
    } | kwargs
    return code_issue(**args)


def verify(code: str, **kwargs) -> None:
    code_verify(**({"purpose": Purpose.REGISTRATION, "subject": SUBJECT, "code": code} | kwargs))


def refusal(call: Callable[[], object]) -> str:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.message


def other(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def row() -> ConfirmationCode:
    return ConfirmationCode.objects.get(subject=SUBJECT)


# --- Issue and verify -----------------------------------------------------------------------


@pytest.mark.django_db
def test_code_is_six_digits_accepted_once(clock):
    issued = issue()
    assert re.fullmatch(r"[0-9]{6}", issued.code)
    assert issued.expires_at == T0 + dt.timedelta(minutes=10)
    assert issued.resend_after == 60
    assert issued.link_token is None

    verify(issued.code)

    assert row().used_at == T0
    with pytest.raises(ApplicationError) as caught:
        verify(issued.code)
    assert caught.value.message == USED
    assert caught.value.field == "code"


@pytest.mark.django_db
def test_codes_are_zero_padded(clock, next_codes):
    next_codes(42)
    assert issue().code == "000042"
    verify("000042")


@pytest.mark.django_db
def test_code_valid_for_ten_minutes(clock):
    early = issue(subject="user:1")
    late = issue(subject="user:2")
    clock.shift(dt.timedelta(minutes=9, seconds=59))
    verify(early.code, subject="user:1")
    clock.shift(dt.timedelta(seconds=2))  # 10:01
    assert refusal(lambda: verify(late.code, subject="user:2")) == EXPIRED


@pytest.mark.django_db
def test_five_wrong_tries_kill_the_code(clock):
    issued = issue()
    wrong = other(issued.code)
    for left in (4, 3, 2, 1):
        assert refusal(lambda: verify(wrong)) == WRONG.format(left)
    assert refusal(lambda: verify(wrong)) == DEAD
    assert refusal(lambda: verify(issued.code)) == DEAD
    assert row().attempts == 5
    assert row().used_at is None


@pytest.mark.django_db
def test_right_code_after_four_wrong_tries_is_accepted(clock):
    issued = issue()
    for _ in range(4):
        refusal(lambda: verify(other(issued.code)))
    verify(issued.code)
    assert row().used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["{} {}", "{}-{}", " {}–{} ", "{}\u00a0{}"])
def test_spaces_and_dashes_in_the_code_are_ignored(clock, typed):
    issued = issue()
    verify(typed.format(issued.code[:3], issued.code[3:]))
    assert row().used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12a456", "１２３４５６", "12345²"])
def test_not_six_digits_is_refused_without_costing_a_try(clock, typed):
    issue()
    with pytest.raises(ApplicationError) as caught:
        verify(typed)
    assert (caught.value.message, caught.value.field) == (FORMAT, "code")
    assert row().attempts == 0


@pytest.mark.django_db
def test_no_code_requested(clock):
    assert refusal(lambda: verify("123456")) == NONE


@pytest.mark.django_db
def test_verify_refuses_to_run_inside_the_callers_transaction(clock):
    """A rollback of the caller's work would undo the count of wrong tries."""
    issued = issue()
    with pytest.raises(RuntimeError), transaction.atomic():
        verify(issued.code)
    assert row().used_at is None


# --- Binding --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_code_is_bound_to_its_purpose(clock, next_codes):
    next_codes(111111, 222222)
    issue(purpose=Purpose.REGISTRATION, subject="user:1")
    issue(purpose=Purpose.RECOVERY, subject="user:1")

    message = refusal(lambda: verify("111111", purpose=Purpose.RECOVERY, subject="user:1"))
    assert message == WRONG.format(4)
    assert refusal(lambda: verify("111111", purpose=Purpose.LOGIN, subject="user:1")) == NONE
    verify("111111", purpose=Purpose.REGISTRATION, subject="user:1")


@pytest.mark.django_db
def test_code_is_bound_to_its_subject(clock, next_codes):
    next_codes(111111, 222222)
    issue(purpose=Purpose.RECOVERY, subject="user:1")
    issue(purpose=Purpose.RECOVERY, subject="user:2", contact="+79990000002")

    message = refusal(lambda: verify("111111", purpose=Purpose.RECOVERY, subject="user:2"))
    assert message == WRONG.format(4)
    assert refusal(lambda: verify("111111", purpose=Purpose.RECOVERY, subject="user:3")) == NONE
    verify("111111", purpose=Purpose.RECOVERY, subject="user:1")


@pytest.mark.django_db
def test_the_same_digits_hash_differently_per_purpose_and_subject(clock, next_codes):
    next_codes(123456, 123456, 123456)
    issue(purpose=Purpose.RECOVERY, subject="user:1")
    issue(purpose=Purpose.RECOVERY, subject="user:2")
    issue(purpose=Purpose.LOGIN, subject="user:1")
    hashes = set(ConfirmationCode.objects.values_list("code_hash", flat=True))
    assert len(hashes) == 3


# --- Storage --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_code_and_link_are_stored_only_as_hashes(clock, next_codes, settings):
    next_codes(314159)
    issued = issue(
        channel=ConfirmationCode.Channel.EMAIL, contact="Ivan@Example.RU", with_link=True
    )
    assert issued.code == "314159"
    secrets_ = (issued.code, issued.link_token)

    record = row()
    for field in ConfirmationCode._meta.concrete_fields:
        value = str(field.value_from_object(record))
        assert not any(s in value for s in secrets_), field.name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ConfirmationCode._meta.db_table}")  # noqa: S608
        columns = cursor.fetchall()
    assert len(columns) == 1
    assert not any(s in str(value) for value in columns[0] for s in secrets_)

    key = settings.SECRET_KEY.encode()
    message = f"registration|{SUBJECT}|314159".encode()
    assert record.code_hash == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert record.link_hash and record.link_hash != record.code_hash
    assert not any(s in repr(issued) for s in secrets_)


@pytest.mark.django_db
def test_contact_is_stored_normalized(clock):
    issued = issue(contact="8 (912) 345-67-89")
    assert issued.contact == PHONE
    assert row().contact == PHONE
    email = issue(subject="user:7", channel="email", contact="  Ivan.Petrov@Example.RU ")
    assert email.contact == "ivan.petrov@example.ru"


@pytest.mark.django_db
def test_bad_contact_is_refused_and_nothing_is_recorded(clock):
    with pytest.raises(ApplicationError) as caught:
        issue(contact="12345")
    assert (caught.value.message, caught.value.field) == (BAD_PHONE, "phone")
    assert not ConfirmationCode.objects.exists()


# --- Resend and daily caps ------------------------------------------------------------------


@pytest.mark.django_db
def test_resend_not_before_sixty_seconds(clock):
    assert seconds_until_resend(purpose=Purpose.REGISTRATION, subject=SUBJECT) == 0
    issue()
    assert seconds_until_resend(purpose=Purpose.REGISTRATION, subject=SUBJECT) == 60
    clock.shift(dt.timedelta(seconds=30))
    assert refusal(issue) == "Новый код можно запросить через 30 с."
    clock.shift(dt.timedelta(seconds=29.5))
    assert seconds_until_resend(purpose=Purpose.REGISTRATION, subject=SUBJECT) == 1
    assert refusal(issue) == "Новый код можно запросить через 1 с."
    # Another purpose or subject has its own pause.
    issue(purpose=Purpose.RECOVERY)
    issue(subject="registration:other")

    clock.shift(dt.timedelta(seconds=0.5))
    assert seconds_until_resend(purpose=Purpose.REGISTRATION, subject=SUBJECT) == 0
    issue()
    assert ConfirmationCode.objects.filter(subject=SUBJECT, purpose="registration").count() == 2


@pytest.mark.django_db
def test_new_code_kills_the_old_one(clock, next_codes):
    next_codes(111111, 222222)
    first = issue(with_link=True)
    clock.shift(dt.timedelta(seconds=61))
    issue()

    assert refusal(lambda: verify(first.code)) == WRONG.format(4)
    message = refusal(lambda: link_verify(purpose=Purpose.REGISTRATION, token=first.link_token))
    assert message == "Срок действия ссылки истёк. Запросите новую."
    verify("222222")
    old = ConfirmationCode.objects.order_by("created_at").first()
    assert old.expires_at == T0 + dt.timedelta(seconds=61)
    assert old.used_at is None


@pytest.mark.django_db
def test_daily_cap_per_contact(clock, settings):
    settings.LKK_CODE_DAILY_LIMIT_PER_CONTACT = 3
    issue(subject="user:1", ip="198.51.100.1")
    issue(subject="user:2", ip="198.51.100.2", purpose=Purpose.RECOVERY)
    issue(subject="user:3", ip=None)

    assert refusal(lambda: issue(subject="user:4", ip="198.51.100.4")) == DAILY
    issue(subject="user:4", contact="+79990000004")  # another phone is not capped
    clock.move_to(dt.datetime(2026, 11, 20, 20, 59, tzinfo=dt.UTC))  # 23:59 in Moscow
    assert refusal(lambda: issue(subject="user:5")) == DAILY
    clock.move_to(dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC))  # the next day in Moscow
    issue(subject="user:5")


@pytest.mark.django_db
def test_daily_cap_per_contact_for_email_ignores_case(clock, settings):
    settings.LKK_CODE_DAILY_LIMIT_PER_CONTACT = 1
    issue(channel="email", contact="ivan@example.ru")
    refused = refusal(lambda: issue(subject="user:2", channel="email", contact="IVAN@example.ru"))
    assert refused == DAILY


@pytest.mark.django_db
def test_daily_cap_per_ip(clock, settings):
    settings.LKK_CODE_DAILY_LIMIT_PER_IP = 3
    for n in range(3):
        issue(subject=f"user:{n}", contact=f"+7999000000{n}")

    assert refusal(lambda: issue(subject="user:9", contact="+79990000009")) == DAILY
    issue(subject="user:9", contact="+79990000009", ip="198.51.100.9")
    clock.shift(dt.timedelta(days=1))
    issue(subject="user:10", contact="+79990000010")


# --- One-click link -------------------------------------------------------------------------


@pytest.mark.django_db
def test_link_is_accepted_once_and_names_its_subject(clock):
    issued = issue(channel="email", contact="ivan@example.ru", with_link=True)
    assert len(issued.link_token) >= 43

    record = link_verify(purpose=Purpose.REGISTRATION, token=issued.link_token)

    assert (record.subject, record.contact, record.used_at) == (SUBJECT, "ivan@example.ru", T0)
    message = refusal(lambda: link_verify(purpose=Purpose.REGISTRATION, token=issued.link_token))
    assert message == "Ссылка уже использована. Запросите новую."
    assert refusal(lambda: verify(issued.code)) == USED, "the link used the code up too"


@pytest.mark.django_db
def test_link_expires_with_the_code(clock):
    issued = issue(channel="email", contact="ivan@example.ru", with_link=True)
    clock.shift(dt.timedelta(minutes=10, seconds=1))
    message = refusal(lambda: link_verify(purpose=Purpose.REGISTRATION, token=issued.link_token))
    assert message == "Срок действия ссылки истёк. Запросите новую."


@pytest.mark.django_db
def test_link_is_dead_after_the_code_was_used_or_guessed(clock):
    used = issue(subject="user:1", channel="email", contact="a@example.ru", with_link=True)
    verify(used.code, subject="user:1")
    message = refusal(lambda: link_verify(purpose=Purpose.REGISTRATION, token=used.link_token))
    assert message == "Ссылка уже использована. Запросите новую."

    guessed = issue(subject="user:2", channel="email", contact="b@example.ru", with_link=True)
    for _ in range(5):
        refusal(lambda: verify(other(guessed.code), subject="user:2"))
    message = refusal(lambda: link_verify(purpose=Purpose.REGISTRATION, token=guessed.link_token))
    assert message == "Ссылка недействительна. Запросите новую."


@pytest.mark.django_db
def test_link_is_bound_to_its_purpose_and_unknown_tokens_are_refused(clock):
    issued = issue(channel="email", contact="ivan@example.ru", with_link=True)
    invalid = "Ссылка недействительна. Запросите новую."
    assert refusal(lambda: link_verify(purpose=Purpose.RECOVERY, token=issued.link_token)) == (
        invalid
    )
    assert refusal(lambda: link_verify(purpose=Purpose.REGISTRATION, token="x" * 43)) == invalid
    assert refusal(lambda: link_verify(purpose=Purpose.REGISTRATION, token="")) == invalid
    assert row().used_at is None


# --- Normalization --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "+79123456789",
        "89123456789",
        "79123456789",
        "9123456789",
        "+7 (912) 345-67-89",
        "8 912 345 67 89",
        " 8-912-345-67-89 ",
        "+7\u00a0912\u00a0345\u201167\u201189",
        "8(912)345.67.89",
    ],
)
def test_phone_forms_normalize_to_plus_seven(typed):
    assert normalize_phone(typed) == PHONE


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "+7",
        "912345678",
        "+8 912 345 67 89",
        "+79123456789 доб. 1",
        "+791234567890",
        "8912345678",
        "+7 912 345 67 8٩",
        "++79123456789",
        "+7 912 345 67 89\n1",
    ],
)
def test_other_phones_are_refused(typed):
    with pytest.raises(ApplicationError) as caught:
        normalize_phone(typed)
    assert (caught.value.message, caught.value.field) == (BAD_PHONE, "phone")


_phone_like = st.lists(
    st.sampled_from([*"0123456789", "+", "+7", "8", " ", "-", "(", ")", ".", "\u00a0", "٣"]),
    max_size=20,
).map("".join)


@given(st.one_of(st.text(), _phone_like))
@example("+7 (912) 345-67-89")
def test_any_input_gives_a_phone_or_the_message(typed):
    try:
        phone = normalize_phone(typed)
    except ApplicationError as error:
        assert error.message == BAD_PHONE
    else:
        assert re.fullmatch(r"\+7[0-9]{10}", phone)
        assert normalize_phone(phone) == phone
        assert re.sub(r"[^0-9]", "", typed).endswith(phone[2:])


def test_email_is_trimmed_and_lower_cased():
    assert normalize_email("  Ivan.Petrov@Example.RU ") == "ivan.petrov@example.ru"
    with pytest.raises(ApplicationError) as caught:
        normalize_email("ivan@")
    assert caught.value.field == "email"


# --- Admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_codes_without_hashes_or_full_contacts(client, admin_user, clock):
    issue(with_link=True)
    record = row()
    # The back office wants the second factor: a confirmed TOTP device, verified in the session.
    device = TOTPDevice.objects.create(user=admin_user, name="test", confirmed=True)
    client.force_login(admin_user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    response = client.get("/admin/accounts/confirmationcode/")

    assert response.status_code == 200
    body = response.content.decode()

    assert "+7 *** ***-**-89" in body
    assert "Регистрация" in body
    assert PHONE not in body
    assert record.code_hash not in body
    assert record.link_hash not in body
    assert f"/admin/accounts/confirmationcode/{record.pk}/" not in body
    detail = client.get(f"/admin/accounts/confirmationcode/{record.pk}/change/")
    assert detail.status_code == 200
    assert record.code_hash not in detail.content.decode()
    assert record.link_hash not in detail.content.decode()


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------

THREADS = 12


@pytest.fixture
def postgres() -> None:
    assert connection.vendor == "postgresql", "run on PostgreSQL (scripts/services.py --postgres)"


def run_at_once(call: Callable[[], object]) -> list[object]:
    """Runs `call` in THREADS threads released together; returns each result or exception."""
    barrier = threading.Barrier(THREADS)
    results: list[object] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            outcome: object = call()
        except Exception as error:
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == THREADS
    return results


def messages(results: list[object]) -> list[str]:
    assert all(r is None or isinstance(r, ApplicationError) for r in results), results
    return sorted(r.message if r else "ok" for r in results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_verifications_accept_the_code_once(postgres):
    issued = issue()
    results = run_at_once(lambda: verify(issued.code))
    assert messages(results) == sorted(["ok"] + [USED] * (THREADS - 1))
    assert row().used_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_tries_are_all_counted(postgres):
    issued = issue()
    results = run_at_once(lambda: verify(other(issued.code)))
    expected = [WRONG.format(n) for n in (4, 3, 2, 1)] + [DEAD] * (THREADS - 4)
    assert messages(results) == sorted(expected)
    assert row().attempts == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_issue_one_code(postgres):
    results = run_at_once(issue)
    issued = [r for r in results if isinstance(r, IssuedCode)]
    refused = [r for r in results if not isinstance(r, IssuedCode)]
    assert len(issued) == 1
    assert all(isinstance(r, ApplicationError) for r in refused), refused
    assert {r.message for r in refused} == {"Новый код можно запросить через 60 с."}
    assert ConfirmationCode.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_keep_the_daily_cap(postgres, settings):
    settings.LKK_CODE_DAILY_LIMIT_PER_CONTACT = 3
    counter = iter(range(THREADS))
    subjects = threading.Lock()

    def request() -> IssuedCode:
        with subjects:
            n = next(counter)
        return issue(subject=f"user:{n}")

    results = run_at_once(request)
    assert sum(isinstance(r, IssuedCode) for r in results) == 3
    assert messages([r for r in results if not isinstance(r, IssuedCode)]) == [DAILY] * 9
    assert ConfirmationCode.objects.filter(contact=PHONE).count() == 3
