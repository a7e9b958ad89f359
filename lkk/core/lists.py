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

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.utils import create_namedtuple_class
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _
from django.views.generic import ListView

from lkk.core.params import MAX_ID, param_choice, param_page, param_text
from lkk.core.rows import join, querystring
from lkk.customers.access import access_scope


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


def in_ids(field: str, ids: Iterable[int]) -> Q | Func:
    """A condition `field` is one of `ids` (those no row can have, < 1 or > MAX_ID, dropped).

    On PostgreSQL one array parameter, `field = ANY(%s)`, instead of `IN (%s, %s, …)` with a
    placeholder per id, which Django prepares one by one and psycopg splits the query at
    (measured: an upload's 2,703 meters loaded in 119–134 ms instead of 135–154 ms)."""
    ids = sorted({pk for pk in ids if 0 < pk <= MAX_ID})
    if connection.vendor == "postgresql":
        return _AnyOf(F(field), Value(ids, output_field=ArrayField(BigIntegerField())))
    return Q(**{f"{field}__in": ids})


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


class Deferred(SimpleLazyObject):
    """A list's queryset made only when something asks for it: a page whose statements are
    kept (`kept_values`, `rows_by_ids`) needs only its model and database, and building the
    queryset through `visible_to` cost more than running the kept statement (measured: 0.3 ms
    for «Главная»'s contracts, ~0.9 ms for «Договоры»' list and rows)."""

    def __init__(self, make: Callable[[], QuerySet], model: type) -> None:
        super().__init__(make)
        # Known without making the queryset (LazyObject looks up what it lacks in the made one).
        self.__dict__["model"] = model
        self.__dict__["db"] = router.db_for_read(model)


def _grouped(queryset: QuerySet) -> bool:
    """DISTINCT or GROUP BY: a count beside the rows would count them before, so Django's
    COUNT (Paginator.count) counts what the list shows."""
    query = queryset.query
    return query.distinct or query.group_by is not None


def scalar_count(queryset: QuerySet) -> Subquery:
    """`(SELECT COUNT(*) FROM … WHERE …)` of `queryset`'s rows, to sit beside a page's rows:
    PostgreSQL answers it once, from the narrowest index (0.3 ms for 3,000 points, where a
    `COUNT(*) OVER ()` keeping every row took 1.1 ms)."""
    count = Func(template="COUNT(*)", output_field=IntegerField())
    return Subquery(queryset.order_by().annotate(lkk_n=count).values("lkk_n"))


class _CountBesidePaginator(Paginator):
    """A page whose rows bring the list's count along (as `lkk_total`): one query for both.

    Only a page past the end (or a list with no rows) asks for a COUNT of its own, to find the
    last page. Subclasses say how a page is fetched (`_fetch`) and shown (`_page_of`).
    """

    def _check_object_list_is_ordered(self) -> None:
        if type(self.object_list) is not Deferred:  # its view orders it; asking would make it
            super()._check_object_list_is_ordered()

    def _slice(self, number: int) -> slice | None:
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page > MAX_ID:  # beyond what OFFSET takes: past any list's end
            return None
        return slice(bottom, bottom + self.per_page)

    def _counted(self, found: list, total: Callable[[object], int]) -> list:
        if found:
            self.__dict__["count"] = total(found[0])  # Paginator.count is a cached_property
        return found

    def _fetch(self, number: int) -> list:
        raise NotImplementedError

    def _page_of(self, number: int, found: list) -> Page:
        raise NotImplementedError

    def get_page(self, number: object) -> Page:
        """As Paginator.get_page: not a number is page 1, past the end is the last page."""
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        found = self._fetch(wanted)
        if not found:  # past the end, or nothing to show: the count finds the last page
            wanted = self.num_pages
            found = self._fetch(wanted) if self.count else []
        return self._page_of(wanted, found)

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        return self._page_of(number, self._fetch(number))


