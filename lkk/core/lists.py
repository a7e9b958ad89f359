"""Searchable, sortable, paginated lists: one implementation for every list page.

A list's cost must not grow with the customer: the page runs one COUNT and one page query,
whatever the number of rows, and search and sort use only whitelisted fields.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.views.generic import ListView

from lkk.core.params import param_choice, param_page, param_text


class SearchSortListView(LoginRequiredMixin, ListView):
    #: Fields searched (case-insensitive, by substring) with the `q` parameter.
    search_fields: tuple[str, ...] = ()
    #: `sort` parameter value → ORDER BY field; "-" in front of the value sorts descending.
    sort_fields: dict[str, str] = {}
    default_sort: str = ""
    #: Columns of the table: (sort key or "", header).
    columns: tuple[tuple[str, str], ...] = ()
    heading: str = ""
    search_placeholder: str = ""

    def get_paginate_by(self, queryset: QuerySet) -> int:
        return settings.LKK_PAGE_SIZE

    def paginate_queryset(self, queryset: QuerySet, page_size: int):
        """A page number past the end shows the last page instead of a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(param_page(self.request.GET))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def search_query(self) -> str:
        return param_text(self.request.GET, "q")

    def sort_key(self) -> str:
        """A key of `sort_fields`, with "-" in front for descending; anything else: the default."""
        keys = [*self.sort_fields, *(f"-{key}" for key in self.sort_fields)]
        return param_choice(self.request.GET, "sort", keys) or self.default_sort

    def get_queryset(self) -> QuerySet:
        qs = self.get_base_queryset()
        query = self.search_query()
        if query and self.search_fields:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__lower__contains": query.lower()})
            qs = qs.filter(condition)
        key = self.sort_key()
        if key:
            field = self.sort_fields[key.lstrip("-")]
            descending = key.startswith("-")
            # The primary key breaks ties so that pages never repeat or skip a row.
            qs = qs.order_by(f"-{field}" if descending else field, "-pk" if descending else "pk")
        return qs

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        key = self.sort_key()
        context["heading"] = self.heading
        context["search_placeholder"] = self.search_placeholder
        context["q"] = self.search_query()
        context["sort"] = key
        context["columns"] = [
            {
                "key": col_key,
                "title": title,
                "active": key.lstrip("-") == col_key if col_key else False,
                "descending": key.startswith("-"),
                "next": ("-" + col_key) if key == col_key else col_key,
            }
            for col_key, title in self.columns
        ]
        # On a phone the table's head is hidden (its rows are cards): the order is chosen here.
        context["sort_options"] = [
            {"value": value, "title": f"{title} — {direction}", "selected": value == key}
            for col_key, title in self.columns
            if col_key
            for value, direction in (
                (col_key, _("по возрастанию")),
                (f"-{col_key}", _("по убыванию")),
            )
        ]
        return context
