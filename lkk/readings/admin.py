from django.contrib import admin

from lkk.readings.models import Reading


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("meter", "zone", "read_on", "value", "source", "status", "billing_id")
    list_filter = ("source", "status", "zone")
    search_fields = ("meter__serial_number", "billing_id")
    raw_id_fields = ("meter", "submitted_by")
    list_select_related = ("meter",)
    list_per_page = 50
    show_full_result_count = False
