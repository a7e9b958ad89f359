from django.contrib import admin

from lkk.core.admin_mixins import BillingMirrorAdmin
from lkk.customers import models
from lkk.customers.services import grant_remove


@admin.register(models.Counterparty)
class CounterpartyAdmin(BillingMirrorAdmin):
    list_display = ("short_name", "kind", "inn", "kpp", "ogrn", "ogrnip", "billing_id")
    list_filter = ("kind",)
    search_fields = ("short_name", "name", "inn", "ogrn", "ogrnip", "snils", "billing_id")


@admin.register(models.Contact)
class ContactAdmin(BillingMirrorAdmin):
    list_display = ("value", "kind", "counterparty", "contract")
    list_filter = ("kind",)
    search_fields = ("value", "counterparty__short_name", "contract__number")
    raw_id_fields = ("counterparty", "contract")


@admin.register(models.Contract)
class ContractAdmin(BillingMirrorAdmin):
    list_display = ("number", "counterparty", "signed_on", "kind", "status", "balance")
    list_filter = ("status", "kind", "price_category", "voltage_level")
    search_fields = ("number", "counterparty__short_name", "counterparty__inn", "billing_id")
    raw_id_fields = ("counterparty",)
    list_select_related = ("counterparty",)


@admin.register(models.ConsumptionObject)
class ConsumptionObjectAdmin(BillingMirrorAdmin):
    list_display = ("name", "kind", "address", "contract")
    list_filter = ("kind",)
    search_fields = ("name", "address", "contract__number", "billing_id")
    raw_id_fields = ("contract",)
    list_select_related = ("contract",)


@admin.register(models.MeteringPoint)
class MeteringPointAdmin(BillingMirrorAdmin):
    list_display = ("code", "name", "address", "contract", "voltage_level", "max_power_kw")
    list_filter = ("voltage_level",)
    search_fields = ("code", "name", "address", "contract__number", "billing_id")
    raw_id_fields = ("contract", "consumption_object")
    list_select_related = ("contract",)


@admin.register(models.Meter)
class MeterAdmin(BillingMirrorAdmin):
    list_display = (
        "serial_number",
        "model",
        "metering_point",
        "tariff_zones",
        "next_verification_on",
        "is_automatic",
    )
    list_filter = ("tariff_zones", "is_automatic")
    search_fields = ("serial_number", "model", "metering_point__code", "billing_id")
    raw_id_fields = ("metering_point",)
    list_select_related = ("metering_point",)


@admin.register(models.AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    """Grants are read here and revoked here (audited); they are made only by the registration
    pipeline's approve service (`customers.services.grant_add`), after proof of control — for a
    customer at the office, «Выдать доступ клиенту в офисе» in the back office."""

    list_display = ("user", "counterparty", "all_contracts", "granted_at", "granted_by")
    search_fields = ("user__username", "user__email", "counterparty__short_name")
    list_select_related = ("user", "counterparty", "granted_by")
    fields = ("user", "counterparty", "all_contracts", "contracts", "granted_at", "granted_by")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        grant_remove(grant=obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset) -> None:
        for grant in queryset:
            grant_remove(grant=grant, by=request.user, request=request)
