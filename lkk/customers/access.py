"""Customer isolation: the one place that decides which rows a user may see.

Every model that holds customer data declares how it reaches a contract (`CONTRACT_PATH`) or is
the counterparty itself (`COUNTERPARTY_PATH`), and uses `VisibleQuerySet`; what a user made
himself also names its owner (`OWNER_PATH`). Large tables also keep
their counterparty in a column of their own (`COUNTERPARTY_SCOPE_PATH`), so that a customer's rows
are found through one index instead of a join. Views load objects only
through `visible_to(user)` or `get_object_for_user`, never by filtering on a customer by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db import models
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
        "counterparty_id", "all_contracts", "contracts"
    )
    counterparties, whole, contracts = set(), set(), set()
    for counterparty_id, all_contracts, contract_id in rows:
        counterparties.add(counterparty_id)
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
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> VisibleQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
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
            return qs.filter(**{field: scope.counterparty_ids})
        contract_path: str = self.model.CONTRACT_PATH
        default = f"{contract_path}__counterparty" if contract_path else "counterparty"
        return qs.filter(
            scope.contract_condition(
                contract_path, getattr(self.model, "COUNTERPARTY_SCOPE_PATH", default)
            )
        )


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


@contextmanager
def scopes_disabled() -> Iterator[None]:
    """Lets a service read customer rows outside `visible_to` (the isolation guard's escape).

    Only for code that has already decided, by its own proof, what it may touch: registration
    matching identifiers against the mirror, the back office, imports, the demo seed.
    """
    yield
