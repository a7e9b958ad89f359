from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from lkk.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Дополнительно"), {"fields": ("middle_name", "phone")}),
    )
    list_display = ("username", "email", "last_name", "first_name", "is_staff", "is_active")
