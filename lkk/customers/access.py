"""Customer isolation: the one place that decides which rows a user may see.

Every model that holds customer data declares how it reaches a contract (`CONTRACT_PATH`) or is
the counterparty itself (`COUNTERPARTY_PATH`), and uses `VisibleQuerySet`; what a user made
himself also names its owner (`OWNER_PATH`). Large tables also keep
their counterparty in a column of their own (`COUNTERPARTY_SCOPE_PATH`), so that a customer's rows
are found through one index instead of a join. Views load objects only
through `visible_to(user)` or `get_object_for_user`, never by filtering on a customer by hand.

The isolation guard (bottom of this module) makes that rule hold by construction: while it is on
(every web request but the staff's, see `IsolationGuardMiddleware`), a query of customer rows that
did not start from `visible_to` raises `UnscopedQuery` instead of quietly showing another
customer's rows; so do a reverse relation (`counterparty.contacts.all()`), a prefetch, a subquery,
and a join or count that leaves the user's contracts (`Count("contracts")` on counterparties).
Code that has decided by its own proof what it may touch says so with `scopes_disabled`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, overload

from django.apps import apps
from django.db import models
from django.db.models import sql
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class AccessScope:
    """What a user was granted, read once per request.

    The IDs are resolved up front and put into the SQL as literals: the planner then knows the
    customer is small (300 contracts out of 30,000) and walks the indexes, where a subquery with
    an OR made it scan whole tables.
    """

    counterparty_ids: tuple[int, ...]  # every counterparty the user may act for
    whole_counterparty_ids: tuple[int, ...]  # ... of which all contracts are granted
    contract_ids: tuple[int, ...]  # contracts granted one by one
    # A10: every granted counterparty, whichever is chosen in the switcher; and the chosen one.
    all_counterparty_ids: tuple[int, ...] = ()
    active_counterparty_id: int | None = None
    # (id, short name, kind) of every granted counterparty: the header and the switcher show
    # them, read with the grants instead of by a query of their own on every page.
    all_counterparties: tuple[tuple[int, str, str], ...] = ()

    def contract_condition(self, path: str, counterparty_path: str) -> models.Q:
        condition = models.Q(pk__in=[])  # nothing, unless granted below
        if self.whole_counterparty_ids:
            condition |= models.Q(**{f"{counterparty_path}_id__in": self.whole_counterparty_ids})
        if self.contract_ids:
            field = f"{path}_id__in" if path else "pk__in"
            condition |= models.Q(**{field: self.contract_ids})
        return condition


def access_scope(user: AbstractBaseUser | AnonymousUser) -> AccessScope:
    """The user's grants in one query, cached on the user object for the rest of the request."""
    cached = getattr(user, "_lkk_access_scope", None)
    if cached is not None:
        return cached
    grant = apps.get_model("customers", "AccessGrant")
    rows = grant.objects.filter(user_id=user.pk).values_list(
        "counterparty_id", "all_contracts", "contracts", "counterparty__short_name",
        "counterparty__kind",
    )  # fmt: skip
    counterparties, whole, contracts, names = set(), set(), set(), {}
    for counterparty_id, all_contracts, contract_id, short_name, kind in rows:
        counterparties.add(counterparty_id)
        names[counterparty_id] = (counterparty_id, short_name, kind)
        if all_contracts:
            whole.add(counterparty_id)
        elif contract_id is not None:
            contracts.add((counterparty_id, contract_id))
    everything = tuple(sorted(counterparties))
    # A10: the counterparty chosen in the switcher (ActiveCounterpartyMiddleware) narrows the
    # scope here, and so every list, «Главная» and detail page; a stale choice is ignored.
    active = getattr(user, "_lkk_active_counterparty", None)
    if active not in counterparties:
        active = None
    else:
        counterparties = {active}
        whole &= {active}
        contracts = {pair for pair in contracts if pair[0] == active}
    scope = AccessScope(
        counterparty_ids=tuple(sorted(counterparties)),
        whole_counterparty_ids=tuple(sorted(whole)),
        contract_ids=tuple(sorted({contract_id for _cp, contract_id in contracts})),
        all_counterparty_ids=everything,
        active_counterparty_id=active,
        all_counterparties=tuple(sorted(names.values(), key=lambda row: (row[1], row[0]))),
    )
    user._lkk_access_scope = scope
    return scope


def forget_access_scope(user: AbstractBaseUser) -> None:
    """To be called by a service that changes the user's grants within a request."""
    _unwrapped(user).__dict__.pop("_lkk_access_scope", None)


def _unwrapped(user: Any) -> Any:
    """`request.user` is a lazy wrapper whose own __dict__ is not the user's."""
    return user.__dict__.get("_wrapped", user)


