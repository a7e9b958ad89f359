"""Customer isolation over Django's whole URL map.

Every route is found by walking the resolver, so a new route is tested without anyone
remembering to add it; a route with a parameter this file does not know fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
}
#: Parameters of public routes that are not customer objects → a value for them.
PUBLIC_PARAMS: dict[str, Callable[[object], str]] = {
    "key": lambda a: _captcha_key(),
    "token": lambda a: "not-a-real-link-token",
}
#: Public routes that answer only a script: the headers it sends.
PUBLIC_HEADERS = {"captcha-refresh": {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}}
#: The second factor of operators and admins (lkk/accounts/tests/test_otp.py): an anonymous
#: visitor is sent to the login page, a customer away from it.
STAFF_STEPS = {"accounts:otp_verify", "accounts:otp_setup"}
#: The operators' pages (O1, lkk/accounts/tests/test_moderation.py): an anonymous visitor is sent
#: to the login page, a customer gets a 404.
STAFF_ONLY = {
    "backoffice:moderation_queue",
    "backoffice:moderation_detail",
    "backoffice:moderation_decide",
    "backoffice:moderation_document",
    "backoffice:office_issue",
}
STAFF_PARAMS: dict[str, Callable[[object], int]] = {"pk": lambda a: 1, "doc_pk": lambda a: 1}
#: Routes that exist only with DEBUG or DEMO_MODE: with neither (as in production) they are a 404.
DEV_ONLY = {"notifications:dev_outbox"}
#: Routes that only change state by POST and then redirect (tested in their own modules).
POST_ONLY = {
    "accounts:logout",
    "set_language",
    "accounts:sessions_end_others",
    "accounts:consent_withdraw",
    "customers:switch_counterparty",  # lkk/customers/tests/test_switcher.py
}
#: The Django admin has its own login and is covered by tests/test_admin.py.
SEPARATELY_TESTED_NAMESPACES = {"admin"}

#: URL parameter → how to get customer A's object for it.
OBJECTS: dict[str, Callable[[object], int]] = {
    "counterparty_id": lambda a: a.counterparty.pk,
    "contract_id": lambda a: a.contract.pk,
    "object_id": lambda a: a.meter.metering_point.consumption_object_id,
    "point_id": lambda a: a.meter.metering_point_id,
    "meter_id": lambda a: a.meter.pk,
    "submission_id": lambda a: a.submission.pk,
    "upload_id": lambda a: _upload_of(a),
}
#: Query parameters that pick an object on pages without a path parameter.
QUERY_OBJECTS: dict[str, str] = {"contract": "contract_id"}


def _upload_of(a) -> int:
    """Customer A has no upload of readings: a minimal one is made for the test."""
    import uuid

    from lkk.readings.models import BulkUpload

    return BulkUpload.objects.create(
        token=uuid.uuid4(), counterparty=a.counterparty, uploaded_by=a.user, file_name="a.xlsx"
    ).pk


def _captcha_key() -> str:
    from captcha.models import CaptchaStore

    return CaptchaStore.generate_key()


def _text_of(response) -> str:
    """A page's text; for a download packed as a zip (XLSX), the text of every part in it."""
    import io
    import zipfile

    content = response.content
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return content.decode()


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
            **(PUBLIC_PARAMS if name in PUBLIC else {}),
            **(STAFF_PARAMS if name in STAFF_ONLY else {}),
        }
        unknown = [p for p in params if p not in known]
        assert not unknown, f"{name}: the isolation test does not know parameter(s) {unknown}"
    assert len(ROUTES) >= 12


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[n for n, _ in ROUTES])
def test_route_isolation(client, settings, customer_a, customer_b, name, params):
    values = {
        **OBJECTS,
        **(PUBLIC_PARAMS if name in PUBLIC else {}),
        **(STAFF_PARAMS if name in STAFF_ONLY else {}),
    }
    url = reverse(name, kwargs={p: values[p](customer_a) for p in params})
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
    if params:
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
