"""Who may open the back office (O1): operators and admins who passed the second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from lkk.customers.access import scopes_disabled


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff with the second factor; a visitor goes to the login, a customer gets a 404.

    Operators read billing's data of any customer (what a request names, to check it), so the
    customer isolation guard is lifted inside these views, and only there.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        verified = getattr(user, "is_verified", None)
        if not (user.is_staff and verified is not None and verified()):
            raise Http404
        with scopes_disabled():
            return view(request, *args, **kwargs)

    return wrapper
