"""O1: the operators' queue of applications and appeals, and their processing — take, change
the status with a comment, reply with files, mark stages of connection with their documents.

An operator sees the kinds his group processes (`kinds.kinds_for_operator`); drafts are the
customer's own and never shown. Every change is audited by the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lkk.applications import selectors, services
from lkk.applications.forms import MessageForm, StageForm, TransitionForm
from lkk.applications.kinds import KINDS, kinds_for_operator
from lkk.applications.models import OPEN_STATUSES, Application, Attachment, Status
from lkk.backoffice.decorators import operator_required
from lkk.core.errors import ApplicationError, apply_error
from lkk.core.params import param_choice, param_page, param_text

QUEUE_PAGE = 50


def _queue(request: HttpRequest) -> QuerySet:
    return Application.objects.exclude(status=Status.DRAFT).filter(
        kind__in=kinds_for_operator(request.user)
    )


@operator_required
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    """Filters: status (default: the open ones), kind, overdue, mine; oldest deadline first."""
    allowed = kinds_for_operator(request.user)
    qs = _queue(request).select_related("counterparty", "contract", "assignee")
    status = param_choice(request.GET, "status", [*Status.values, "open", "all"], default="open")
    if status == "open" or status is None:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    kind = param_choice(request.GET, "kind", allowed)
    if kind:
        qs = qs.filter(kind=kind)
    today = timezone.localdate()
    if param_choice(request.GET, "overdue", ["1"]):
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    if param_choice(request.GET, "mine", ["1"]):
        qs = qs.filter(assignee=request.user)
    q = param_text(request.GET, "q")
    if q:
        qs = qs.filter(number__icontains=q)
    page = Paginator(qs.order_by("due_on", "pk"), QUEUE_PAGE).get_page(param_page(request.GET))
    return render(
        request,
        "applications/staff_queue.html",
        {
            "page_obj": page,
            "today": today,
            "status": status or "open",
            "statuses": [("open", _("Открытые")), *Status.choices[1:], ("all", _("Все"))],
            "kinds": [(slug, KINDS[slug].title) for slug in allowed],
            "kind": kind or "",
            "overdue": bool(param_choice(request.GET, "overdue", ["1"])),
            "mine": bool(param_choice(request.GET, "mine", ["1"])),
            "q": q,
        },
    )


def _application(request: HttpRequest, application_id: int) -> Application:
    return get_object_or_404(
        _queue(request).select_related("counterparty", "contract", "assignee", "author"),
        pk=application_id,
    )


def _page(request: HttpRequest, application: Application, status: int = 200, **forms):
    moves = services.allowed_moves(application.status, services.OPERATOR)
    codes = [code for code, _title in application.kind_spec.stage_list()]
    next_stages = []
    if codes and application.status in (Status.IN_WORK, Status.NEEDS_INFO):
        at = codes.index(application.stage) if application.stage in codes else -1
        if at + 1 < len(codes):
            next_stages = [(codes[at + 1], dict(application.kind_spec.stage_list())[codes[at + 1]])]
    context = {
        **selectors.application_page(application),
        "transition_form": forms.get("transition_form")
        or (TransitionForm(moves=moves) if moves else None),
        "reply_form": forms.get("reply_form")
        or (MessageForm() if application.status != Status.DRAFT else None),
        "stage_form": forms.get("stage_form")
        or (
            StageForm(
                stages=next_stages,
                initial={"reached_on": timezone.localdate()},
                auto_id="stage_%s",
            )
            if next_stages
            else None
        ),
        "staff": True,
    }
    return render(request, "applications/staff_detail.html", context, status=status)


@operator_required
@require_http_methods(["GET"])
def detail(request: HttpRequest, application_id: int) -> HttpResponse:
    return _page(request, _application(request, application_id))


@operator_required
@require_POST
def assign(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    try:
        services.application_assign(application=application, operator=request.user, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Заявка назначена на вас."))
    return redirect("applications:staff_detail", application_id=application.pk)


@operator_required
@require_POST
def transition(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    moves = services.allowed_moves(application.status, services.OPERATOR)
    form = TransitionForm(request.POST, moves=moves)
    if form.is_valid():
        try:
            services.application_transition(
                application=application,
                actor=request.user,
                to=form.cleaned_data["status"],
                comment=form.cleaned_data["comment"],
                by_operator=True,
                request=request,
            )
        except ApplicationError as exc:
            apply_error(form, exc, fallback="status")
        else:
            messages.success(request, _("Статус изменён."))
            return redirect("applications:staff_detail", application_id=application.pk)
    return _page(request, application, status=400, transition_form=form)


@operator_required
@require_POST
def reply(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_post(
                application=application,
                author=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["documents"],
                by_operator=True,
                request=request,
            )
        except ApplicationError as exc:
            apply_error(form, exc, fallback="text")
        else:
            messages.success(request, _("Ответ отправлен."))
            return redirect("applications:staff_detail", application_id=application.pk)
    return _page(request, application, status=400, reply_form=form)


@operator_required
@require_POST
def stage(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    stages = list(application.kind_spec.stage_list())
    form = StageForm(request.POST, request.FILES, stages=stages, auto_id="stage_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.stage_advance(
                application=application,
                operator=request.user,
                stage=data["stage"],
                reached_on=data["reached_on"],
                comment=data["comment"],
                files=data["documents"],
                request=request,
            )
        except ApplicationError as exc:
            apply_error(form, exc, fallback="stage")
        else:
            messages.success(request, _("Этап отмечен."))
            return redirect("applications:staff_detail", application_id=application.pk)
    return _page(request, application, status=400, stage_form=form)


@operator_required
@require_http_methods(["GET"])
def document(request: HttpRequest, application_id: int, attachment_id: int) -> FileResponse:
    application = _application(request, application_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, application_id=application.pk)
    return selectors.file_response(attachment)
