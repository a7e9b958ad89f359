"""Customer isolation: the one place that decides which rows a user may see.

Every model that holds customer data declares how it reaches a contract (`CONTRACT_PATH`) or is
the counterparty itself (`COUNTERPARTY_PATH`), and uses `VisibleQuerySet`. Views load objects only
through `visible_to(user)` or `get_object_for_user`, never by filtering on a customer by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db import models
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

M = TypeVar("M", bound=models.Model)


def granted_counterparty_ids(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet:
    grant = apps.get_model("customers", "AccessGrant")
    return grant.objects.filter(user_id=user.pk).values("counterparty_id")


def visible_contract_ids(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet:
    """Contracts of counterparties granted whole, plus contracts granted one by one."""
    grant = apps.get_model("customers", "AccessGrant")
    contract = apps.get_model("customers", "Contract")
    whole = grant.objects.filter(user_id=user.pk, all_contracts=True).values("counterparty_id")
    one_by_one = grant.contracts.through.objects.filter(accessgrant__user_id=user.pk).values(
        "contract_id"
    )
    return contract.objects.filter(
        models.Q(counterparty_id__in=whole) | models.Q(pk__in=one_by_one)
    ).values("pk")


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> VisibleQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        counterparty_path = getattr(self.model, "COUNTERPARTY_PATH", None)
        if counterparty_path is not None:
            field = f"{counterparty_path}__in" if counterparty_path else "pk__in"
            return self.filter(**{field: granted_counterparty_ids(user)})
        contract_path: str = self.model.CONTRACT_PATH
        field = f"{contract_path}__in" if contract_path else "pk__in"
        return self.filter(**{field: visible_contract_ids(user)})


def get_object_for_user(
    queryset: type[M] | models.QuerySet, user: AbstractBaseUser | AnonymousUser, **lookup: Any
) -> M:
    """The object if the user may see it, else 404 — the same answer as for a missing one."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    return get_object_or_404(queryset.visible_to(user), **lookup)
