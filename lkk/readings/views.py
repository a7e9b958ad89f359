"""«Передача показаний приборов учёта»: the form, the receipt and its correction (M1–M3)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lkk.core.errors import ApplicationError
from lkk.core.lists import RowsPaginator, SearchSortListView, scope_key
from lkk.core.params import param_page
from lkk.customers import rows as customer_rows
from lkk.customers.access import get_object_for_user
from lkk.customers.models import Contract, Meter
from lkk.readings import rows as readings_rows
from lkk.readings import rules, selectors, services
from lkk.readings.forms import CorrectionForm, ReadingsForm
from lkk.readings.models import Reading, Submission


def _fieldsets(form: ReadingsForm, meters: list[Meter], today, *, window_open: bool) -> SafeString:
    """The page's meters, each with its refusal or warning, and per zone its input with the
    previous reading as its help text (tied to the input like any help text)."""
    rows = [
        readings_rows.MeterRow(
            meter=meter,
            refusal=rules.meter_refusal(meter, meter.metering_point.contract),
            warning=rules.meter_warning(meter, today),
        )
        for meter in meters
    ]
    histories = selectors.form_histories(meters=meters, today=today)
    return readings_rows.fieldsets(form, rows, histories, window_open=window_open)


def _page(request: HttpRequest, paginator: Paginator) -> tuple[Page, list[Meter]]:
    page = paginator.get_page(param_page(request.GET))
    return page, list(page.object_list)


def _readings_page(
    request: HttpRequest, page: Page, page_meters: list[Meter], *, title: str, back_url: str
) -> HttpResponse:
    """The form of a page of meters, loaded with their point and contract."""
    today = timezone.localdate()
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
            "token": readings_rows.hidden_input(form["token"]),
            "fieldsets": _fieldsets(form, page_meters, today, window_open=window_open),
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
    model = Contract
    keep_statements = True  # its querysets: the user's grants and the query string
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


#: What the form, its rules and the service read of a meter, its point and its contract: the
#: only columns loaded (not the search texts, billing's keys, the contract's terms and balance).
#: tests/…/test_rows.py fails if the page reads another one (a query per meter).
_READ = (
    *("counterparty_id", "metering_point_id", "serial_number", "model", "digit_capacity",
      "decimal_places", "transformation_ratio", "tariff_zones", "removed_on",
      "next_verification_on", "is_automatic"),
    *(f"metering_point__{name}" for name in ("code", "address", "contract_id", "counterparty_id")),
    *(f"metering_point__contract__{name}" for name in ("number", "status", "counterparty_id")),
)  # fmt: skip


@login_required
def submit_for_contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    today = timezone.localdate()

    def meters() -> QuerySet:
        return (
            Meter.objects.visible_to(request.user)
            .filter(removed_on__isnull=True, metering_point__contract_id=contract_id)
            .select_related("metering_point__contract")
            .only(*_READ)
            .order_by("metering_point__code", "pk")
        )

    # The page's meters with the contract's count beside, through a kept statement
    # (lkk.core.lists.kept_models): they depend on the user's grants, the contract and the day
    # only, and are made only the first time. Page 1's meters (a contract's only page, mostly)
    # bring their previous readings along: a subquery of each meter's row, which PostgreSQL
    # runs for the rows an OFFSET skips as well — deeper pages ask for them after, by the
    # page's meters.
    key = ("readings:submit_contract", *scope_key(request.user), contract_id, today)
    paginator = RowsPaginator(
        meters,
        settings.LKK_READING_FORM_PAGE,
        key=key,
        first=lambda meters: selectors.with_form_histories(meters, today),
    )
    page, page_meters = _page(request, paginator)
    contract = _contract_of(page_meters) or get_object_for_user(
        Contract, request.user, pk=contract_id
    )
    return _readings_page(
        request,
        page,
        page_meters,
        title=_("Передача показаний по договору № %(number)s") % {"number": contract.number},
        back_url=reverse("customers:contract_detail", args=[contract.pk]),
    )


def _contract_of(meters: list[Meter]) -> Contract | None:
    """The contract of the page's meters, loaded with them, if that proves the user may see it
    (else the caller asks `get_object_for_user`, which also answers 404).

    The meters are visible: by a grant of this contract, which shows the contract too, or of
    their counterparty, which shows it if it is the contract's counterparty as well.
    """
    if not meters:
        return None
    contract = meters[0].metering_point.contract
    return contract if contract.counterparty_id == meters[0].counterparty_id else None


@login_required
def submit_for_meter(request: HttpRequest, meter_id: int) -> HttpResponse:
    meter = get_object_for_user(
        Meter.objects.select_related("metering_point__contract"), request.user, pk=meter_id
    )
    # The form of this one meter if it is in service: no count, no second query.
    meters = [meter] if meter.removed_on is None else []
    page, page_meters = _page(request, Paginator(meters, settings.LKK_READING_FORM_PAGE))
    return _readings_page(
        request,
        page,
        page_meters,
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
