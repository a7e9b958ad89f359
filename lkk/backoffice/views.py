"""O1: the back office's landing page, the operators' queue of registration requests, and the
account issued at the office (A2a). Thin: forms → `lkk.accounts.services.registration` → render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lkk.accounts.models import RegistrationDocument, RegistrationRequest
from lkk.accounts.services import registration as pipeline
from lkk.backoffice.decorators import operator_required
from lkk.backoffice.forms import (
    ApproveForm,
    CounterpartySearchForm,
    OfficeIssueForm,
    RejectForm,
)
from lkk.core.errors import ApplicationError, apply_error
from lkk.core.params import param_id
from lkk.customers.models import Contact, Contract, Counterparty

State = RegistrationRequest.State


@operator_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """Where operators and admins land after the login and the code: what waits for them and
    the ways into the rest of the back office."""
    pending = RegistrationRequest.objects.filter(state=State.PENDING).count()
    return render(request, "backoffice/home.html", {"pending": pending})


@operator_required
def queue(request: HttpRequest) -> HttpResponse:
    pending = (
        RegistrationRequest.objects.filter(state=State.PENDING)
        .select_related("counterparty")
        .order_by("created_at", "pk")[:200]
    )
    return render(request, "backoffice/queue.html", {"requests": pending})


def _contracts(req: RegistrationRequest) -> list[Contract]:
    if req.counterparty_id is None:
        return []
    return list(Contract.objects.filter(counterparty_id=req.counterparty_id).order_by("number"))


def _detail(request: HttpRequest, req: RegistrationRequest):
    contracts = _contracts(req)
    asked = set(req.contracts.values_list("pk", flat=True))
    found = pipeline.numbers_found(req.counterparty, req.contract_numbers)
    approve_form = ApproveForm(
        contract_choices=[(c.pk, c.number) for c in contracts],
        initial={
            "scope": "all" if req.all_contracts else "some",
            "contracts": [c.pk for c in contracts if req.all_contracts or c.pk in asked],
        },
    )
    return render(
        request,
        "backoffice/detail.html",
        {
            "req": req,
            "approve_form": approve_form,
            "reject_form": RejectForm(),
            "contracts": contracts,
            "entered": [(n, n in found) for n in req.contract_numbers],
            "documents": req.documents.all(),
            "fio_matches": req.counterparty is not None
            and req.way in ("ip", "fl")
            and pipeline.fio_matches(
                req.counterparty, last=req.last_name, first=req.first_name, middle=req.middle_name
            ),
        },
    )


@operator_required
@require_http_methods(["GET"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(RegistrationRequest.objects.select_related("counterparty"), pk=pk)
    return _detail(request, req)


@operator_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(RegistrationRequest.objects.select_related("counterparty"), pk=pk)
    action = request.POST.get("action")
    reject = action == "reject"
    if reject:
        form = RejectForm(request.POST)
    else:
        choices = [(c.pk, c.number) for c in _contracts(req)]
        form = ApproveForm(request.POST, contract_choices=choices)
    if action not in ("approve", "reject") or not form.is_valid():
        messages.error(
            request, _("Укажите причину отказа.") if reject else _("Проверьте выбор договоров.")
        )
        return redirect("backoffice:moderation_detail", pk=req.pk)
    data = form.cleaned_data
    try:
        if reject:
            pipeline.request_reject(
                pk=req.pk, operator=request.user, reason=data["reason"], request=request
            )
            messages.success(request, _("Заявка отклонена."))
        else:
            pipeline.request_approve(
                pk=req.pk,
                operator=request.user,
                all_contracts=data.get("scope") != "some",
                contract_ids=data.get("contracts") or [],
                request=request,
            )
            messages.success(request, _("Заявка одобрена."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:moderation_detail", pk=req.pk)
    return redirect("backoffice:moderation_queue")


@operator_required
@require_http_methods(["GET"])
def document(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    """A document of a request, as an attachment (never rendered inline by the browser)."""
    doc = get_object_or_404(RegistrationDocument, pk=doc_pk, request_id=pk)
    return FileResponse(
        doc.file.open("rb"), as_attachment=True, filename=doc.name, content_type=doc.content_type
    )


def _contact_choices(counterparty: Counterparty) -> list[tuple[str, str]]:
    rows = Contact.objects.filter(counterparty=counterparty).select_related("contract")
    seen, choices = set(), []
    for row in rows.order_by("kind", "value")[:200]:
        if row.value in seen:
            continue
        seen.add(row.value)
        where = row.contract.number if row.contract else _("контрагент")
        choices.append((row.value, f"{row.value} ({where})"))
    return choices


@operator_required
@require_http_methods(["GET", "POST"])
def office_issue(request: HttpRequest) -> HttpResponse:
    """A2a: find the counterparty by ИНН, choose it, its contracts and a contact on file."""
    search = CounterpartySearchForm(request.GET if "inn" in request.GET else None)
    found = []
    if search.is_bound and search.is_valid():
        found = list(Counterparty.objects.filter(inn=search.cleaned_data["inn"])[:20])
    counterparty = None
    chosen = param_id(request.GET, "counterparty")
    if chosen is not None:
        counterparty = Counterparty.objects.filter(pk=chosen).first()
    form = None
    if counterparty is not None:
        contracts = list(Contract.objects.filter(counterparty=counterparty).order_by("number"))
        form = OfficeIssueForm(
            request.POST if request.method == "POST" else None,
            contract_choices=[(c.pk, f"{c.number} — {c.get_status_display()}") for c in contracts],
            contact_choices=_contact_choices(counterparty),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                req = pipeline.request_start_office(
                    operator=request.user,
                    counterparty=counterparty,
                    contract_ids=None if data["scope"] == "all" else data["contracts"],
                    contact=data["contact"],
                    username=data["username"],
                    request=request,
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                return render(request, "backoffice/office_issued.html", {"req": req})
    return render(
        request,
        "backoffice/office_issue.html",
        {"search": search, "found": found, "counterparty": counterparty, "form": form},
    )
