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
