from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from lkk.customers.access import access_scope, switcher_counterparties


def _header(request: HttpRequest) -> dict[str, object]:
    """Who is logged in, top left (seed 001): one query, only on pages that show it.

    The person (ФИО, else the login) and, apart, the counterparty they act for with its
    category (ЮЛ, ИП, ФЛ). With several counterparties (A10) the same query lists them for the
    switcher, which then shows the chosen one; under «Все контрагенты» the category lists the
    kinds among them.
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
    shown = chosen or counterparties
    if not shown:
        return {"name": user.display_name, "category": ""}
    kinds = {cp.kind: cp for cp in shown}.values()  # one of each kind, in the order shown
    return {
        "name": user.display_name,
        "category": ", ".join(cp.kind_abbreviation for cp in kinds),
        "category_title": ", ".join(cp.get_kind_display() for cp in kinds),
        "counterparty": shown[0].short_name if len(counterparties) == 1 else "",
        "counterparties": counterparties if len(counterparties) > 1 else [],
        "active_id": scope.active_counterparty_id,
    }


def customer(request: HttpRequest) -> dict[str, object]:
    return {"header": SimpleLazyObject(lambda: _header(request))}