class RowsPaginator(_CountBesidePaginator):
    """Loads a page's rows with the list's count beside each, one query: `SELECT …, COUNT(*)
    OVER () … LIMIT n OFFSET m`, or with a narrower `counted` queryset (fewer joins), `SELECT
    …, (SELECT COUNT(*) …) …`. The window is for a list whose rows are all read to be sorted
    anyway (the readings form: by the points' codes): it costs PostgreSQL less to plan than a
    subquery (measured: 0.81 vs 1.05 ms for the form's meters) and as much to run.

    With a `key` — everything the querysets depend on besides the page (the user and the URL's
    ids) — a page's statement is kept (`kept_models`): built and compiled once, then run again.
    The querysets may then be given as functions making them: they are made only when needed.
    `first`, if given, makes page 1's rows of the rows (to bring more along with them).
    """

    def __init__(self, object_list: QuerySet | Callable[[], QuerySet], per_page: int, *,
                 counted: QuerySet | Callable[[], QuerySet] | None = None,
                 key: tuple | None = None, first: Callable[[QuerySet], QuerySet] | None = None,
                 **kwargs: object) -> None:  # fmt: skip
        self._made = {"rows": object_list, "counted": counted}
        super().__init__((), per_page, **kwargs)  # the querysets: `rows` and `counted`
        self.key = key
        self.first = first

    def _make(self, name: str) -> QuerySet:
        made = self._made[name]
        if callable(made):
            made = self._made[name] = made()
        return made

    @property
    def rows(self) -> QuerySet:
        return self._make("rows")

    @property
    def counted(self) -> QuerySet:
        return self.rows if self._made["counted"] is None else self._make("counted")

    @cached_property
    def count(self) -> int:
        """Past the end: the narrower `counted` is counted."""
        return self.counted.count()

    def _fetch(self, number: int) -> list:
        page = self._slice(number)
        if page is None:
            return []

        def build() -> QuerySet | None:
            if _grouped(self.counted):  # counted by Paginator.count
                return None
            rows = self.first(self.rows) if self.first and number == 1 else self.rows
            counted = self._made["counted"]
            total = Window(Count("*")) if counted is None else scalar_count(self.counted)
            return rows.annotate(lkk_total=total)[page]

        if self.key is None:
            found = build()
            found = None if found is None else list(found)
        else:
            found = kept_models((*self.key, self.per_page, number), build)
        if found is None:
            return list(self.rows[page])
        return self._counted(found, lambda row: row.lkk_total)

    def _page_of(self, number: int, found: list) -> Page:
        return self._get_page(found, number, self)


class IdFirstPaginator(_CountBesidePaginator):
    """Picks a page's ids and the list's count in one query, then loads the page's rows by them.

    The first query reads only the list's own table (its ordering and filters, no select_related
    joins): `SELECT pk, <count> … ORDER BY … LIMIT n OFFSET m`, so PostgreSQL walks an index of
    the customer's rows to the page; the count is `COUNT(*) OVER ()` for a search (the search
    then runs once), else `scalar_count`. The second (`rows`: the list's visible rows with what
    the table shows, in the same order) loads the page's rows alone by their ids.
    """

    def __init__(self, object_list: QuerySet, per_page: int, *, rows: QuerySet | None = None,
                 load: Callable[[list[int]], list] | None = None, searched: bool = False,
                 key: tuple | None = None, **kwargs: object) -> None:  # fmt: skip
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows if rows is not None else object_list
        self.load = load  # the page's rows by their ids, in their order (else `rows` is asked)
        self.searched = searched
        self.key = key  # with it, the ids' statement is kept (`kept_values`)

    def _fetch(self, number: int) -> list[int]:
        """The ids of page `number` (none past the end); the count comes with them."""
        page = self._slice(number)
        if page is None:
            return []

        def build() -> QuerySet | None:
            if _grouped(self.object_list):  # counted by Paginator.count
                return None
            total = Window(Count("*")) if self.searched else scalar_count(self.object_list)
            return self.object_list.annotate(lkk_total=total).values_list("pk", "lkk_total")[page]

        if self.key is None:
            found = build()
            found = None if found is None else list(found)
        else:
            key = (*self.key, self.per_page, number)
            found = kept_values(key, build, using=self.object_list.db)
        if found is None:
            return list(self.object_list.values_list("pk", flat=True)[page])
        return [pk for pk, _total in self._counted(found, lambda row: row[1])]

    def _page_of(self, number: int, ids: list[int]) -> Page:
        if self.load is not None:
            return self._get_page(self.load(ids) if ids else [], number, self)
        rows = self.rows.filter(pk__in=ids) if ids else self.rows.none()
        return self._get_page(rows, number, self)


#: Kept statements (`rows_by_ids`, `kept_values`, `kept_models`), per process, by what makes
#: their SQL: always the user and his grants (`scope_key`), then the model and columns, the
#: query string, the URL's ids, the page. Building and compiling a query cost Django about a
#: millisecond, more than PostgreSQL takes to answer it; a kept statement is run again as it is.
_STATEMENTS: dict[tuple, object] = {}
STATEMENTS_MAX = 512


def _keep(key: tuple, statement: object) -> None:
    if len(_STATEMENTS) >= STATEMENTS_MAX:
        _STATEMENTS.clear()
    _STATEMENTS[key] = statement


