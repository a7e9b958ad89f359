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
def pagination(context: template.Context) -> SafeString:
    """The pages' links and the count under a list (includes/pagination.html), from `page_obj`.

    Written in Python: every list shows it, and as template tags (two `{% querystring %}`, two
    `{% blocktranslate %}`) it cost a third of a millisecond a page.
    """
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
