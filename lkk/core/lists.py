"""Searchable, sortable, paginated lists: one implementation for every list page.

A list's cost must not grow with the customer, nor with the page number, nor with the other
customers: the page runs one COUNT and one page query, whatever the number of rows, and search
and sort use only whitelisted fields.

- Pages are picked id-first (`IdFirstPaginator`): the page's primary keys come from the
  customer's own rows alone, in an index on (counterparty, sort key, id), and only those rows
  are joined to what the table shows. Page 100 then reads 2,500 index entries instead of joining
  and sorting every row of the customer (or, worse, of everyone) before throwing most away.
- A search through a relation (`contract__number`) is a subquery of the *visible* related rows,
  not a join: the planner narrows each table by its own (trigram, on PostgreSQL) index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, Window
from django.utils.translation import gettext as _
from django.views.generic import ListView

from lkk.core.params import MAX_ID, param_choice, param_page, param_text
from lkk.core.rows import join, querystring


class _AnyOf(Func):
    """`field = ANY(ARRAY(subquery))` (PostgreSQL): the subquery runs once, before the query,
    and its ids drive an index scan; `field IN (subquery)` let the planner read all the
    customer's rows to match them, and an OR of it with indexable conditions stopped the other
    conditions from using their indexes."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def in_subquery(field: str, queryset: QuerySet) -> Q | Func:
    """A condition `field` is one of the single-column `queryset`'s values."""
    if connection.vendor == "postgresql":
        return _AnyOf(F(field), ArraySubquery(queryset))
    return Q(**{f"{field}__in": queryset})


def _contains(model: type, fields: list[str], text: str) -> Q:
    """Any of the model's `fields` contains `text` (lower-cased), through the model's stored
    lower-cased `search_text` when it holds these fields (`SEARCH_TEXT_FIELDS`): it has a
    trigram index, and nothing is lower-cased row by row at search time."""
    exact = Q()
    for field in fields:
        exact |= Q(**{f"{field}__lower__contains": text})
    folded = set(getattr(model, "SEARCH_TEXT_FIELDS", ()))
    if not folded or not set(fields) <= folded:
        return exact
    # `text` holds no control character (lkk.core.params.param_text), so it cannot match across
    # the line breaks between the fields: the folded text contains it iff one of them does.
    indexed = Q(search_text__contains=text)
    return indexed if set(fields) == folded else indexed & exact


class IdFirstPaginator(Paginator):
    """Picks a page's ids and the list's count in one query, then loads the page's rows by them.

    The first query reads only the list's own table (its ordering and filters, no select_related
    joins): `SELECT pk, COUNT(*) OVER () … ORDER BY … LIMIT n OFFSET m`, so PostgreSQL walks an
    index of the customer's rows, and a search runs once for both the count and the page. The
    second (`rows`: the list's visible rows with what the table shows, in the same order) loads
    the page's rows alone by their ids. Only a page past the end (or an empty list) asks for a
    COUNT of its own, to find the last page.
    """

    def __init__(self, object_list: QuerySet, per_page: int, *, rows: QuerySet | None = None,
                 **kwargs: object) -> None:  # fmt: skip
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows if rows is not None else object_list

    def _page_ids(self, number: int) -> list[int]:
        """The ids of page `number` (none past the end); the count comes with them."""
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page > MAX_ID:  # beyond what OFFSET takes: past any list's end
            return []
        found = list(
            self.object_list.annotate(lkk_total=Window(Count("*"))).values_list("pk", "lkk_total")[
                bottom : bottom + self.per_page
            ]
        )
        if found:
            self.__dict__["count"] = found[0][1]  # Paginator.count is a cached_property
        return [pk for pk, _total in found]

    def _page_of(self, number: int, ids: list[int]) -> Page:
        rows = self.rows.filter(pk__in=ids) if ids else self.rows.none()
        return self._get_page(rows, number, self)

    def get_page(self, number: object) -> Page:
        """As Paginator.get_page: not a number is page 1, past the end is the last page."""
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        ids = self._page_ids(wanted)
        if not ids:  # past the end, or nothing to show: the count finds the last page
            wanted = self.num_pages
            ids = self._page_ids(wanted) if self.count else []
        return self._page_of(wanted, ids)

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        return self._page_of(number, self._page_ids(number))


class WindowCountPaginator(Paginator):
    """A page's rows and the list's count in one query: `SELECT …, COUNT(*) OVER () … LIMIT n
    OFFSET m`, the count read from the first row (as `IdFirstPaginator`'s first query, for a
    short list whose rows need no join: «Главная»'s contracts). Only a page past the end (or an
    empty list) asks for a COUNT of its own, to find the last page. With `fields`, the rows are
    named tuples of these fields (cheaper than models)."""

    def __init__(self, object_list: QuerySet, per_page: int, *, fields: tuple[str, ...] = (),
                 **kwargs: object) -> None:  # fmt: skip
        super().__init__(object_list, per_page, **kwargs)
        self.fields = fields

    def _rows(self, number: int) -> list:
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page > MAX_ID:  # beyond what OFFSET takes: past any list's end
            return []
        counted = self.object_list.annotate(lkk_total=Window(Count("*")))
        if self.fields:
            counted = counted.values_list(*self.fields, "lkk_total", named=True)
        rows = list(counted[bottom : bottom + self.per_page])
        if rows:
            self.__dict__["count"] = rows[0].lkk_total  # Paginator.count is a cached_property
        return rows

    def get_page(self, number: object) -> Page:
        """As Paginator.get_page: not a number is page 1, past the end is the last page."""
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        rows = self._rows(wanted)
        if not rows:  # past the end, or nothing to show: the count finds the last page
            wanted = self.num_pages
            rows = self._rows(wanted) if self.count else []
        return self._get_page(rows, wanted, self)

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        return self._get_page(self._rows(number), number, self)


