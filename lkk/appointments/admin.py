from django.contrib import admin

from lkk.appointments.models import (
    Appointment,
    Office,
    OfficeHoliday,
    OfficeHours,
    Service,
    Slot,
)


class OfficeHoursInline(admin.TabularInline):
    model = OfficeHours
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "phone", "slot_minutes", "capacity", "active")
    list_filter = ("active",)
    search_fields = ("name", "address")
    filter_horizontal = ("services",)
    inlines = [OfficeHoursInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "duration_minutes", "active")
    list_filter = ("active",)


@admin.register(OfficeHoliday)
class OfficeHolidayAdmin(admin.ModelAdmin):
    list_display = ("day", "office", "reason")
    list_filter = ("office",)


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ("office", "starts_at", "capacity", "taken", "blocked")
    list_filter = ("office", "blocked")
    date_hierarchy = "starts_at"
    list_select_related = ("office",)
    show_full_result_count = False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("slot", "service", "user", "status", "created_at")
    list_filter = ("status", "office")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user", "counterparty", "slot", "moved_to")
    list_select_related = ("slot__office", "service", "user")
    show_full_result_count = False
