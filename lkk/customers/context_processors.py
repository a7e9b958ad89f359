from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from lkk.customers.access import access_scope, switcher_counterparties


def _header(request: HttpRequest) -> dict[str, object]:
    """The name and category shown top left (seed 001): one query, only on pages that show it.

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
    counterparties = list(
        switcher_counterparties(user).only("pk", "short_name", "kind").order_by("short_name", "pk")
    )
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