class SearchSortListView(LoginRequiredMixin, ListView):
    #: Fields searched (case-insensitive, by substring) with the `q` parameter.
    search_fields: tuple[str, ...] = ()
    #: `sort` parameter value → ORDER BY field; "-" in front of the value sorts descending.
    sort_fields: dict[str, str] = {}
    default_sort: str = ""
    #: Columns of the table: (sort key or "", header).
    columns: tuple[tuple[str, str], ...] = ()
    heading: str = ""
    search_placeholder: str = ""
    #: A list may write its rows in Python (lkk.core.rows): a method `rows_html(rows)` giving
    #: the page's <tr>s; without it the template's `row` block renders each row.
    rows_html: Callable[..., str] | None = None
    #: The columns a page's rows load (`QuerySet.only`), when the rows need fewer than all.
    row_fields: tuple[str, ...] = ()

    def get_paginate_by(self, queryset: QuerySet) -> int:
        return settings.LKK_PAGE_SIZE

    paginator_class = IdFirstPaginator

    def get_paginator(self, queryset: QuerySet, per_page: int, **kwargs: object) -> Paginator:
        return self.paginator_class(queryset, per_page, rows=self._rows, **kwargs)

    def paginate_queryset(self, queryset: QuerySet, page_size: int):
        """A page number past the end shows the last page instead of a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(param_page(self.request.GET))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def search_query(self) -> str:
        return param_text(self.request.GET, "q")

    def sort_key(self) -> str:
        """A key of `sort_fields`, with "-" in front for descending; anything else: the default."""
        keys = [*self.sort_fields, *(f"-{key}" for key in self.sort_fields)]
        return param_choice(self.request.GET, "sort", keys) or self.default_sort

    def search_condition(self, model: type, text: str) -> Q:
        """`search_fields` containing `text` (lower-cased). A field of a related customer model
        (`contract__number`) becomes `contract__in=<visible contracts whose number contains
        it>`, one subquery per relation, instead of a join of the whole related table."""
        local: list[str] = []
        related: dict[str, list[str]] = defaultdict(list)
        for field in self.search_fields:
            name, _sep, rest = field.partition("__")
            target = model._meta.get_field(name).related_model if rest else None
            if target is not None and hasattr(target._default_manager, "visible_to"):
                related[name].append(rest)
            else:
                local.append(field)
        condition = _contains(model, local, text) if local else Q()
        for name, fields in related.items():
            target = model._meta.get_field(name).related_model
            visible = target._default_manager.visible_to(self.request.user)
            # No ORDER BY inside the subquery (the model's default ordering would add one).
            matching = visible.filter(_contains(target, fields, text)).order_by().values("pk")
            condition |= in_subquery(name, matching)
        return condition

    def get_queryset(self) -> QuerySet:
        """The list's rows, searched and sorted; `self._rows` the same unsearched, to load a
        page's rows by their ids (the search was already done to pick them)."""
        qs = self.get_base_queryset()
        key = self.sort_key()
        if key:
            field = self.sort_fields[key.lstrip("-")]
            descending = key.startswith("-")
            # The primary key breaks ties so that pages never repeat or skip a row.
            qs = qs.order_by(f"-{field}" if descending else field, "-pk" if descending else "pk")
        self._rows = qs.only(*self.row_fields) if self.row_fields else qs
        query = self.search_query()
        if query and self.search_fields:
            qs = qs.filter(self.search_condition(qs.model, query.lower()))
        return qs

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        key = self.sort_key()
        context["heading"] = self.heading
        context["search_placeholder"] = self.search_placeholder
        context["q"] = self.search_query()
        context["sort"] = key
        query = self.request.GET

        def sort_next(col_key: str) -> str:
            """A column's link sorts by it, or reverses the order when it sorts already."""
            return ("-" + col_key) if key == col_key else col_key

        context["columns"] = [
            {
                "key": col_key,
                "title": title,
                "active": key.lstrip("-") == col_key if col_key else False,
                "descending": key.startswith("-"),
                # As `{% querystring sort=… page=None %}` (the head's links), built here.
                "url": querystring(query, sort=sort_next(col_key), page=None) if col_key else "",
            }
            for col_key, title in self.columns
        ]
        # On a phone the table's head is hidden (its rows are cards): the order is chosen here.
        context["sort_options"] = [
            {"value": value, "title": f"{title} — {direction}", "selected": value == key}
            for col_key, title in self.columns
            if col_key
            for value, direction in (
                (col_key, _("по возрастанию")),
                (f"-{col_key}", _("по убыванию")),
            )
        ]
        rows_html = getattr(self, "rows_html", None)
        if rows_html is not None:
            context["rows_html"] = join(rows_html(context["page_obj"].object_list))
        return context