class VisibleQuerySet(models.QuerySet):
    """Customer rows: read through `visible_to(user)`; anything else trips the isolation guard."""

    def __init__(self, model=None, query=None, using=None, hints=None) -> None:
        super().__init__(model, query if query is not None else GuardedQuery(model), using, hints)

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> VisibleQuerySet:
        if user is None or not user.is_authenticated:
            return _passed(self.none())
        scope = access_scope(user)
        qs = self
        owner_path = getattr(self.model, "OWNER_PATH", None)
        if owner_path:
            # What a user made himself (a receipt, an upload) is his alone, and only while he
            # still acts for its counterparty.
            qs = qs.filter(**{owner_path: user.pk})
        counterparty_path = getattr(self.model, "COUNTERPARTY_PATH", None)
        if counterparty_path is not None:
            field = f"{counterparty_path}__in" if counterparty_path else "pk__in"
            return _passed(qs.filter(**{field: scope.counterparty_ids}))
        contract_path: str = self.model.CONTRACT_PATH
        default = f"{contract_path}__counterparty" if contract_path else "counterparty"
        return _passed(
            qs.filter(
                scope.contract_condition(
                    contract_path, getattr(self.model, "COUNTERPARTY_SCOPE_PATH", default)
                )
            )
        )

    # Writes by queryset are guarded too (a SELECT is guarded in GuardedQuery.get_compiler):
    # `Reading.objects.filter(meter_id=x).update(...)` must not reach another customer's rows.
    def update(self, **kwargs: Any) -> int:
        _check(self.query)
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self) -> tuple[int, dict[str, int]]:
        _check(self.query)
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


def switcher_counterparties(user: AbstractBaseUser) -> VisibleQuerySet:
    """A10: every counterparty the user was granted, whichever one the switcher has chosen."""
    counterparty = apps.get_model("customers", "Counterparty")
    ids = access_scope(user).all_counterparty_ids if user.is_authenticated else ()
    return _passed(counterparty.objects.filter(pk__in=ids))


def get_object_for_user(
    queryset: type[M] | models.QuerySet, user: AbstractBaseUser | AnonymousUser, **lookup: Any
) -> M:
    """The object if the user may see it, else 404 — the same answer as for a missing one."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    return get_object_or_404(queryset.visible_to(user), **lookup)


ACTIVE_COUNTERPARTY_KEY = "lkk_active_counterparty"


def active_counterparty_set(request: HttpRequest, counterparty_id: int | None) -> None:
    """The switcher's choice (A10) for this session; None is «Все контрагенты»."""
    if counterparty_id is None:
        request.session.pop(ACTIVE_COUNTERPARTY_KEY, None)
        _unwrapped(request.user).__dict__.pop("_lkk_active_counterparty", None)
    else:
        request.session[ACTIVE_COUNTERPARTY_KEY] = counterparty_id
        request.user._lkk_active_counterparty = counterparty_id
    forget_access_scope(request.user)


