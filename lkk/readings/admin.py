from django.contrib import admin

from lkk.readings.models import BulkUpload, Correction, Reading, Submission


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("meter", "zone", "read_on", "value", "consumption", "source", "status")
    list_filter = ("source", "status", "zone", "to_export")
    search_fields = ("meter__serial_number", "billing_id")
    raw_id_fields = ("meter", "submitted_by", "submission")
    list_select_related = ("meter",)
    list_per_page = 50
    show_full_result_count = False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "counterparty", "submitted_by", "channel", "created_at")
    list_filter = ("channel",)
    search_fields = ("counterparty__short_name", "submitted_by__username")
    raw_id_fields = ("counterparty", "submitted_by")
    list_select_related = ("counterparty", "submitted_by")
    readonly_fields = ("token", "created_at", "corrected_at")
    show_full_result_count = False


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ("reading", "old_value", "new_value", "corrected_by", "corrected_at")
    raw_id_fields = ("reading", "corrected_by")
    list_select_related = ("reading", "corrected_by")


@admin.register(BulkUpload)
class BulkUploadAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "counterparty",
        "uploaded_by",
        "rows_accepted",
        "rows_rejected",
        "created_at",
    )
    search_fields = ("file_name", "counterparty__short_name", "uploaded_by__username")
    raw_id_fields = ("counterparty", "uploaded_by", "submission")
    list_select_related = ("counterparty", "uploaded_by")
    readonly_fields = ("token", "created_at")
