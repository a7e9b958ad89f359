from django.contrib import admin


class BillingMirrorAdmin(admin.ModelAdmin):
    """Billing owns these rows: operators (view permission) read them, admins may correct them."""

    list_per_page = 50
    show_full_result_count = False
    readonly_fields = ("billing_id", "synced_at")
