"""The customer's read side (C1–C6). Thin views: selectors read, templates render."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lkk.core.lists import Deferred, SearchSortListView, WindowCountPaginator, scope_key
from lkk.core.params import param_choice, param_id, param_page, param_text, parse_id
from lkk.core.rows import join, querystring
from lkk.customers import rows, selectors
from lkk.customers.access import access_scope, active_counterparty_set, get_object_for_user
from lkk.customers.models import (
    ConsumptionObject,
    Contract,
    Counterparty,
    Meter,
    MeteringPoint,
)
from lkk.readings.services import reading_window


def _today() -> dt.date:
    return timezone.localdate()


#: What «Главная» shows of a contract: in the list, and on the card of the first one. The
#: counterparty's name comes with the user's grants (`AccessScope.all_counterparties`).
HOME_CONTRACT_FIELDS = ("pk", "number", "signed_on", "kind", "status", "balance", "balance_on",
                        "counterparty_id")  # fmt: skip


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """«Главная»: the active contracts on the left, the chosen contract's card on the right.

    Operators and admins have no contracts: their «Главная» is the back office's.
    """
    if request.user.is_staff:
        return redirect("backoffice:home")
    query = param_text(request.GET, "q")

    def active_contracts() -> QuerySet:
        contracts = selectors.active_contracts_for_user(user=request.user).order_by("number")
        if query:
            contracts = contracts.filter(number__lower__contains=query.lower())
        return contracts

    # The page's rows (named tuples) and the count in one query, without a join: the names come
    # with the grants.
    # Its statement is kept: it depends on the grants and the search alone (the queryset is
    # made only when the statement is not kept yet).
    key = ("customers:home", query, *scope_key(request.user))
    paginator = WindowCountPaginator(
        Deferred(active_contracts, Contract),
        settings.LKK_PAGE_SIZE,
        fields=HOME_CONTRACT_FIELDS,
        key=key,
    )
    page = paginator.get_page(param_page(request.GET))
    selected = None
    if (contract_id := param_id(request.GET, "contract")) is not None:
        selected = get_object_for_user(
            Contract.objects.select_related("counterparty"),
            request.user,
            pk=contract_id,
        )
    elif page.object_list:
        first = page.object_list[0]
        selected = Contract(**{field: getattr(first, field) for field in HOME_CONTRACT_FIELDS})
    context: dict[str, object] = {"page_obj": page, "q": query, "selected": selected}
    if not access_scope(request.user).all_counterparty_ids:
        # An account may exist before any access (A5): the page says how to get it.
        context["no_access"] = True
        context["pending_requests"] = selectors.pending_requests_for_user(user=request.user)
    else:
        window, today = reading_window(), _today()
        context["window_open"] = window.is_open(today)
        context["window_message"] = window.state_message(today)
    if selected is not None:
        summary, last = selectors.contract_card(user=request.user, contract=selected)
        context["summary"] = summary
        context["card_html"] = SafeString(rows.home_card(selected, summary))
        context["last_readings"] = last
        context["last_readings_html"] = join(rows.last_readings(last))
    names = selectors.counterparty_names(user=request.user, contracts=page.object_list)
    context["contracts_html"] = join(
        rows.home_contracts(page.object_list, names=names, selected=selected, query=request.GET)
    )
    return render(request, "customers/home.html", context)


class CounterpartyList(SearchSortListView):
    template_name = "customers/counterparty_list.html"
    heading = _("Контрагент")
    search_placeholder = _("Наименование или ИНН")
    search_fields = ("short_name", "name", "inn")
    sort_fields = {"name": "short_name", "inn": "inn", "kind": "kind"}
    default_sort = "name"
    columns = (
        ("name", _("Наименование")),
        ("kind", _("Правовая форма")),
        ("inn", _("ИНН")),
        ("", _("Договоров")),
    )

    def get_base_queryset(self) -> QuerySet:
        return selectors.counterparties_with_contract_counts(user=self.request.user)


@login_required
def counterparty_detail(request: HttpRequest, counterparty_id: int) -> HttpResponse:
    counterparty = get_object_for_user(Counterparty, request.user, pk=counterparty_id)
    # A big customer lists a contact per contract; the page shows the first ones. A user granted
    # some contracts sees their contacts only, not those of the others (SECURITY.md).
    contacts = (
        counterparty.contacts.visible_to(request.user)
        .select_related("contract")
        .order_by("kind", "value")[:20]
    )
    contracts = Contract.objects.visible_to(request.user).filter(counterparty=counterparty)
    return render(
        request,
        "customers/counterparty_detail.html",
        {
            "counterparty": counterparty,
            "contacts": contacts,
            "contract_counts": contracts.aggregate(
                total=Count("pk"), active=Count("pk", filter=Q(status=Contract.Status.ACTIVE))
            ),
        },
    )


class ContractList(SearchSortListView):
    template_name = "customers/contract_list.html"
    model = Contract
    keep_statements = True  # its querysets: the user's grants and the query string
    rows_html = staticmethod(rows.contracts)
    row_fields = ("number", "counterparty__short_name", "signed_on", "kind", "status",
                  "price_category", "voltage_level", "max_power_kw", "balance")  # fmt: skip
    heading = _("Договоры")
    search_placeholder = _("Номер договора или контрагент")
    search_fields = ("number", "counterparty__short_name")
    sort_fields = {
        "number": "number",
        "date": "signed_on",
        "status": "status",
        "power": "max_power_kw",
        "balance": "balance",
    }
    default_sort = "number"
    columns = (
        ("number", _("Номер")),
        ("date", _("Дата")),
        ("", _("Вид")),
        ("status", _("Статус")),
        ("", _("Ценовая категория")),
        ("", _("Напряжение")),
        ("power", _("Макс. мощность, кВт")),
        ("balance", _("Сальдо, ₽")),
    )

    def get_base_queryset(self) -> QuerySet:
        qs = Contract.objects.visible_to(self.request.user).select_related("counterparty")
        status = param_choice(self.request.GET, "status", Contract.Status.values)
        if status:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        status = param_choice(self.request.GET, "status", Contract.Status.values) or ""
        query = self.request.GET
        # The filter's buttons: «Все» and each status, the chosen one marked.
        context["status_filters"] = [
            {"title": title, "url": querystring(query, status=value, page=None),
             "chosen": status == (value or "")}
            for value, title in ((None, _("Все")), *Contract.Status.choices)
        ]  # fmt: skip
        context["status"] = status
        return context


@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = get_object_for_user(
        Contract.objects.select_related("counterparty"), request.user, pk=contract_id
    )
    user = request.user
    return render(
        request,
        "customers/contract_detail.html",
        {
            "contract": contract,
            "summary": selectors.contract_summary(user=user, contract=contract),
            "objects_supplied": selectors.objects_of_contract(user=user, contract=contract)[:50],
            "charges": contract.charges.visible_to(user).order_by("-period")[:12],
            "payments": contract.payments.visible_to(user).order_by("-paid_on")[:12],
        },
    )


class _ContractFilterMixin:
    """Narrows a list to one contract (`?contract=ID`) after isolation has been applied."""

    contract_field = "contract_id"

    def filter_contract(self, qs: QuerySet) -> QuerySet:
        value = param_id(self.request.GET, "contract")
        return qs if value is None else qs.filter(**{self.contract_field: value})


class ObjectList(_ContractFilterMixin, SearchSortListView):
    template_name = "customers/object_list.html"
    model = ConsumptionObject
    keep_statements = True  # its querysets: the user's grants and the query string
    rows_html = staticmethod(rows.objects)
    row_fields = ("name", "kind", "address", "contract_id", "contract__number")
    heading = _("Объекты потребления")
    search_placeholder = _("Наименование, адрес или договор")
    search_fields = ("name", "address", "contract__number")
    sort_fields = {"name": "name", "address": "address", "contract": "contract__number"}
    default_sort = "name"
    columns = (
        ("name", _("Наименование")),
        ("", _("Вид")),
        ("address", _("Адрес")),
        ("contract", _("Договор")),
    )

    def get_base_queryset(self) -> QuerySet:
        qs = ConsumptionObject.objects.visible_to(self.request.user).select_related("contract")
        return self.filter_contract(qs)


@login_required
def object_detail(request: HttpRequest, object_id: int) -> HttpResponse:
    obj = get_object_for_user(
        ConsumptionObject.objects.select_related("contract"), request.user, pk=object_id
    )
    points = obj.metering_points.visible_to(request.user).order_by("code")
    page = Paginator(points, settings.LKK_PAGE_SIZE).get_page(param_page(request.GET))
    return render(request, "customers/object_detail.html", {"object": obj, "page_obj": page})


class PointList(_ContractFilterMixin, SearchSortListView):
    template_name = "customers/point_list.html"
    model = MeteringPoint
    keep_statements = True  # its querysets: the user's grants and the query string
    rows_html = staticmethod(rows.points)
    row_fields = ("code", "name", "address", "contract_id", "contract__number", "voltage_level",
                  "max_power_kw")  # fmt: skip
    heading = _("Точки учёта")
    search_placeholder = _("Код, наименование, адрес или договор")
    search_fields = ("code", "name", "address", "contract__number")
    sort_fields = {
        "code": "code",
        "name": "name",
        "address": "address",
        "contract": "contract__number",
        "power": "max_power_kw",
    }
    default_sort = "code"
    columns = (
        ("code", _("Код ТУ")),
        ("name", _("Наименование")),
        ("address", _("Адрес")),
        ("contract", _("Договор")),
        ("", _("Напряжение")),
        ("power", _("Макс. мощность, кВт")),
    )

    def get_base_queryset(self) -> QuerySet:
        return self.filter_contract(selectors.points_for_user(user=self.request.user))


@login_required
def point_detail(request: HttpRequest, point_id: int) -> HttpResponse:
    point = get_object_for_user(
        MeteringPoint.objects.select_related("contract", "consumption_object"),
        request.user,
        pk=point_id,
    )
    meters = point.meters.visible_to(request.user).order_by("-installed_on")
    return render(
        request,
        "customers/point_detail.html",
        {"point": point, "meters": meters, "today": _today()},
    )


class MeterList(_ContractFilterMixin, SearchSortListView):
    template_name = "customers/meter_list.html"
    model = Meter
    keep_statements = True  # its querysets: the user's grants and the query string
    rows_html = staticmethod(rows.meters)
    row_fields = ("serial_number", "is_automatic", "removed_on", "model", "metering_point_id",
                  "metering_point__code",
                  "metering_point__contract__number", "tariff_zones", "digit_capacity",
                  "decimal_places", "transformation_ratio", "next_verification_on")  # fmt: skip
    heading = _("Приборы учёта")
    search_placeholder = _("Заводской номер, тип, код или адрес ТУ")
    contract_field = "metering_point__contract_id"
    search_fields = ("serial_number", "model", "metering_point__code", "metering_point__address")
    sort_fields = {
        "serial": "serial_number",
        "model": "model",
        "point": "metering_point__code",
        "verification": "next_verification_on",
    }
    default_sort = "serial"
    columns = (
        ("serial", _("Заводской номер")),
        ("model", _("Тип")),
        ("point", _("Точка учёта")),
        ("", _("Тарифность")),
        ("", _("Разрядность")),
        ("", _("Коэфф. трансформации")),
        ("verification", _("Следующая поверка")),
    )

    def get_base_queryset(self) -> QuerySet:
        qs = selectors.meters_for_user(user=self.request.user)
        if param_choice(self.request.GET, "verification", ("due",)) == "due":
            horizon = _today() + dt.timedelta(days=settings.LKK_VERIFICATION_WARNING_DAYS)
            qs = qs.filter(next_verification_on__lte=horizon, removed_on__isnull=True)
        return self.filter_contract(qs)

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["today"] = _today()
        context["verification"] = param_choice(self.request.GET, "verification", ("due",)) or ""
        return context


@login_required
def meter_detail(request: HttpRequest, meter_id: int) -> HttpResponse:
    meter = get_object_for_user(
        Meter.objects.select_related("metering_point__contract"), request.user, pk=meter_id
    )
    readings = meter.readings.visible_to(request.user).order_by("-read_on", "zone")
    page = Paginator(readings, settings.LKK_PAGE_SIZE).get_page(param_page(request.GET))
    return render(
        request,
        "customers/meter_detail.html",
        {"meter": meter, "page_obj": page, "today": _today()},
    )


@login_required
@require_POST
def switch_counterparty(request: HttpRequest) -> HttpResponse:
    """A10: the counterparty switcher top left; «all» (or empty) is «Все контрагенты».

    Only a counterparty the user was granted is accepted; any other id is 404.
    """
    value = request.POST.get("counterparty", "").strip()
    if value in ("", "all"):
        active_counterparty_set(request, None)
    else:
        chosen = parse_id(value)
        if chosen is None or chosen not in access_scope(request.user).all_counterparty_ids:
            raise Http404
        active_counterparty_set(request, chosen)
    return redirect("customers:home")
