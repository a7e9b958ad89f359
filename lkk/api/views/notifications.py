"""The user's notices («Уведомления», N1) in the app: a page of them, mark one or all read."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from lkk.api import serializers as s
from lkk.api.views.base import CustomerViewSet
from lkk.core.params import parse_id
from lkk.notifications.models import Notification
from lkk.notifications.selectors import notifications_of
from lkk.notifications.services import notification_read, notifications_read_all


@extend_schema_view(
    list=extend_schema(summary="Уведомления"), retrieve=extend_schema(summary="Уведомление")
)
class NotificationViewSet(CustomerViewSet):
    model = Notification
    serializer_class = s.NotificationSerializer
    ordering = ("-created_at", "-id")
    query_parameters = {"unread": ("", "1 — только непрочитанные")}

    def base_queryset(self) -> QuerySet:
        # A notice is its user's own (not a customer row under visible_to).
        if not self.request.user.is_authenticated:
            return Notification.objects.none()
        return notifications_of(self.request.user)

    def filter_queryset_by_params(self, queryset: QuerySet) -> QuerySet:
        unread = self.request.query_params.get("unread", "")
        if unread in ("", "0"):
            return queryset
        if unread != "1":
            raise serializers.ValidationError({"unread": [_("Укажите 1 или 0.")]})
        return queryset.filter(read_at__isnull=True)

    @extend_schema(summary="Отметить прочитанным", request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification_id = parse_id(str(pk))
        notification = notification_read(request.user, notification_id) if notification_id else None
        if notification is None:
            raise Http404
        return Response(s.NotificationSerializer(notification).data)

    @extend_schema(summary="Отметить все прочитанными", request=None, responses=s.ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_read_all(request.user)})
