from django.contrib import admin

from lkk.applications.models import Application


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: applications are processed in the back office, through the services."""

    list_display = ("number", "kind", "status", "counterparty", "contract", "due_on")
    list_filter = ("status", "kind")
    search_fields = ("number",)
    readonly_fields = [f.name for f in Application._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
