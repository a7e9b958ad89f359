from django.contrib import admin

from lkk.billing import models
from lkk.core.admin_mixins import BillingMirrorAdmin


@admin.register(models.Charge)
class ChargeAdmin(BillingMirrorAdmin):
    list_display = ("contract", "period", "kwh", "amount")
    search_fields = ("contract__number", "billing_id")
    raw_id_fields = ("contract",)
    list_select_related = ("contract",)


@admin.register(models.Payment)
class PaymentAdmin(BillingMirrorAdmin):
    list_display = ("contract", "paid_on", "amount", "document_number")
    search_fields = ("contract__number", "document_number", "billing_id")
    raw_id_fields = ("contract",)
    list_select_related = ("contract",)


@admin.register(models.Document)
class DocumentAdmin(BillingMirrorAdmin):
    list_display = ("kind", "number", "issued_on", "contract", "amount")
    list_filter = ("kind",)
    search_fields = ("number", "contract__number", "billing_id")
    raw_id_fields = ("contract",)
    list_select_related = ("contract",)


@admin.register(models.ChargeLine)
class ChargeLineAdmin(admin.ModelAdmin):
    list_display = ("charge", "zone", "kwh", "price", "amount", "vat_amount")
    raw_id_fields = ("charge",)
    list_select_related = ("charge",)


@admin.register(models.TariffComponent)
class TariffComponentAdmin(admin.ModelAdmin):
    list_display = ("contract", "period", "kind", "price")
    list_filter = ("kind",)
    raw_id_fields = ("contract",)
    list_select_related = ("contract",)
