"""The error pages (400, 403, 404, 405, 500): in the layout, in the visitor's language, with a
way back. `lkk/urls.py` names them as Django's handlers; a 405 gets its page from
`ErrorPageMiddleware`; a refused CSRF check is a 403 of its own (CSRF_FAILURE_VIEW)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Неверный запрос"),
            _("Запрос не удалось обработать. Проверьте адрес страницы или начните с главной."),
        ),
        403: (
            _("Доступ запрещён"),
            _("У вашей учётной записи нет доступа к этой странице."),
        ),
        404: (
            _("Страница не найдена"),
            _(
                "Такой страницы нет или она недоступна вашей учётной записи. Проверьте адрес "
                "или перейдите на главную."
            ),
        ),
        405: (
            _("Действие недоступно"),
            _("Эту страницу нельзя открыть таким способом. Вернитесь на главную и повторите."),
        ),
    }


def error_page(request: HttpRequest, status: int, text: str | None = None) -> HttpResponse:
    """The page of a 4xx answer inside the layout (with the header of a logged-in user)."""
    title, default_text = _messages()[status]
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "text": text or default_text},
        status=status,
    )


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(
        request,
        403,
        _("Страница устарела или в браузере отключены cookie. Обновите страницу и повторите."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Something broke: a page that needs neither the database nor the context processors
    (whatever failed may be one of them), only the settings and the active language."""
    template = loader.get_template("errors/500.html")
    return HttpResponseServerError(
        template.render(
            {"company_name": settings.LKK_COMPANY_NAME, "support_phone": settings.LKK_SUPPORT_PHONE}
        )
    )
