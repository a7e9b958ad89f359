"""The layout's per-user parts, written in Python: every page shows them (issue 13).

What is the same for everyone on a path (the menu, the head's and footer's links) is rendered
once (`fragments`); what depends on the user — who is logged in with the counterparty switcher,
the unread count, the forms with their CSRF token — is rendered on every page, here as plain
string building instead of some forty template nodes. Each tag shows exactly what its template
did (lkk/core/tests/test_layout_tags.py renders both).
"""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lkk.core.rows import e, url

register = template.Library()


def _csrf(context: Context) -> str:
    """What `{% csrf_token %}` shows: the hidden input, or nothing without a token."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 — Django's marker, not a secret
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(token)}">'


@register.simple_tag(takes_context=True)
def who_block(context: Context) -> SafeString:
    """Top left: the person, the counterparty they act for with its category, the switcher of
    counterparties (A10), «Профиль» and «Выйти» (seed 001). `header`: its context processor."""
    header = context.get("header") or {}
    html = [
        '<div class="lkk-who me-3" data-testid="who">\n',
        f'<div><span class="fw-semibold lkk-who-name">{e(header.get("name"))}</span>',
    ]
    category = header.get("category")
    if category:
        title = header.get("category_title")
        if title:
            html.append(
                f'\n<abbr class="small text-body-secondary lkk-who-category" title="{e(title)}">'
                f"{e(category)}</abbr>"
            )
        else:
            html.append(
                f'\n<span class="small text-body-secondary lkk-who-category">{e(category)}</span>'
            )
    html.append("</div>\n")
    if header.get("counterparty"):
        html.append(f'<div class="small lkk-who-counterparty">{e(header["counterparty"])}</div>\n')
    counterparties = header.get("counterparties")
    if counterparties:
        active_id = header.get("active_id")
        label, everyone, choose = e(_("Контрагент")), e(_("Все контрагенты")), e(_("Выбрать"))
        options = "".join(
            f'<option value="{e(cp.pk)}"{" selected" if cp.pk == active_id else ""}>'
            f"{e(cp.short_name)}</option>"
            for cp in counterparties
        )
        html.append(
            f'<form method="post" action="{url("customers:switch_counterparty")}"'
            ' class="d-flex gap-1 my-1" data-testid="counterparty-switcher">\n'
            f"{_csrf(context)}\n"
            f'<label class="visually-hidden" for="lkk-counterparty">{label}</label>\n'
            '<select class="form-select form-select-sm" name="counterparty" id="lkk-counterparty">'
            f'\n<option value="all"{"" if active_id else " selected"}>{everyone}</option>\n'
            f"{options}\n</select>\n"
            f'<button type="submit" class="btn btn-outline-secondary btn-sm">{choose}</button>\n'
            "</form>\n"
        )
    profile, logout = e(_("Профиль")), e(_("Выйти"))
    html.append(
        f'<a class="btn btn-link btn-sm p-0 me-2" href="{url("accounts:profile")}">{profile}</a>\n'
        f'<form method="post" action="{url("accounts:logout")}" class="d-inline">\n'
        f"{_csrf(context)}\n"
        f'<button type="submit" class="btn btn-link btn-sm p-0">{logout}</button>\n'
        "</form>\n</div>"
    )
    return SafeString("".join(html))


@register.simple_tag(takes_context=True)
def notifications_item(context: Context) -> SafeString:
    """The menu's «Уведомления» with the user's unread count (outside the menu's fragment)."""
    request = context.get("request")
    path = getattr(request, "path", "")
    active = " active" if "/notifications/" in path else ""
    unread = getattr(context.get("user"), "unread_notifications", 0)
    title, unread_title = e(_("Уведомления")), e(_("непрочитанных:"))
    badge = ""
    if unread:
        badge = (
            ' <span class="badge rounded-pill text-bg-danger" data-testid="unread-count">'
            f'<span class="visually-hidden">{unread_title} </span>{e(unread)}</span>'
        )
    return SafeString(
        f'<li class="nav-item"><a class="nav-link{active}" href="{url("notifications:list")}"'
        f' data-testid="menu-notifications">{title}{badge}</a></li>'
    )


@register.simple_tag(takes_context=True)
def language_switch(context: Context) -> SafeString:
    """RU/EN: a form posting to Django's set_language, back to the page it was on."""
    request = context.get("request")
    current = get_language()
    back = request.get_full_path() if request is not None else ""
    buttons = "".join(
        f'<button type="submit" name="language" value="{code}" class="btn btn-sm '
        f'{"btn-secondary" if current == code else "btn-outline-secondary"}" lang="{code}">'
        f"{code.upper()}</button>\n"
        for code in ("ru", "en")
    )
    language = e(_("Язык"))  # outside the f-string: xgettext does not look inside them
    return SafeString(
        f'<form method="post" action="{url("set_language")}" class="d-flex gap-1 lkk-lang"'
        f' aria-label="{language}">\n{_csrf(context)}\n'
        f'<input type="hidden" name="next" value="{e(back)}">\n{buttons}</form>'
    )
