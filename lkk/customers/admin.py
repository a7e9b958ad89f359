from django.contrib import admin

from lkk.core.admin_mixins import BillingMirrorAdmin
from lkk.customers import models


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
    list_display = ("user", "counterparty", "all_contracts", "granted_at", "granted_by")
    search_fields = ("user__username", "user__email", "counterparty__short_name")
    raw_id_fields = ("user", "counterparty", "granted_by")
    filter_horizontal = ()
    autocomplete_fields = ()
    list_select_related = ("user", "counterparty", "granted_by")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "contracts" in form.base_fields:
            # Only the counterparty's own contracts can be granted one by one.
            qs = models.Contract.objects.all()
            if obj is not None:
                qs = qs.filter(counterparty=obj.counterparty)
            form.base_fields["contracts"].queryset = qs
        return form