def _converters(compiler: SQLCompiler) -> dict:
    """What turns a compiled query's database values into Python ones (as results_iter)."""
    return compiler.get_converters([col[0] for col in compiler.select[: compiler.col_count]])


def _run(compiler: SQLCompiler, converters: dict, sql: str, params: object, using: str) -> list:
    """A kept statement's rows, its database values converted as the ORM converts them; one
    written out (`_written`, no parameters) is prepared."""
    with _prepared_cursor(using) if params is None else connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return list(compiler.apply_converters(found, converters)) if converters else found


def _written(sql: str, params: tuple, using: str) -> tuple[str, tuple | None]:
    """A statement to keep as `_run` will send it: on PostgreSQL (unless
    LKK_PREPARED_STATEMENTS is off) its values written into its text, as Django's client-side
    binding writes them into every query anyway, and no parameters.

    `_run` has PostgreSQL prepare such a statement: parsed and planned the first time on a
    connection, with its values — a statement without parameters has one plan, its own — and
    then only executed. Planning was most of a page's statement (the readings form's meters:
    planned in 0.70 ms, run in 0.36 ms). With parameters instead, PostgreSQL would soon plan
    once for any values, and such a generic plan read the 3,000 meters of a big customer
    through the customer's index to keep the 10 of one contract (2.0 ms instead of 0.4).
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.LKK_PREPARED_STATEMENTS:
        return sql, params
    return connection.ops.compose_sql(sql, params), None


def _prepared_cursor(using: str):
    """A cursor of `using` (PostgreSQL) whose statements psycopg prepares: server-side binding
    and `prepare=True`. Django's cursor all the same: its query log, wrappers and time zone."""
    connection = connections[using]
    connection.ensure_connection()
    database = connection.connection
    if database.prepare_threshold is None:  # Django's default: then psycopg prepares nothing
        # Only what is asked to be prepared (`prepare=True`): nothing else runs so many times.
        database.prepare_threshold = _NEVER
    made = database.cursor_factory
    database.cursor_factory = _preparing_cursor()
    try:
        return connection.cursor()
    finally:
        database.cursor_factory = made


#: psycopg's count of runs after which it prepares a statement by itself: never.
_NEVER = 2**62


@functools.cache
def _preparing_cursor() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor  # psycopg is installed

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            done = super().execute(query, params, prepare=True, binary=binary)
            if self._query is None:
                # What Django's query log reads (last_executed_query), which psycopg leaves
                # unset when it runs a prepared statement.
                self._query = self._convert_query(query, params)
            return done

    return PreparingCursor


@dataclass(frozen=True)
class _RowsStatement:
    sql: str
    params: tuple
    slots: tuple[int, ...]  # where the ids go among the parameters
    compiler: SQLCompiler  # its converters turn database values into Python ones
    converters: dict
    row: type  # the named tuple of "pk" and the columns

    def run(self, ids: list[int], using: str) -> list:
        params = list(self.params)
        for slot, pk in zip(self.slots, ids, strict=True):
            params[slot] = pk
        found = _run(self.compiler, self.converters, self.sql, params, using)
        return _in_order(map(self.row._make, found), ids)


def _in_order(rows: Iterable, ids: list[int]) -> list:
    """`rows` (each with its id first) in the order of `ids`."""
    order = {pk: index for index, pk in enumerate(ids)}
    return sorted(rows, key=lambda row: order[row[0]])


def rows_by_ids(model: type, user: object, fields: tuple[str, ...], ids: list[int], *,
                using: str = "default") -> list:  # fmt: skip
    """The rows of `model` with these `ids` that `user` may see, as named tuples of "pk" and
    `fields` (`values_list(named=True)`), in the order of `ids`.

    The statement is made by `visible_to(user)` the first time and kept: a page of a list is
    then its SQL run again with the page's ids, without building and compiling the same query
    (a millisecond a page: more than PostgreSQL takes to answer it). Its key holds the user and
    his grants as `access_scope` read them for this request, so a changed grant makes a new
    statement; and the ids were picked by the list's own visible query, so the statement's
    isolation condition is a second fence, not the only one.
    """
    ids = [int(pk) for pk in ids]
    key = (model._meta.label, fields, len(ids), using, id(connections[using]), *scope_key(user))
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _rows_statement(model, user, fields, len(ids), using)
        if statement is None:  # nothing to see, or SQL the ids cannot be put into
            rows = model._default_manager.visible_to(user).filter(pk__in=ids)
            found = list(rows.values_list("pk", *fields, named=True))
            return _in_order(found, ids)
        _keep(key, statement)
    return statement.run(ids, using)


