"""«Передача показаний приборов учёта»: the form, the receipt and its correction (M1–M3)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lkk.core.errors import ApplicationError
from lkk.core.lists import SearchSortListView
from lkk.core.params import param_page
from lkk.customers import rows as customer_rows
from lkk.customers.access import get_object_for_user
from lkk.customers.models import Contract, Meter
from lkk.readings import rules, selectors, services
from lkk.readings.forms import CorrectionForm, ReadingsForm, confirm_field_name, value_field_name
from lkk.readings.models import Reading, Submission


def _rows(
    form: ReadingsForm, meters: list[Meter], today, *, window_open: bool
) -> list[dict[str, object]]:
    """What the template shows per meter: its refusal or warning, and per zone the field with
    the previous reading as its help text (tied to the input like any help text)."""
    histories = selectors.zone_histories(meters=meters, today=today)
    rows = []
    for meter in meters:
        zones = []
        for zone in meter.zones:
            history = histories[(meter.pk, zone)]
            field = form[value_field_name(meter.pk, zone)]
            field.help_text = render_to_string(
                "readings/zone_previous.html",
                {
                    "meter": meter,
                    "previous": history.previous,
                    "replaced": history.previous is not None
                    and history.previous.meter_id != meter.pk,
                    "today": history.today,
                },
            )
            if not window_open:
                field.field.widget.attrs["disabled"] = True
            zones.append({"zone": zone, "field": field})
        rows.append(
            {
                "meter": meter,
                "zones": zones,
                "refusal": rules.meter_refusal(meter, meter.metering_point.contract),
                "warning": rules.meter_warning(meter, today),
                "confirm": form[confirm_field_name(meter.pk)],
                "needs_confirm": meter.pk in form.to_confirm,
            }
        )
    return rows


def _readings_page(
    request: HttpRequest, meters: QuerySet[Meter] | list[Meter], *, title: str, back_url: str
) -> HttpResponse:
    today = timezone.localdate()
    page = Paginator(meters, settings.LKK_READING_FORM_PAGE).get_page(param_page(request.GET))
    page_meters = list(page.object_list)
    window = services.reading_window()
    window_open = window.is_open(today)
    if request.method == "POST":
        form = ReadingsForm(request.POST, meters=page_meters)
        if form.is_valid():
            try:
                submission, created = services.readings_submit(
                    user=request.user, token=form.cleaned_data["token"], inputs=form.inputs()
                )
            except services.RejectedSubmission as rejected:
                form.apply_verdicts(rejected.verdicts)
                messages.error(request, rejected.message)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                if created:
                    messages.success(request, _("Показания приняты."))
                return redirect("readings:receipt", submission_id=submission.pk)
    else:
        form = ReadingsForm(meters=page_meters)
    return render(
        request,
        "readings/submit.html",
        {
            "title": title,
            "back_url": back_url,
            "form": form,
            "rows": _rows(form, page_meters, today, window_open=window_open),
            "page_obj": page,
            "window_open": window_open,
            "window_message": "" if window_open else window.closed_message(today),
            "today": today,
        },
    )


class Start(SearchSortListView):
    """«Передача показаний»: the customer's active contracts, each with its form, and the file
    upload for customers with many meters."""

    template_name = "readings/start.html"
    rows_html = staticmethod(customer_rows.reading_contracts)
    row_fields = ("number", "signed_on", "counterparty__short_name")
    heading = gettext_lazy("Передача показаний")
    search_placeholder = gettext_lazy("Номер договора")
    search_fields = ("number",)
    sort_fields = {"number": "number", "date": "signed_on"}
    default_sort = "number"
    columns = (
        ("number", gettext_lazy("Договор")),
        ("date", gettext_lazy("Дата")),
        ("", gettext_lazy("Контрагент")),
        ("", ""),
    )

    def get_base_queryset(self) -> QuerySet:
        return (
            Contract.objects.visible_to(self.request.user)
            .filter(status__in=[Contract.Status.ACTIVE, Contract.Status.SUSPENDED])
            .select_related("counterparty")
        )

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        window = services.reading_window()
        context["window_message"] = "" if window.is_open(today) else window.closed_message(today)
        return context


def _active_meters(request: HttpRequest) -> QuerySet[Meter]:
    return (
        Meter.objects.visible_to(request.user)
        .filter(removed_on__isnull=True)
        .select_related("metering_point__contract")
        .order_by("metering_point__code", "pk")
    )


@login_required
def submit_for_contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = get_object_for_user(Contract, request.user, pk=contract_id)
    meters = _active_meters(request).filter(metering_point__contract=contract)
    return _readings_page(
        request,
        meters,
        title=_("Передача показаний по договору № %(number)s") % {"number": contract.number},
        back_url=reverse("customers:contract_detail", args=[contract.pk]),
    )


@login_required
def submit_for_meter(request: HttpRequest, meter_id: int) -> HttpResponse:
    meter = get_object_for_user(
        Meter.objects.select_related("metering_point__contract"), request.user, pk=meter_id
    )
    # The form of this one meter if it is in service: no count, no second query.
    meters = [meter] if meter.removed_on is None else []
    return _readings_page(
        request,
        meters,
        title=_("Передача показаний прибора учёта № %(serial)s") % {"serial": meter.serial_number},
        back_url=reverse("customers:meter_detail", args=[meter.pk]),
    )


@login_required
def receipt(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_object_for_user(Submission, request.user, pk=submission_id)
    page = Paginator(
        _receipt_query(request.user, submission), settings.LKK_READING_FORM_PAGE
    ).get_page(param_page(request.GET))
    today = timezone.localdate()
    correctable = (
        not submission.readings.visible_to(request.user)
        .exclude(source=Reading.Source.CUSTOMER, status=Reading.Status.ACCEPTED)
        .exists()
    )
    return render(
        request,
        "readings/receipt.html",
        {
            "submission": submission,
            "page_obj": page,
            "correctable": correctable,
            "warnings": sorted(
                {w for r in page.object_list if (w := rules.meter_warning(r.meter, today))}
            ),
        },
    )


def _receipt_query(user, submission: Submission) -> QuerySet[Reading]:
    return (
        submission.readings.visible_to(user)
        .select_related("meter__metering_point__contract")
        .order_by("meter__metering_point__code", "meter_id", "zone")
    )


@login_required
def receipt_correct(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_object_for_user(Submission, request.user, pk=submission_id)
    readings = list(_receipt_query(request.user, submission))
    if any(not r.can_be_corrected for r in readings):
        messages.error(
            request,
            _(
                "Показания уже учтены биллингом, исправить их нельзя. Если в них ошибка, "
                "подайте обращение."
            ),
        )
        return redirect("readings:receipt", submission_id=submission.pk)
    form = CorrectionForm(request.POST or None, readings=readings)
    if request.method == "POST" and form.is_valid():
        try:
            services.readings_correct(
                user=request.user,
                submission=submission,
                values=form.values(),
                confirmed=form.cleaned_data["confirm"],
            )
        except services.RejectedSubmission as rejected:
            form.apply_verdicts(rejected.verdicts)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Показания исправлены."))
            return redirect("readings:receipt", submission_id=submission.pk)
    rows = [{"reading": r, "field": form[f"r{r.pk}"]} for r in readings]
    return render(
        request,
        "readings/correct.html",
        {"submission": submission, "form": form, "rows": rows},
    )
