from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from lkk.customers.access import access_scope
from lkk.customers.models import Counterparty


def _header(request: HttpRequest) -> dict[str, object]:
    """The name and category shown top left (seed 001), from the grants read for the request.

    With several counterparties (A10) the same query also lists them for the switcher; the
    header then names the chosen one (or the first, under «Все контрагенты»).
    """
    user = request.user
    if not user.is_authenticated:
        return {}
    if user.is_superuser:
        return {"name": user.display_name, "category": _("Администратор")}
    if user.is_staff:
        return {"name": user.display_name, "category": _("Оператор")}
    scope = access_scope(user)
    # Read with the grants (access_scope): no query of its own.
    counterparties = [
        Counterparty(pk=pk, short_name=short_name, kind=kind)
        for pk, short_name, kind in scope.all_counterparties
    ]
    chosen = [cp for cp in counterparties if cp.pk == scope.active_counterparty_id]
    counterparty = (chosen or counterparties or [None])[0]
    if counterparty is None:
        return {"name": user.display_name, "category": ""}
    return {
        "name": counterparty.short_name,
        "category": counterparty.get_kind_display(),
        "counterparties": counterparties if len(counterparties) > 1 else [],
        "active_id": scope.active_counterparty_id,
    }


def customer(request: HttpRequest) -> dict[str, object]:
    return {"header": SimpleLazyObject(lambda: _header(request))}
