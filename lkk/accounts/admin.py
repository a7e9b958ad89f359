from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from lkk.accounts.models import ConfirmationCode, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Дополнительно"), {"fields": ("middle_name", "phone")}),
    )
    list_display = ("username", "email", "last_name", "first_name", "is_staff", "is_active")


@admin.register(ConfirmationCode)
class ConfirmationCodeAdmin(admin.ModelAdmin):
    """A read-only list for support («was a code sent?»): no detail page, never a hash."""

    list_display = (
        "purpose",
        "channel",
        "masked_contact",
        "created_at",
        "expires_at",
        "used_at",
        "attempts",
    )
    list_display_links = None
    list_filter = ("purpose", "channel")
    fields = list_display
    readonly_fields = list_display
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("адрес"))
    def masked_contact(self, obj: ConfirmationCode) -> str:
        return obj.masked_contact

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
