"""«Плановые отключения» (S3) in the app: the public search (no login) and the user's
subscriptions — the site's form, selector and services."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from lkk.api import serializers as s
from lkk.api.schema import ErrorSerializer
from lkk.api.views.base import CustomerViewSet, form_errors
from lkk.outages import selectors, services
from lkk.outages.forms import SearchForm, SubscriptionForm
from lkk.outages.models import Subscription

SEARCH = [
    OpenApiParameter("settlement", str, description="Населённый пункт (часть названия)"),
    OpenApiParameter("street", str, description="Улица (часть названия)"),
    OpenApiParameter("house", str, description="Дом, например 19а"),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="С даты, ГГГГ-ММ-ДД"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="По дату, ГГГГ-ММ-ДД"),
]


@extend_schema_view(
    list=extend_schema(
        summary="Плановые отключения: поиск по адресу и датам (без входа)",
        parameters=SEARCH,
        responses={
            200: s.OutageSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="Ошибка в параметрах поиска"),
        },
        auth=[],
    )
)
class OutageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.OutageSerializer
    # Public, like the site's page: no key needed, none read.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet:
        form = SearchForm(self.request.query_params)
        if not form.is_valid():
            raise form_errors(form)
        found = {k: v for k, v in form.cleaned_data.items() if v}
        return selectors.outages_search(**found)


@extend_schema_view(
    list=extend_schema(summary="Мои подписки на отключения"),
    retrieve=extend_schema(summary="Подписка на отключения"),
)
class OutageSubscriptionViewSet(CustomerViewSet):
    model = Subscription
    serializer_class = s.OutageSubscriptionSerializer
    ordering = ("settlement", "street", "house", "pk")

    @extend_schema(
        summary="Подписаться на отключения по адресу",
        description="Пустой дом — вся улица. Адрес, на который уже есть подписка, не дублируется.",
        request=s.OutageSubscriptionSerializer,
        responses={
            201: s.OutageSubscriptionSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Подписка не оформлена"),
        },
    )
    def create(self, request):
        given = s.OutageSubscriptionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = SubscriptionForm(
            {k: given.validated_data.get(k, "") for k in ("settlement", "street", "house")}
        )
        if not form.is_valid():
            raise form_errors(form)
        subscription = services.subscription_add(user=request.user, **form.cleaned_data)
        return Response(
            s.OutageSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(summary="Удалить подписку", responses={204: None})
    def destroy(self, request, pk=None):
        services.subscription_delete(user=request.user, subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Подписаться на адреса моих объектов потребления",
        request=None,
        responses=s.AddedSerializer,
    )
    @action(detail=False, methods=["post"], url_path="my-objects")
    def my_objects(self, request):
        return Response({"added": services.subscriptions_of_my_objects(user=request.user)})