def _rows_statement(model: type, user: object, fields: tuple[str, ...], count: int,
                    using: str) -> _RowsStatement | None:  # fmt: skip
    sentinels = [-1 - index for index in range(count)]  # no row has a negative id
    rows = model._default_manager.using(using).visible_to(user).filter(pk__in=sentinels)
    rows = rows.order_by().values_list("pk", *fields)
    compiler = rows.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    params = tuple(params)
    if any(params.count(sentinel) != 1 for sentinel in sentinels):
        return None
    converters = _converters(compiler)
    return _RowsStatement(
        sql=sql,
        params=params,
        slots=tuple(params.index(sentinel) for sentinel in sentinels),
        compiler=compiler,
        converters=converters,
        row=create_namedtuple_class("pk", *fields),
    )


@dataclass(frozen=True)
class _ModelsStatement:
    """A compiled queryset of model instances (select_related and annotations too), to run
    again: what Django's ModelIterable does with a compiler, without compiling once more."""

    sql: str
    params: tuple | None  # None: written into `sql` (`_written`)
    compiler: SQLCompiler
    model: type
    fields: slice  # the model's own columns in a row
    init_list: list[str]
    related: list  # django.db.models.query.RelatedPopulator
    annotations: dict[str, int]
    using: str
    converters: dict

    @classmethod
    def of(cls, queryset: QuerySet) -> _ModelsStatement | None:
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            return None
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:
            return None
        own = klass_info["select_fields"]
        fields = slice(own[0], own[-1] + 1)
        sql, params = _written(sql, tuple(params), queryset.db)
        return cls(
            sql=sql,
            params=params,
            compiler=compiler,
            model=klass_info["model"],
            fields=fields,
            init_list=[col[0].target.attname for col in select[fields]],
            related=get_related_populators(klass_info, select, queryset.db),
            annotations=dict(compiler.annotation_col_map or {}),
            using=queryset.db,
            converters=_converters(compiler),
        )

    def run(self) -> list:
        found = _run(self.compiler, self.converters, self.sql, self.params, self.using)
        objects = []
        for row in found:
            obj = self.model.from_db(self.using, self.init_list, row[self.fields])
            for populator in self.related:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def kept_models(key: tuple, build: Callable[[], QuerySet | None], *,
                using: str = DEFAULT_DB_ALIAS) -> list | None:  # fmt: skip
    """The model instances of `build()`'s queryset, its statement kept under `key`, which must
    hold everything the queryset depends on (`scope_key` for the user's grants). The first time
    the queryset is built (through visible_to) and compiled; then its SQL is run again. None if
    `build()` gives none (nothing kept then)."""
    user_key = ("models", using, id(connections[using]), *key)
    statement = _STATEMENTS.get(user_key)
    if statement is None:
        queryset = build()
        if queryset is None:
            return None
        statement = _ModelsStatement.of(queryset)
        if statement is None:
            return list(queryset)
        _keep(user_key, statement)
    return statement.run()


@dataclass(frozen=True)
class _ValuesStatement:
    """A compiled `values_list` queryset, to run again (its rows as tuples, converted)."""

    sql: str
    params: tuple | None  # None: written into `sql` (`_written`)
    compiler: SQLCompiler
    using: str
    converters: dict

    def run(self) -> list[tuple]:
        return _run(self.compiler, self.converters, self.sql, self.params, self.using)


def kept_values(key: tuple, build: Callable[[], QuerySet | None], *,
                using: str = DEFAULT_DB_ALIAS) -> list | None:  # fmt: skip
    """The rows of `build()`'s values_list queryset as tuples, its statement kept under `key`
    (as `kept_models`). None if `build()` gives none (nothing kept then)."""
    user_key = ("values", using, id(connections[using]), *key)
    statement = _STATEMENTS.get(user_key)
    if statement is None:
        queryset = build()
        if queryset is None:
            return None
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return []
        sql, params = _written(sql, tuple(params), queryset.db)
        statement = _ValuesStatement(sql, params, compiler, queryset.db, _converters(compiler))
        _keep(user_key, statement)
    return statement.run()


def scope_key(user: object) -> tuple:
    """What `visible_to(user)` puts into SQL: the user and his grants, read for this request."""
    scope = access_scope(user)
    return (user.pk, scope.counterparty_ids, scope.whole_counterparty_ids, scope.contract_ids)


@receiver(setting_changed)
def _forget_statements(**kwargs: object) -> None:
    _STATEMENTS.clear()


