"""The multi-step registration pages (A3, seed 002): `/accounts/register/steps/`.

The draft `RegistrationRequest` holds every finished step (the session only its id), so a step
can be left, resumed and edited; «Создать аккаунт» sends the email link, and the link goes on
through the one pipeline (`lkk.accounts.services.registration`).
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from lkk.accounts.forms.registration import STEP_FORMS
from lkk.accounts.models import RegistrationRequest
from lkk.accounts.services import codes
from lkk.accounts.services import registration as pipeline
from lkk.core.errors import ApplicationError, apply_error
from lkk.customers.models import Counterparty

STEPS = ("1", "2", "3")
TITLES = {
    "1": _lazy("Шаг 1. Данные аккаунта"),
    "2": _lazy("Шаг 2. Личная информация"),
    "3": _lazy("Шаг 3. Информация о компании"),
}
#: The request's fields each step fills.
STEP_FIELDS = {
    "1": ("username", "email"),
    "2": ("first_name", "last_name", "middle_name", "phone"),
    "3": ("company_kind", "inn", "kpp", "company_name", "existing_counterparty"),
}


def _draft(request: HttpRequest) -> RegistrationRequest | None:
    pk = request.session.get(pipeline.SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return RegistrationRequest.objects.filter(
        pk=pk, way=RegistrationRequest.Way.STEPS, state=RegistrationRequest.State.DRAFT
    ).first()


def _next_step(req: RegistrationRequest | None) -> str:
    done = req.steps_done if req else []
    return next((s for s in STEPS if s not in done), "3")


def _initial(req: RegistrationRequest | None, step: str) -> dict:
    if req is None:
        return {}
    return {name: getattr(req, name) for name in STEP_FIELDS[step]}


def _form(step: str, req: RegistrationRequest | None, post=None, files=None):
    form_class = STEP_FORMS[step]
    kwargs = {"initial": _initial(req, step)}
    if step == "1":
        kwargs["editing"] = bool(req and "1" in req.steps_done)
    if step == "3":
        return form_class(post, files, **kwargs)
    return form_class(post, **kwargs)


def _clean(step: str, form, req: RegistrationRequest | None) -> dict:
    """The step's values for the request; raises ApplicationError on a field."""
    cd = form.cleaned_data
    if step == "1":
        username = cd["username"].strip()
        email = codes.normalize_email(cd["email"])
        mine = req.pk if req else None
        if not pipeline.username_free(username) or _taken_by_draft(mine, username=username):
            raise ApplicationError(_("Этот логин уже занят."), field="username")
        if not pipeline.email_free(email):
            raise ApplicationError(
                _(
                    "Этот адрес электронной почты уже используется. Войдите или восстановите "
                    "пароль."
                ),
                field="email",
            )
        values = {"username": username, "email": email}
        if cd["password1"] or cd["password2"] or not (req and req.password_hash):
            pipeline.password_check(
                cd["password1"], cd["password2"], username=username, email=email
            )
            values["password_hash"] = make_password(cd["password1"])
        return values
    if step == "2":
        try:
            phone = codes.normalize_phone(cd["phone"])
        except ApplicationError as exc:
            raise ApplicationError(exc.message, field="phone") from None
        return {
            "first_name": cd["first_name"].strip(),
            "last_name": cd["last_name"].strip(),
            "middle_name": cd.get("middle_name", "").strip(),
            "phone": phone,
        }
    numbers = [n.strip() for n in form.data.getlist("contract_number") if n and n.strip()]
    if not numbers:
        raise ApplicationError(_("Введите номер договора."), field="contract_numbers")
    return {
        "company_kind": cd["company_kind"],
        "inn": cd["inn"].strip(),
        "kpp": (cd.get("kpp") or "").strip(),
        "company_name": cd["company_name"].strip(),
        "existing_counterparty": bool(cd.get("existing_counterparty")),
        "contract_numbers": numbers[:20],
    }


def _taken_by_draft(mine: int | None, *, username: str) -> bool:
    """A request in the operators' queue asked for this login already."""
    return (
        RegistrationRequest.objects.filter(
            username__iexact=username, state=RegistrationRequest.State.PENDING
        )
        .exclude(pk=mine)
        .exists()
    )


