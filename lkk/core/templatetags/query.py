"""The current query string's parameters for templates.

A template cannot call `request.GET.items` safely: Django's variable lookup tries
`request.GET["items"]` before the method, so `?items=ab` made the page iterate a string and
fail with a server error.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lkk.core.rows import e, querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def query_items(context: template.Context, *exclude: str) -> list[tuple[str, str]]:
    """(name, last value) of each query parameter but `exclude`, e.g. for hidden form fields."""
    query = context["request"].GET
    return [(key, value) for key, value in query.items() if key not in exclude]


@register.simple_tag(takes_context=True)
def pagination(context: template.Context, page: object = None) -> SafeString:
    """The pages' links and the count under a list, from `page` (by default `page_obj`).

    Written in Python: every list shows it, and as template tags (two `{% querystring %}`, two
    `{% blocktranslate %}`) it cost a third of a millisecond a page.
    """
    if page is None:
        page = context.get("page_obj")
    if page is None:
        return SafeString("")
    paginator = page.paginator
    query = context["request"].GET
    # Texts to translate are outside the f-strings: xgettext does not look inside them.
    pages, back, forward = e(_("Страницы")), e(_("Назад")), e(_("Вперёд"))
    html = []

    def link(number: int, rel: str, title: str) -> str:
        url = e(querystring(query, page=str(number)))
        return (
            f'<li class="page-item"><a class="page-link" href="{url}" rel="{rel}">{title}</a></li>'
        )

    if paginator.num_pages > 1:
        html.append(f'<nav aria-label="{pages}">\n  <ul class="pagination flex-wrap">')
        if page.has_previous():
            html.append(link(page.previous_page_number(), "prev", back))
        numbers = {"n": page.number, "total": paginator.num_pages}
        which = e(_("Страница %(n)s из %(total)s") % numbers)
        html.append(f'<li class="page-item disabled"><span class="page-link">{which}</span></li>')
        if page.has_next():
            html.append(link(page.next_page_number(), "next", forward))
        html.append("</ul>\n</nav>")
    count = paginator.count
    found = ngettext("Найдена %(counter)s запись", "Найдено записей: %(counter)s", count)
    html.append(f'<p class="small text-body-secondary">{e(found % {"counter": count})}</p>')
    return SafeString("\n".join(html))


def _kept(query: object, *exclude: str) -> str:
    """Hidden inputs of the query's parameters but `exclude` (what `query_items` gave forms)."""
    return "".join(
        f'<input type="hidden" name="{e(key)}" value="{e(value)}">'
        for key, value in query.items()
        if key not in exclude
    )


@register.simple_tag(takes_context=True)
def search_form(context: template.Context, placeholder: str = "") -> SafeString:
    """A list's search field (`q`), the other parameters kept but the page; «Сбросить» when a
    search is shown. In Python for the reason `pagination` is."""
    query = context["request"].GET
    q = context.get("q") or ""
    search, find, reset = e(_("Поиск")), e(_("Найти")), e(_("Сбросить"))
    shown = e(placeholder) if placeholder else search
    html = [
        '<form method="get" class="d-flex flex-wrap gap-2 mb-3" role="search">',
        _kept(query, "q", "page"),
        f'<label class="visually-hidden" for="id_q">{search}</label>',
        f'<input type="search" class="form-control lkk-search" id="id_q" name="q" value="{e(q)}"'
        f' placeholder="{shown}">',
        f'<button type="submit" class="btn btn-primary">{find}</button>',
    ]
    if q:
        url = e(querystring(query, q=None, page=None))
        html.append(f'<a class="btn btn-outline-secondary" href="{url}">{reset}</a>')
    html.append("</form>")
    return SafeString("\n".join(html))


@register.simple_tag(takes_context=True)
def table_head(context: template.Context) -> SafeString:
    """A list's table head from the view's `columns`: a sortable column is a link, the sorted
    one says which way (aria-sort and an arrow)."""
    cells = []
    for col in context.get("columns") or ():
        sort = ""
        if col["active"]:
            sort = ' aria-sort="descending"' if col["descending"] else ' aria-sort="ascending"'
        title = e(col["title"])
        if col["key"]:
            arrow = ""
            if col["active"]:
                arrow = f' <span aria-hidden="true">{"↓" if col["descending"] else "↑"}</span>'
            title = f'<a href="{e(col["url"])}">{title}{arrow}</a>'
        cells.append(f'<th scope="col"{sort}>{title}</th>')
    return SafeString(f"<thead><tr>{''.join(cells)}</tr></thead>")


@register.simple_tag(takes_context=True)
def sort_form(context: template.Context) -> SafeString:
    """On a phone (where the table's head is hidden) the list's order is chosen in a form."""
    options = context.get("sort_options")
    if not options:
        return SafeString("")
    order, apply = e(_("Порядок")), e(_("Применить"))
    choices = "".join(
        f'<option value="{e(option["value"])}"{" selected" if option["selected"] else ""}>'
        f"{e(option['title'])}</option>"
        for option in options
    )
    return SafeString(
        '<form method="get" class="mb-3 d-sm-none" data-testid="sort-form">'
        f"{_kept(context['request'].GET, 'sort', 'page')}"
        f'<label class="form-label mb-1" for="id_sort">{order}</label>'
        '<div class="d-flex gap-2">'
        f'<select class="form-select" name="sort" id="id_sort">{choices}</select>'
        f'<button type="submit" class="btn btn-outline-secondary">{apply}</button>'
        "</div></form>"
    )