class WindowCountPaginator(_CountBesidePaginator):
    """A page's rows and the list's count in one query: `SELECT …, COUNT(*) OVER () … LIMIT n
    OFFSET m`, the count read from the first row (as `IdFirstPaginator`'s first query, for a
    short list whose rows need no join: «Главная»'s contracts). With `fields`, the rows are
    named tuples of these fields (cheaper than models); with a `key` as well (what the
    queryset depends on besides the page: `scope_key` and the query string), its statement is
    kept (`kept_values`)."""

    def __init__(self, object_list: QuerySet, per_page: int, *, fields: tuple[str, ...] = (),
                 key: tuple | None = None, **kwargs: object) -> None:  # fmt: skip
        super().__init__(object_list, per_page, **kwargs)
        self.fields = fields
        self.key = key if fields else None

    def _fetch(self, number: int) -> list:
        page = self._slice(number)
        if page is None:
            return []

        def counted() -> QuerySet:
            return self.object_list.annotate(lkk_total=Window(Count("*")))

        if not self.fields:
            found = list(counted()[page])
        elif self.key is None:
            found = list(counted().values_list(*self.fields, "lkk_total", named=True)[page])
        else:
            row = create_namedtuple_class(*self.fields, "lkk_total")
            found = kept_values(
                (*self.key, self.fields, self.per_page, number),
                lambda: counted().values_list(*self.fields, "lkk_total")[page],
                using=self.object_list.db,
            )
            found = [row._make(values) for values in found]
        return self._counted(found, lambda row: row.lkk_total)

    def _page_of(self, number: int, found: list) -> Page:
        return self._get_page(found, number, self)


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
    #: The list's querysets depend on the user's grants, the query string and the day alone: a
    #: page's statements are kept (`kept_values`, `rows_by_ids`) under them, and the querysets
    #: are made only when a statement is not kept yet. Such a list names its `model`.
    keep_statements: bool = False
    #: The fields a page's rows show, in ORM names ("contract__number"): with them the rows are
    #: named tuples of "pk" and these (`values_list(named=True)`, no model instances), for
    #: `rows_html`; without them, the list's model instances.
    row_fields: tuple[str, ...] = ()

    def get_paginate_by(self, queryset: QuerySet) -> int:
        return settings.LKK_PAGE_SIZE

    paginator_class = IdFirstPaginator

    def get_paginator(self, queryset: QuerySet, per_page: int, **kwargs: object) -> Paginator:
        searched = bool(self.search_fields and self.search_query())
        load = self._load_rows if self.row_fields else None
        key = None
        if self.keep_statements:
            query = tuple(
                sorted((name, tuple(values)) for name, values in self.request.GET.lists())
            )
            # Today too: a list may filter by the date (the meters' verification due soon).
            today = timezone.localdate()
            key = (type(self).__qualname__, query, today, *scope_key(self.request.user))
        return self.paginator_class(
            queryset, per_page, rows=self._rows, load=load, searched=searched, key=key, **kwargs
        )

    def _load_rows(self, ids: list[int]) -> list:
        return rows_by_ids(self._rows.model, self.request.user, self.row_fields, ids,
                           using=self._rows.db)  # fmt: skip

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
        page's rows by their ids (the search was already done to pick them).

        A list whose statements are kept gets both `Deferred`: made only if a statement is not
        kept yet (the list's `model` says what they will be)."""
        if self.keep_statements:
            querysets = functools.cache(self._querysets)  # both made by the first asked
            self._rows = Deferred(lambda: querysets()[1], self.model)
            return Deferred(lambda: querysets()[0], self.model)
        qs, self._rows = self._querysets()
        return qs

    def _querysets(self) -> tuple[QuerySet, QuerySet]:
        qs = self.get_base_queryset()
        key = self.sort_key()
        if key:
            field = self.sort_fields[key.lstrip("-")]
            descending = key.startswith("-")
            # The primary key breaks ties so that pages never repeat or skip a row.
            qs = qs.order_by(f"-{field}" if descending else field, "-pk" if descending else "pk")
        rows = qs.values_list("pk", *self.row_fields, named=True) if self.row_fields else qs
        query = self.search_query()
        if query and self.search_fields:
            qs = qs.filter(self.search_condition(qs.model, query.lower()))
        return qs, rows

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
        ascending, descending = _("по возрастанию"), _("по убыванию")
        context["sort_options"] = [
            {"value": value, "title": f"{title} — {direction}", "selected": value == key}
            for col_key, title in self.columns
            if col_key
            for value, direction in ((col_key, ascending), (f"-{col_key}", descending))
        ]
        rows_html = getattr(self, "rows_html", None)
        if rows_html is not None:
            context["rows_html"] = join(rows_html(context["page_obj"].object_list))
        return context