def _keep_valid(request: HttpRequest, step: str, form, req: RegistrationRequest | None):
    """«Редактировать» from an unfinished step: what was valid of it is kept on the draft."""
    if req is None:
        return
    form.is_valid()
    values = {
        name: form.cleaned_data[name]
        for name in STEP_FIELDS[step]
        if name in form.cleaned_data and name != "username" and name != "email"
    }
    if step == "3":
        values["contract_numbers"] = [
            n.strip() for n in request.POST.getlist("contract_number") if n.strip()
        ][:20]
    if values:
        pipeline.request_steps_save(req=req, step=step, values=values, request=request)


@require_http_methods(["GET", "POST"])
def register_steps(request: HttpRequest) -> HttpResponse:
    pipeline.offered_or_404("steps")
    req = _draft(request)
    done = req.steps_done if req else []
    wanted = request.POST.get("step") or request.GET.get("step") or _next_step(req)
    step = wanted if wanted in STEPS and all(s in done for s in STEPS[: STEPS.index(wanted)]) else (
        _next_step(req)
    )  # fmt: skip
    numbers = request.POST.getlist("contract_number") if request.method == "POST" else []
    numbers = numbers or list(req.contract_numbers if req else []) or [""]
    post = request.POST if request.method == "POST" else None
    form = _form(step, req, post, request.FILES if post is not None else None)
    numbers_error = ""
    if post is not None and request.POST.get("edit_step") in STEPS:
        _keep_valid(request, step, form, req)
        return redirect(f"{reverse('accounts:register_steps')}?step={request.POST['edit_step']}")
    if post is not None and "add_contract" in request.POST:
        form = _form(step, req)
        form.initial = {k: v for k, v in request.POST.items() if k in form.fields}
        form.initial["existing_counterparty"] = "existing_counterparty" in request.POST
        numbers.append("")
    elif post is not None and form.is_valid():
        try:
            values = _clean(step, form, req)
            req = pipeline.request_steps_save(req=req, step=step, values=values, request=request)
            pipeline.steps_step_done(req=req, step=step)
            request.session[pipeline.SESSION_KEY] = req.pk
            if step == "3":
                pipeline.request_steps_submit(
                    req=req, documents=form.cleaned_data.get("documents") or [], request=request
                )
                request.session.pop(pipeline.SESSION_KEY, None)
                return render(request, "accounts/steps_sent.html", {"email": req.email})
        except ApplicationError as exc:
            if exc.field == "contract_numbers":
                numbers_error = exc.message
            else:
                apply_error(form, exc)
        else:
            return redirect(f"{reverse('accounts:register_steps')}?step={_next_step(req)}")
    summaries = [
        (s, TITLES[s], _summary(s, req)) for s in STEPS if req and s in req.steps_done and s != step
    ]
    return render(
        request,
        "accounts/steps.html",
        {
            "step": step,
            "title": TITLES[step],
            "form": form,
            "done": summaries,
            "numbers": numbers,
            "numbers_error": numbers_error,
        },
    )


def _summary(step: str, req: RegistrationRequest) -> list[tuple[str, str]]:
    labels = {
        "username": _("Логин"),
        "email": _("Электронная почта"),
        "last_name": _("Фамилия"),
        "first_name": _("Имя"),
        "middle_name": _("Отчество"),
        "phone": _("Контактный телефон"),
        "company_kind": _("Тип организации"),
        "inn": _("ИНН"),
        "kpp": _("КПП"),
        "company_name": _("Наименование организации"),
    }
    rows = []
    for key in STEP_FIELDS[step]:
        value = getattr(req, key)
        if key not in labels or value in ("", None):
            continue
        if key == "company_kind":
            value = Counterparty.Kind(value).label
        rows.append((labels[key], value))
    if step == "3":
        if req.contract_numbers:
            rows.append((_("Номера договоров"), ", ".join(req.contract_numbers)))
        if req.existing_counterparty:
            rows.append((_("Действующий контрагент"), _("Да")))
    return rows
