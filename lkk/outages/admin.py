from django.contrib import admin

from lkk.outages.models import Outage, Subscription


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    list_display = ("settlement", "street", "houses", "starts_at", "ends_at", "published")
    list_filter = ("published",)
    search_fields = ("settlement", "street", "district")
    date_hierarchy = "starts_at"
    readonly_fields = ("created_by", "created_at")
    show_full_result_count = False

    # Outages are entered in the back office (/outages/manage/): its service checks the houses
    # and notifies the subscribers.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "settlement", "street", "house", "created_at")
    search_fields = ("user__username", "street")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    show_full_result_count = False
