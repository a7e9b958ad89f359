"""Deep pages cost what the first page costs, and never read other customers' rows (issue 13).

The lists pick a page's ids from an index of the customer's own rows (lkk/core/lists.py): page
100 runs the same queries as page 1, and on PostgreSQL no step of its plan reads more rows than
the customer has, however many rows the other customers have.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lkk.customers.models import AccessGrant, Meter, MeteringPoint
from lkk.customers.tests.factories import UserFactory
from lkk.demo.seed import load_counterparty

#: (list, query string) pairs whose page 1 and page 100 are compared.
LISTS = {
    "customers:point_list": {},
    "customers:meter_list": {},
    "customers:object_list": {},
    "customers:contract_list": {},
}


def _customer(index: int, *, contracts: int, points: int, username: str | None = None):
    counterparty = load_counterparty(
        billing_id=f"DP-{index}", index=index, contracts=contracts, points=points
    )
    if username is None:
        return None
    user = UserFactory(username=username)
    AccessGrant.objects.create(user=user, counterparty=counterparty)
    return user


def _queries(client, url: str, params: dict[str, str]) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LISTS))
def test_page_100_runs_the_same_queries_as_page_1(client, settings, name):
    settings.LKK_PAGE_SIZE = 2
    user = _customer(71001, contracts=200, points=1, username="deep")
    client.force_login(user)
    url = reverse(name)
    first = _queries(client, url, LISTS[name])
    deep = _queries(client, url, {**LISTS[name], "page": "100"})
    assert len(first) == len(deep)
    # The same statements but for the page's offset, the ids of its rows (read by the first
    # statement, loaded by the second) and the session's clock.
    assert [_plain(q).replace(" OFFSET 198", "") for q in deep] == [_plain(q) for q in first]
    assert any(" OFFSET 198" in q for q in deep)


def _plain(sql: str) -> str:
    sql = re.sub(r'\."id" IN \([\d, ]+\)', '."id" IN (…)', sql)
    return re.sub(r"'\d{4}-\d\d-\d\d[ T][\d:.+]+'", "'…'", sql)


@pytest.mark.django_db
def test_page_100_shows_the_rows_of_page_100(client, settings):
    settings.LKK_PAGE_SIZE = 3
    user = _customer(71002, contracts=40, points=10, username="rows")
    client.force_login(user)
    codes = list(
        MeteringPoint.objects.visible_to(user).order_by("code").values_list("code", flat=True)
    )
    for params, expected in (
        ({"page": "100"}, codes[297:300]),
        ({"page": "1"}, codes[:3]),
        ({"page": "100", "sort": "-code"}, codes[::-1][297:300]),
    ):
        response = client.get(reverse("customers:point_list"), params)
        assert [p.code for p in response.context["page_obj"].object_list] == expected


# --- PostgreSQL: what the plan of a deep page reads ---------------------------------------------

#: The customer's points; the others together have twenty times as many.
OWN_POINTS = 300
DEEP = {
    "points page 100": ("customers:point_list", {"page": "100"}),
    "points page 100 by power": ("customers:point_list", {"page": "100", "sort": "-power"}),
    "points page 100 by name": ("customers:point_list", {"page": "100", "sort": "name"}),
    "points search by code": ("customers:point_list", {"q": "CODE"}),
    "points search by name": ("customers:point_list", {"q": "ввод 1"}),
    "meters page 100": ("customers:meter_list", {"page": "100"}),
    "meters search by serial": ("customers:meter_list", {"q": "SERIAL"}),
    "meters page 50 by verification": (
        "customers:meter_list",
        {"page": "50", "sort": "verification"},
    ),
    "contracts page 10": ("customers:contract_list", {"page": "10"}),
}


@pytest.fixture
def crowded(db, settings):
    """One customer of 300 points among others with twenty times as many, statistics fresh."""
    settings.LKK_PAGE_SIZE = 3
    user = _customer(72000, contracts=30, points=10, username="crowded")
    for index in range(72001, 72021):
        _customer(index, contracts=30, points=10)
    with connection.cursor() as cursor:
        for table in ("contract", "consumptionobject", "meteringpoint", "meter"):
            cursor.execute(f"ANALYZE customers_{table}")
    return user


def _scans(plan: dict) -> list[dict]:
    found = [plan] if "Relation Name" in plan else []
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def _rows_read(sql: str) -> list[tuple[str, str, int]]:
    """(node, table, rows read) of every table scan in the statement's executed plan."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    found = []
    for scan in _scans(plan):
        removed = scan.get("Rows Removed by Filter", 0) + scan.get(
            "Rows Removed by Index Recheck", 0
        )
        read = (scan["Actual Rows"] + removed) * scan.get("Actual Loops", 1)
        found.append((scan["Node Type"], scan["Relation Name"], read))
    return found


@pytest.mark.postgres
def test_a_deep_page_reads_only_the_customers_rows(client, crowded):
    """Every step of the page's plan reads at most twice the customer's 300 points, among 6,000
    points of others: no scan of a whole table, whatever the page, sort or search."""
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "run: make test-postgres"
    point = MeteringPoint.objects.visible_to(crowded).order_by("code")[137]
    serial = point.meters.get().serial_number
    client.force_login(crowded)
    too_many = {}
    for case, (name, params) in DEEP.items():
        params = {
            key: value.replace("CODE", point.code).replace("SERIAL", serial)
            for key, value in params.items()
        }
        statements = _queries(client, reverse(name), params)
        # The page's ids (with LIMIT) and its rows (by those ids), and the user's grants.
        page = [sql for sql in statements if sql.startswith("SELECT") and "customers_" in sql]
        assert any("LIMIT" in sql for sql in page), (case, statements)
        for sql in page:
            for node, table, read in _rows_read(sql):
                if read > 2 * OWN_POINTS:
                    too_many[case] = (node, table, read)
    assert not too_many


@pytest.mark.postgres
def test_the_contract_form_reads_the_history_of_its_page_only(client, crowded, settings):
    """«Передача показаний» по договору: page 1's meters bring their previous readings along (a
    subquery of each meter's row), which PostgreSQL runs for the page's meters alone, after the
    sort and LIMIT, not for every meter of the contract."""
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "run: make test-postgres"
    settings.LKK_READING_FORM_PAGE = 2
    contract = MeteringPoint.objects.visible_to(crowded).order_by("code")[137].contract
    meters = Meter.objects.filter(metering_point__contract=contract, removed_on__isnull=True)
    assert meters.count() > 4  # more than two pages
    client.force_login(crowded)
    url = reverse("readings:submit_contract", args=[contract.pk])
    statements = _queries(client, url, {})
    page = [sql for sql in statements if "readings_reading" in sql]
    assert len(page) == 1, statements  # the meters and their readings: one statement
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {page[0]}")
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    subplans = [node for node in _nodes(plan) if node.get("Subplan Name", "").startswith("SubPlan")]
    assert [node["Actual Loops"] for node in subplans] == [2], subplans
    # Page 2: the readings of its meters asked apart (an OFFSET would run the subquery for the
    # rows it skips too).
    statements = _queries(client, url, {"page": "2"})
    assert ["readings_reading" in sql for sql in statements[-2:]] == [False, True], statements


def _nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]
