"""The customer's side of applications (Q4, T1, T2, T4): choose a kind, fill its form, keep a
draft, submit, follow the status, stages and messages, rate. Thin: form → service → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from lkk.applications import selectors, services
from lkk.applications.forms import MessageForm, RateForm, application_form_class
from lkk.applications.kinds import KINDS, Kind, kind_choices
from lkk.applications.models import Application, Attachment, Status
from lkk.core.errors import ApplicationError, apply_error
from lkk.core.lists import SearchSortListView
from lkk.core.params import param_choice, param_id
from lkk.customers.access import get_object_for_user


class ApplicationList(SearchSortListView):
    """«Поданные заявки»: the user's applications and drafts, by status and kind."""

    template_name = "applications/list.html"
    heading = gettext_lazy("Поданные заявки")
    search_placeholder = gettext_lazy("Номер или текст заявки")
    search_fields = ("number", "summary")
    sort_fields = {"created": "created_at", "status": "status", "due": "due_on"}
    default_sort = "-created"
    columns = (
        ("created", gettext_lazy("Заявка")),
        ("", gettext_lazy("Вид")),
        ("", gettext_lazy("Договор")),
        ("status", gettext_lazy("Статус")),
        ("due", gettext_lazy("Срок ответа")),
    )

    def get_base_queryset(self) -> QuerySet:
        qs = Application.objects.visible_to(self.request.user).select_related("contract")
        status = param_choice(self.request.GET, "status", Status.values)
        if status:
            qs = qs.filter(status=status)
        kind = param_choice(self.request.GET, "kind", list(KINDS))
        if kind:
            qs = qs.filter(kind=kind)
        contract = param_id(self.request.GET, "contract")
        if contract is not None:
            qs = qs.filter(contract_id=contract)
        return qs

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["statuses"] = Status.choices
        context["status"] = param_choice(self.request.GET, "status", Status.values) or ""
        context["kinds"] = kind_choices()
        context["kind"] = param_choice(self.request.GET, "kind", list(KINDS)) or ""
        return context


@login_required
@require_http_methods(["GET"])
def kind_choose(request: HttpRequest) -> HttpResponse:
    """«Новая заявка»: the kinds, each with what it is for."""
    return render(request, "applications/new.html", {"kinds": list(KINDS.values())})


def _kind_or_404(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404
    return kind


def _save(request: HttpRequest, kind: Kind, form, application: Application | None):
    """Saves the draft and, with «Подать заявку», submits it; errors go onto the form."""
    data = form.cleaned_data
    try:
        application = services.application_save(
            user=request.user,
            kind=kind,
            counterparty=data["counterparty"],
            contract=data.get("contract"),
            data=form.values(),
            files=form.files_by_slot(),
            application=application,
        )
    except ApplicationError as exc:
        apply_error(form, exc)
        return None
    if "submit" in request.POST:
        try:
            services.application_submit(application=application, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("applications:edit", application_id=application.pk)
        messages.success(
            request,
            _("Заявка подана, регистрационный номер %(number)s.") % {"number": application.number},
        )
    else:
        messages.success(request, _("Черновик сохранён."))
    return redirect("applications:detail", application_id=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind_or_404(kind)
    form_class = application_form_class(spec)
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            done = _save(request, spec, form, None)
            if done is not None:
                return done
    else:
        form = form_class(user=request.user, contract_id=param_id(request.GET, "contract"))
    return render(request, "applications/form.html", {"form": form, "kind": spec})


def _visible(request: HttpRequest, application_id: int) -> Application:
    return get_object_for_user(
        Application.objects.select_related("contract", "counterparty"),
        request.user,
        pk=application_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _visible(request, application_id)
    if application.status != Status.DRAFT:
        return redirect("applications:detail", application_id=application.pk)
    spec = application.kind_spec
    form_class = application_form_class(spec)
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, user=request.user, application=application)
        if form.is_valid():
            done = _save(request, spec, form, application)
            if done is not None:
                return done
    else:
        form = form_class(user=request.user, application=application)
    return render(
        request,
        "applications/form.html",
        {"form": form, "kind": spec, "application": application,
         "attachments": list(application.attachments.all())},
    )  # fmt: skip


@login_required
@require_POST
def application_submit(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _visible(request, application_id)
    try:
        services.application_submit(application=application, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("applications:edit", application_id=application.pk)
    messages.success(
        request,
        _("Заявка подана, регистрационный номер %(number)s.") % {"number": application.number},
    )
    return redirect("applications:detail", application_id=application.pk)


@login_required
@require_POST
def application_delete(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _visible(request, application_id)
    try:
        services.application_delete(application=application, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("applications:detail", application_id=application.pk)
    messages.success(request, _("Черновик удалён."))
    return redirect("applications:list")


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _visible(request, application_id)
    return render(
        request,
        "applications/detail.html",
        {
            **selectors.application_page(application),
            "message_form": MessageForm() if _can_write(application) else None,
            "rate_form": RateForm() if application.can_rate else None,
        },
    )


def _can_write(application: Application) -> bool:
    return application.status in (Status.SUBMITTED, Status.IN_WORK, Status.NEEDS_INFO)


@login_required
@require_POST
def message_create(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _visible(request, application_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_post(
                application=application,
                author=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["documents"],
                by_operator=False,
            )
        except ApplicationError as exc:
            apply_error(form, exc, fallback="text")
        else:
            messages.success(request, _("Сообщение отправлено."))
            return redirect("applications:detail", application_id=application.pk)
    return render(
        request,
        "applications/detail.html",
        {**selectors.application_page(application), "message_form": form, "rate_form": None},
        status=400,
    )


@login_required
@require_POST
def application_rate(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _visible(request, application_id)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.application_rate(
                application=application,
                user=request.user,
                quality=form.cleaned_data["quality"],
                availability=form.cleaned_data["availability"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Спасибо за оценку."))
        return redirect("applications:detail", application_id=application.pk)
    return render(
        request,
        "applications/detail.html",
        {**selectors.application_page(application), "message_form": None, "rate_form": form},
        status=400,
    )


@login_required
def attachment_download(
    request: HttpRequest, application_id: int, attachment_id: int
) -> FileResponse:
    """A file of a visible application, as an attachment (never shown inline)."""
    application = _visible(request, application_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, application_id=application.pk)
    return selectors.file_response(attachment)
