from django.contrib import admin
from django.http import HttpRequest

from lkk.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only. For now only superusers (admins) read it; operators do not see it."""

    list_display = ("created_at", "kind", "user", "actor", "ip")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__email", "ip")
    date_hierarchy = "created_at"
    list_select_related = ("user", "actor")
    readonly_fields = ("created_at", "kind", "user", "actor", "ip", "user_agent", "details")
    fields = readonly_fields

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
