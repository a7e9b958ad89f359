"""The operators' editors of S2/S5 (and of surveys and connection rates): a list and a form per
kind of row, behind `operator_required`; every save and deletion is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as N_
from django.views.decorators.http import require_http_methods, require_POST

from lkk.backoffice.decorators import operator_required
from lkk.content import forms
from lkk.content.models import FaqItem, InfoPage, Instruction, News, SupportPhone
from lkk.content.services import content_save, instruction_save, operator_audit
from lkk.core.errors import ApplicationError, apply_error
from lkk.core.params import param_page


@dataclass(frozen=True)
class Editor:
    """One kind of row an operator edits: its model, form, title and the columns of its list."""

    key: str
    model: type
    form: type
    title: str
    columns: tuple[tuple[str, str], ...]  # (attribute, heading)
    save: object = None
    extra: dict = field(default_factory=dict)


EDITORS = {
    "news": Editor(
        "news",
        News,
        forms.NewsForm,
        N_("Новости"),
        (
            ("title", N_("Заголовок")),
            ("get_status_display", N_("Состояние")),
            ("published_at", N_("Дата")),
        ),
    ),
    "pages": Editor(
        "pages",
        InfoPage,
        forms.InfoPageForm,
        N_("Информация для клиента"),
        (("title", N_("Заголовок")), ("slug", N_("Адрес")), ("order", N_("Порядок"))),
    ),
    "faq": Editor(
        "faq",
        FaqItem,
        forms.FaqItemForm,
        N_("Частые вопросы"),
        (("question", N_("Вопрос")), ("category", N_("Раздел")), ("order", N_("Порядок"))),
    ),
    "instructions": Editor(
        "instructions",
        Instruction,
        forms.InstructionForm,
        N_("Инструкции"),
        (("title", N_("Название")), ("slug", N_("Код")), ("is_public", N_("Без входа"))),
        save=instruction_save,
    ),
    "phones": Editor(
        "phones",
        SupportPhone,
        forms.SupportPhoneForm,
        N_("Телефоны поддержки"),
        (("title", N_("Назначение")), ("phone", N_("Телефон")), ("hours", N_("Часы работы"))),
    ),
}


def _editor(kind: str) -> Editor:
    editor = EDITORS.get(kind)
    if editor is None:
        from django.http import Http404

        raise Http404
    return editor


def editor_list(request: HttpRequest, editor: Editor, *, url_ns: str) -> HttpResponse:
    paginator = Paginator(editor.model.objects.all(), 50)
    page = paginator.get_page(param_page(request.GET) or 1)
    rows = [(obj, [_cell(obj, attr) for attr, _h in editor.columns]) for obj in page.object_list]
    return render(
        request,
        "content/manage/list.html",
        {
            "editor": editor,
            "headings": [h for _a, h in editor.columns],
            "rows": rows,
            "page_obj": page,
            "list_url": f"{url_ns}:manage_list",
            "create_url": f"{url_ns}:manage_create",
            "edit_url": f"{url_ns}:manage_edit",
            "delete_url": f"{url_ns}:manage_delete",
        },
    )


def _cell(obj, attr: str):
    if attr == "__str__":
        return str(obj)
    value = getattr(obj, attr)
    return value() if callable(value) else value


def editor_form(request: HttpRequest, editor: Editor, pk: int | None, *, url_ns: str):
    instance = get_object_or_404(editor.model, pk=pk) if pk else None
    form = editor.form(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            if editor.save is not None:
                obj = editor.save(request, form)
            else:
                obj = content_save(request, form, action=f"{editor.key}_saved")
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Сохранено: «%(name)s».") % {"name": obj})
            return redirect(f"{url_ns}:manage_list", editor.key)
    return render(
        request,
        "content/manage/form.html",
        {
            "editor": editor,
            "form": form,
            "object": instance,
            "list_url": f"{url_ns}:manage_list",
            "delete_url": f"{url_ns}:manage_delete",
        },
    )


def editor_delete(request: HttpRequest, editor: Editor, pk: int, *, url_ns: str):
    obj = get_object_or_404(editor.model, pk=pk)
    operator_audit(request, f"{editor.key}_deleted", obj)
    obj.delete()
    messages.success(request, _("Удалено."))
    return redirect(f"{url_ns}:manage_list", editor.key)


@operator_required
@require_http_methods(["GET"])
def manage_list(request: HttpRequest, kind: str) -> HttpResponse:
    return editor_list(request, _editor(kind), url_ns="content")


@operator_required
@require_http_methods(["GET", "POST"])
def manage_create(request: HttpRequest, kind: str) -> HttpResponse:
    return editor_form(request, _editor(kind), None, url_ns="content")


@operator_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return editor_form(request, _editor(kind), pk, url_ns="content")


@operator_required
@require_POST
def manage_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return editor_delete(request, _editor(kind), pk, url_ns="content")
