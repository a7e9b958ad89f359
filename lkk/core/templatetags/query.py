"""The current query string's parameters for templates.

A template cannot call `request.GET.items` safely: Django's variable lookup tries
`request.GET["items"]` before the method, so `?items=ab` made the page iterate a string and
fail with a server error.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_items(context: template.Context, *exclude: str) -> list[tuple[str, str]]:
    """(name, last value) of each query parameter but `exclude`, e.g. for hidden form fields."""
    query = context["request"].GET
    return [(key, value) for key, value in query.items() if key not in exclude]
