from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from lkk.customers.access import access_scope
from lkk.customers.models import Counterparty


def _header(request: HttpRequest) -> dict[str, object]:
    """Who is logged in, top left (seed 001), from the grants read for the request.

    The person (ФИО, else the login) and, apart, the counterparty they act for with its
    category (ЮЛ, ИП, ФЛ). With several counterparties (A10) the grants also list them for the
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
    # Read with the grants (access_scope): no query of its own.
    counterparties = [
        Counterparty(pk=pk, short_name=short_name, kind=kind)
        for pk, short_name, kind in scope.all_counterparties
    ]
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
