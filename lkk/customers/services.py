"""Writes about customers' access: the one service that grants it (PRODUCT.md A5, A10)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record
from lkk.core.errors import ApplicationError
from lkk.customers.access import forget_access_scope, scopes_disabled
from lkk.customers.models import AccessGrant, Contract


@transaction.atomic
def grant_add(
    *,
    user,
    counterparty_id: int,
    contract_ids: Iterable[int] | None,
    granted_by=None,
    request: HttpRequest | None = None,
    via: str = "",
) -> AccessGrant:
    """Gives `user` the counterparty's contracts: all of them (None) or the listed ones.

    The only writer of access grants. Its callers have proven control first (the approve service
    of registration requests, `lkk.accounts.services.registration`). A grant only widens: an
    existing whole-counterparty grant stays whole, listed contracts are added to listed ones.
    Contracts of another counterparty are ignored; when none is left, nothing is granted (a
    grant without contracts would still show the counterparty itself).
    """
    wanted: list[int] | None = None
    if contract_ids is not None:
        with scopes_disabled():  # the caller proved control of this counterparty
            wanted = list(
                Contract.objects.filter(
                    counterparty_id=counterparty_id, pk__in=list(contract_ids)
                ).values_list("pk", flat=True)
            )
        if not wanted:
            raise ApplicationError(_("Выберите хотя бы один договор."), field="contracts")
    grant, created = AccessGrant.objects.select_for_update().get_or_create(
        user=user,
        counterparty_id=counterparty_id,
        defaults={"all_contracts": wanted is None, "granted_by": granted_by},
    )
    if not created and wanted is None and not grant.all_contracts:
        grant.all_contracts = True
        grant.save(update_fields=["all_contracts"])
    if not grant.all_contracts and wanted:
        grant.contracts.add(*wanted)
    forget_access_scope(user)
    audit_record(
        kind=AuditEvent.Kind.GRANT_ADDED,
        request=request,
        user=user,
        actor=granted_by,
        details={
            "counterparty": counterparty_id,
            "grant": grant.pk,
            "all_contracts": grant.all_contracts,
            "contracts": sorted(wanted or []),
            "via": via,
        },
    )
    return grant


@transaction.atomic
def grant_remove(*, grant: AccessGrant, by=None, request: HttpRequest | None = None) -> None:
    """Revokes a grant (an admin in the back office), audited."""
    user, counterparty_id, pk = grant.user, grant.counterparty_id, grant.pk
    grant.delete()
    forget_access_scope(user)
    audit_record(
        kind=AuditEvent.Kind.GRANT_REMOVED,
        request=request,
        user=user,
        actor=by,
        details={"counterparty": counterparty_id, "grant": pk},
    )
