from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from lkk.customers.models import Counterparty


def _header(request: HttpRequest) -> dict[str, str]:
    """The name and category shown top left (seed 001): one query, only on pages that show it."""
    user = request.user
    if not user.is_authenticated:
        return {}
    if user.is_superuser:
        return {"name": user.display_name, "category": _("Администратор")}
    if user.is_staff:
        return {"name": user.display_name, "category": _("Оператор")}
    counterparty = Counterparty.objects.visible_to(user).order_by("short_name").first()
    if counterparty is None:
        return {"name": user.display_name, "category": ""}
    return {"name": counterparty.short_name, "category": counterparty.get_kind_display()}


def customer(request: HttpRequest) -> dict[str, object]:
    return {"header": SimpleLazyObject(lambda: _header(request))}