class ActiveCounterpartyMiddleware:
    """Hands the session's switcher choice (A10) to `access_scope` through the user object.

    Only the session is read, and the user only touched when a choice was made: no extra query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        chosen = session.get(ACTIVE_COUNTERPARTY_KEY) if session is not None else None
        if chosen is not None and request.user.is_authenticated:
            request.user._lkk_active_counterparty = chosen
        return self.get_response(request)


# --- The isolation guard ----------------------------------------------------------------------


class UnscopedQuery(RuntimeError):
    """Customer rows were about to be read around `visible_to` while the isolation guard was on.

    A programming error, never a user's: the page fails (500) rather than show another
    customer's data, and a test that opens the page fails with this message.
    """


class _RequestGuard:
    """The guard of one web request: on for customers and anonymous visitors, off for staff.

    The back office and the admin decide by roles what an operator may see, so their requests
    are not a customer's. The user is looked at only when a query breaks the rule, so that the
    guard costs no query on a page that keeps it.
    """

    def __init__(self, request: HttpRequest | None) -> None:
        self.request = request
        self._applies: bool | None = None if request is not None else True

    def applies(self) -> bool:
        if self._applies is None:
            user = getattr(self.request, "user", None)
            staff = user is not None and user.is_authenticated and user.is_staff
            self._applies = not staff
        return self._applies


_DISABLED = _RequestGuard(None)  # a marker: the state under scopes_disabled
_guard: ContextVar[_RequestGuard | None] = ContextVar("lkk_isolation_guard", default=None)


class GuardedQuery(sql.Query):
    """The SQL query of every customer-model queryset: checked each time it is compiled.

    Compiling is the one door every read goes through: iteration, count(), exists(),
    aggregate(), get(), a page of a paginator, a prefetch, a subquery inside another query, a
    related manager (`contract.charges.all()`). `visible_to` marks the query (`passed`); the
    mark lives on the query, so it survives chaining and a query used as a subquery, and a
    query OR-ed with an unmarked one loses it.
    """

    passed = False

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        _check(self)
        return super().get_compiler(using, connection, elide_empty)

    def combine(self, rhs: sql.Query, connector: str) -> None:
        passed = self.passed
        super().combine(rhs, connector)
        rhs_passed = getattr(rhs, "passed", False)
        # AND can only narrow a passed query; OR and XOR add the other side's rows.
        self.passed = (passed or rhs_passed) if connector == sql.AND else (passed and rhs_passed)


def _passed(queryset: VisibleQuerySet) -> VisibleQuerySet:
    queryset.query.passed = True
    return queryset


def _check(query: sql.Query) -> None:
    state = _guard.get()
    if state is None or state is _DISABLED:
        return
    problem = _problem(query)
    if problem and state.applies():
        raise UnscopedQuery(
            f"{problem}. Customer rows are read through Model.objects.visible_to(user) or "
            "get_object_for_user (lkk/customers/access.py); code that decided by its own proof "
            "what it may touch wraps it in scopes_disabled()."
        )


def _problem(query: sql.Query) -> str:
    """Why the query reaches customer rows around the mechanism, or an empty string."""
    if query.is_empty():  # .none(): reads nothing
        return ""
    name = query.model.__name__
    if not getattr(query, "passed", False):
        return f"{name} rows queried without visible_to(user)"
    for alias, join in query.alias_map.items():
        relation = getattr(join, "join_field", None)
        if (
            query.alias_refcount.get(alias)
            and isinstance(relation, ForeignObjectRel)
            and not _stays_in_contract(relation)
        ):
            parent, child = relation.model.__name__, relation.related_model.__name__
            return (
                f"a {name} query joins {parent} to its {child} rows (a reverse relation, "
                f"through {child}.{relation.field.name}), which visible_to did not narrow"
            )
    return ""


def _stays_in_contract(relation: ForeignObjectRel) -> bool:
    """A join from a visible row down to rows that reach their contract through it.

    The contract's points, charges and documents, a point's meters, a meter's readings all
    belong to the row's own contract, so they are visible with it. From a counterparty down to
    its contracts or contacts (a user may be granted some contracts only), from an object to
    its points (which name their contract themselves) or to anything that is not a customer
    row, the join may leave what the user was granted.
    """
    parent_path = getattr(relation.model, "CONTRACT_PATH", None)
    child_path = getattr(relation.related_model, "CONTRACT_PATH", None)
    if parent_path is None or child_path is None:
        return False
    return child_path == "__".join(filter(None, (relation.field.name, parent_path)))


class IsolationGuardMiddleware:
    """Turns the isolation guard on for the whole of every web request (see `_RequestGuard`).

    Outside web requests (management commands, the seed, Celery tasks, tests' own set-up) the
    guard is off: that code is not acting for a customer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _guard.set(_RequestGuard(request))
        try:
            return self.get_response(request)
        finally:
            _guard.reset(token)


@contextmanager
def isolation_guard() -> Iterator[None]:
    """The guard on outside a web request, as for a customer (tests)."""
    token = _guard.set(_RequestGuard(None))
    try:
        yield
    finally:
        _guard.reset(token)


_task_tokens: dict[str, Token] = {}


def task_started(task_id: str, **kwargs: object) -> None:
    """Celery's `task_prerun`: a task is no customer's request, even when run at once inside one
    (the embedded default), so it finds the guard off as it would in a worker."""
    _task_tokens[task_id] = _guard.set(None)


def task_finished(task_id: str, **kwargs: object) -> None:
    """Celery's `task_postrun`: the request that ran the task has its guard back."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _guard.reset(token)


class _ScopesDisabled(ContextDecorator):
    def __init__(self) -> None:
        self._tokens: list[Token] = []

    def _recreate_cm(self) -> _ScopesDisabled:
        return _ScopesDisabled()  # a decorated function may be re-entered

    def __enter__(self) -> None:
        self._tokens.append(_guard.set(_DISABLED))

    def __exit__(self, *exc: object) -> None:
        _guard.reset(self._tokens.pop())


F = TypeVar("F", bound=Callable[..., Any])


@overload
def scopes_disabled(func: F) -> F: ...
@overload
def scopes_disabled(func: None = None) -> _ScopesDisabled: ...
def scopes_disabled(func: F | None = None) -> F | _ScopesDisabled:
    """Lets code read customer rows outside `visible_to` (the isolation guard's escape).

    Only for code that has already decided, by its own proof, what it may touch: registration
    matching identifiers against the mirror, a receipt found by its one-time token, the rules
    judging meters that came from visible querysets. Keep it narrow and say why beside it.
    A context manager (`with scopes_disabled():`) or a decorator (`@scopes_disabled` or
    `@scopes_disabled()`). It covers what is evaluated inside it: a queryset returned out of it
    and evaluated later is guarded again.
    """
    if func is not None:
        return _ScopesDisabled()(func)
    return _ScopesDisabled()
