"""The one base of the API's customer resources: every row through `visible_to(request.user)`.

A resource is a subclass naming its model, serializer, the query filters it takes and what to
join; the router in lkk/api/urls.py gives it `GET /…/` (a page) and `GET /…/{id}/`. Another
customer's object, a missing one and an id that is no id are the same 404.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets

from lkk.core.params import parse_id


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    model: type[Model]
    #: query parameter → (lookup of an id, description); e.g. {"contract": ("contract_id", "…")}
    query_parameters: dict[str, tuple[str, str]] = {}
    select_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("pk",)

    def base_queryset(self) -> QuerySet:
        """The rows the user may see: the only door to the model (lkk/customers/access.py)."""
        return self.model.objects.visible_to(self.request.user)

    def get_queryset(self) -> QuerySet:
        queryset = self.base_queryset()
        if self.action == "list":
            queryset = self.filter_queryset_by_params(queryset)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset.order_by(*self.ordering)

    def filter_queryset_by_params(self, queryset: QuerySet) -> QuerySet:
        errors = {}
        for name, (lookup, _description) in self.query_parameters.items():
            raw = self.request.query_params.get(name)
            if raw is None or raw == "":
                continue
            value = parse_id(raw)
            if value is None:
                errors[name] = [_("Укажите целое положительное число.")]
                continue
            queryset = queryset.filter(**{lookup: value})
        if errors:
            raise serializers.ValidationError(errors)
        return queryset

    def get_object(self) -> Model:
        pk = parse_id(str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")))
        if pk is None:
            raise Http404
        try:
            return self.get_queryset().get(pk=pk)
        except self.model.DoesNotExist:
            raise Http404 from None
