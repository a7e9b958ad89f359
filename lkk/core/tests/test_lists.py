"""IdFirstPaginator (lkk/core/lists.py): the count that comes with a page's ids is the list's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lkk.core.lists import IdFirstPaginator, RowsPaginator
from lkk.customers.models import Contract, MeteringPoint
from lkk.customers.tests.factories import ContractFactory, MeterFactory


@pytest.fixture
def contracts(customer_a, customer_b):
    """customer_a's five contracts (and customer_b's, which never count)."""
    for n in range(4):
        ContractFactory(counterparty=customer_a.counterparty, number=f"P-{n}")
        ContractFactory(counterparty=customer_b.counterparty, number=f"B-{n}")
    return Contract.objects.visible_to(customer_a.user).order_by("number", "pk")


@pytest.mark.parametrize("searched", [False, True])
def test_the_count_and_the_pages(contracts, searched):
    numbers = list(contracts.values_list("number", flat=True))
    assert len(numbers) == 5
    for wanted, shown, rows in (
        (1, 1, numbers[:2]),
        (3, 3, numbers[4:]),
        (99, 3, numbers[4:]),
        ("x", 1, numbers[:2]),
        (-4, 1, numbers[:2]),
    ):
        paginator = IdFirstPaginator(contracts, 2, searched=searched)
        with CaptureQueriesContext(connection) as queries:
            page = paginator.get_page(wanted)
            assert [c.number for c in page.object_list] == rows
            assert (page.number, paginator.count, paginator.num_pages) == (shown, 5, 3)
        # The ids with the count, the rows; past the end a COUNT and the last page's ids too.
        assert len(queries) == (4 if wanted == 99 else 2), wanted


@pytest.mark.parametrize("searched", [False, True])
def test_a_filter_that_finds_nothing(contracts, searched):
    paginator = IdFirstPaginator(contracts.filter(number="none"), 2, searched=searched)
    page = paginator.get_page(3)
    assert (list(page.object_list), page.number, paginator.count) == ([], 1, 0)


def test_distinct_rows_are_counted_as_shown(customer_a):
    """A join that repeats rows, made distinct: counted after DISTINCT, not before."""
    for _ in range(3):
        MeterFactory(metering_point__consumption_object__contract=customer_a.contract)
    points = MeteringPoint.objects.visible_to(customer_a.user)
    contracts = (
        Contract.objects.visible_to(customer_a.user)
        .filter(metering_points__in=points)
        .distinct()
        .order_by("number", "pk")
    )
    assert contracts.count() == 1
    paginator = IdFirstPaginator(contracts, 2)
    page = paginator.get_page(1)
    assert [c.pk for c in page.object_list] == [customer_a.contract.pk]
    assert paginator.count == 1


def test_rows_come_with_the_count_of_the_counted_queryset(contracts):
    numbers = list(contracts.values_list("number", flat=True))
    counted = contracts.order_by()
    for wanted, shown, rows, queries_run in (
        (1, 1, numbers[:2], 1),
        (3, 3, numbers[4:], 1),
        (99, 3, numbers[4:], 3),
        ("x", 1, numbers[:2], 1),
    ):
        paginator = RowsPaginator(contracts, 2, counted=counted)
        with CaptureQueriesContext(connection) as queries:
            page = paginator.get_page(wanted)
            assert [c.number for c in page.object_list] == rows
            assert (page.number, paginator.count, paginator.num_pages) == (shown, 5, 3)
        assert len(queries) == queries_run, wanted
    nothing = RowsPaginator(contracts.filter(number="none"), 2)
    assert (list(nothing.get_page(2).object_list), nothing.count) == ([], 0)


# --- rows_by_ids: a page's rows by a kept statement ----------------------------------------

ROW_FIELDS = ("number", "signed_on", "balance", "max_power_kw", "counterparty__short_name")


def _orm_rows(user, ids):
    rows = Contract.objects.visible_to(user).filter(pk__in=ids)
    return sorted(rows.values_list("pk", *ROW_FIELDS, named=True), key=lambda r: ids.index(r.pk))


def test_rows_by_ids_are_the_orms_rows_in_the_ids_order(contracts, customer_a, customer_b):
    from lkk.core import lists

    user = customer_a.user
    ids = list(contracts.values_list("pk", flat=True))[::-1]
    others = list(Contract.objects.filter(counterparty=customer_b.counterparty).values_list("pk", flat=True))  # fmt: skip  # noqa: E501
    asked = [ids[0], others[0], *ids[1:3], others[1]]
    for attempt in range(2):  # made, then kept
        with CaptureQueriesContext(connection) as queries:
            rows = lists.rows_by_ids(Contract, user, ROW_FIELDS, asked)
        assert rows == _orm_rows(user, ids[:3]), attempt  # another customer's ids are dropped
        assert [r.pk for r in rows] == ids[:3]
        assert len(queries) == 1
        assert [type(value) for value in rows[0][2:5]] == [
            type(getattr(contracts[0], f)) for f in ROW_FIELDS[1:4]
        ]


def test_a_changed_grant_makes_a_new_statement(customer_a):
    """The statement is kept per user and grants: a user granted one contract, then another,
    sees each time what that grant shows."""
    from lkk.core import lists
    from lkk.customers.access import forget_access_scope
    from lkk.customers.models import AccessGrant

    other = ContractFactory(counterparty=customer_a.counterparty, number="Z-1")
    grant = AccessGrant.objects.get(user=customer_a.user)
    grant.all_contracts = False
    grant.save()
    grant.contracts.set([customer_a.contract])
    user = customer_a.user
    forget_access_scope(user)
    ids = [customer_a.contract.pk, other.pk]
    assert [r.pk for r in lists.rows_by_ids(Contract, user, ROW_FIELDS, ids)] == ids[:1]
    grant.contracts.set([other])
    forget_access_scope(user)
    assert [r.pk for r in lists.rows_by_ids(Contract, user, ROW_FIELDS, ids)] == ids[1:]


def test_kept_models_are_the_querysets_models_run_again(customer_a, customer_b):
    """A kept statement gives the queryset's instances (related rows and annotations too) and
    reads the database each time: a row changed between two runs shows changed."""
    from lkk.core import lists

    for n in range(3):
        ContractFactory(counterparty=customer_a.counterparty, number=f"K-{n}")
    user = customer_a.user

    def build():
        visible = Contract.objects.visible_to(user)
        qs = visible.select_related("counterparty").order_by("number", "pk")
        return qs.annotate(lkk_total=lists.scalar_count(visible))[1:3]

    expected = list(build())
    key = ("test", *lists.scope_key(user))
    for attempt in range(2):
        with CaptureQueriesContext(connection) as queries:
            found = lists.kept_models(key, build)
        assert len(queries) == 1, attempt
        shown = [(c.pk, c.number, c.balance, c.counterparty.short_name, c.lkk_total) for c in found]
        assert shown == [
            (c.pk, c.number, c.balance, c.counterparty.short_name, 4) for c in expected
        ]
    Contract.objects.filter(pk=expected[0].pk).update(number="K-9")
    now = [c.number for c in lists.kept_models(key, build)]
    assert now == [c.number for c in build()] != [c.number for c in expected]


def test_in_ids_finds_what_in_finds_and_ignores_ids_no_row_can_have(contracts, customer_b):
    from lkk.core.lists import in_ids

    everyone = Contract.objects.visible_to(customer_b.user)
    wanted = [*[c.pk for c in contracts][:3], everyone.first().pk]
    hostile = [0, -5, 2**63, 2**70]  # beyond bigint: the IN list would fail in PostgreSQL
    found = set(contracts.filter(in_ids("pk", wanted + hostile)).values_list("pk", flat=True))
    assert found == set(contracts.filter(pk__in=wanted).values_list("pk", flat=True))
    assert len(found) == 3  # customer_b's contract is not among customer_a's
    assert not contracts.filter(in_ids("pk", [])).exists()


@pytest.mark.postgres
@pytest.mark.parametrize("prepared", [True, False])
def test_a_kept_statement_is_prepared_with_its_values_written_in(customer_a, settings, prepared):
    """On PostgreSQL a kept statement is sent with its values in its text and prepared: planned
    once for them, then only run (LKK_PREPARED_STATEMENTS off: sent as any other query)."""
    from lkk.core import lists

    settings.LKK_PREPARED_STATEMENTS = prepared
    user = customer_a.user
    number = customer_a.contract.number

    def build():
        return Contract.objects.visible_to(user).filter(number=number).values_list("pk", "number")

    key = ("test-prepared", *lists.scope_key(user))
    for _ in range(3):
        assert lists.kept_values(key, build) == [(customer_a.contract.pk, number)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%'{number}'%"],
        )
        found = cursor.fetchall()
    if not prepared:
        assert found == []
        return
    [(statement, plans)] = found
    assert f"IN ({customer_a.counterparty.pk})" in statement and "$1" not in statement
    assert plans == 3  # its own plan, made once and used by each run
    # Rows changed after it was prepared are read as they are now.
    Contract.objects.filter(pk=customer_a.contract.pk).update(number=f"{number}-x")
    assert lists.kept_values(key, build) == []
