"""The rows of the customer's lists, in Python (lkk.core.rows says why): one function a list.

Each takes the page's rows (named tuples of the list view's `row_fields`, lkk.core.lists) and
returns their <tr>s; the table's head, pagination and the empty row stay in list_page.html.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.core.formats import money, reading
from lkk.core.rows import day, e, id_url, label, labels, number, plain, url
from lkk.customers.models import ConsumptionObject, Contract, Meter, MeteringPoint
from lkk.customers.selectors import MeterLastReadings
from lkk.readings.models import Reading


def contracts(rows: Iterable[Any]) -> str:
    """«Договоры»: the number opens the contract's menu (as in the app of seed 000)."""
    detail, submit = id_url("customers:contract_detail"), id_url("readings:submit_contract")
    objects, points = url("customers:object_list"), url("customers:point_list")
    meters = url("customers:meter_list")
    kinds, statuses = labels(Contract, "kind"), labels(Contract, "status")
    voltages = labels(Contract, "voltage_level")
    more, send = e(_("Подробнее")), e(_("Передать показания"))
    objects_title, points_title = e(_("Объекты потребления")), e(_("Точки учёта"))
    meters_title = e(_("Приборы учёта"))
    html = []
    for row in rows:
        pk = row.pk
        debt = " text-danger" if row.balance < 0 else ""
        html.append(
            "<tr><td>"
            '<div class="dropdown"><button type="button" class="btn btn-link p-0 dropdown-toggle'
            ' text-start" data-bs-toggle="dropdown" aria-expanded="false"'
            f' data-testid="contract-menu">{e(row.number)}</button><ul class="dropdown-menu">'
            f'<li><a class="dropdown-item" href="{detail(pk)}">{more}</a></li>'
            f'<li><a class="dropdown-item" href="{submit(pk)}">{send}</a></li>'
            f'<li><a class="dropdown-item" href="{objects}?contract={pk}">{objects_title}</a></li>'
            f'<li><a class="dropdown-item" href="{points}?contract={pk}">{points_title}</a></li>'
            f'<li><a class="dropdown-item" href="{meters}?contract={pk}">{meters_title}</a></li>'
            "</ul></div>"
            f'<div class="small text-body-secondary">{e(row.counterparty__short_name)}</div></td>'
            f"<td>{day(row.signed_on)}</td><td>{label(kinds, row.kind)}</td>"
            f"<td>{label(statuses, row.status)}</td><td>{plain(row.price_category)}</td>"
            f"<td>{label(voltages, row.voltage_level)}</td>"
            f'<td class="text-end">{number(row.max_power_kw)}</td>'
            f'<td class="text-end{debt}">{number(row.balance, 2)}</td></tr>'
        )
    return "".join(html)


def objects(rows: Iterable[Any]) -> str:
    """«Объекты»."""
    detail, contract = id_url("customers:object_detail"), id_url("customers:contract_detail")
    kinds = labels(ConsumptionObject, "kind")
    return "".join(
        f'<tr><td><a href="{detail(row.pk)}">{e(row.name)}</a></td>'
        f"<td>{label(kinds, row.kind)}</td><td>{e(row.address)}</td>"
        f'<td><a href="{contract(row.contract_id)}">{e(row.contract__number)}</a></td></tr>'
        for row in rows
    )


def points(rows: Iterable[Any]) -> str:
    """«Точки учёта»."""
    detail, contract = id_url("customers:point_detail"), id_url("customers:contract_detail")
    voltages = labels(MeteringPoint, "voltage_level")
    return "".join(
        f'<tr><td><a href="{detail(row.pk)}">{e(row.code)}</a></td><td>{e(row.name)}</td>'
        f"<td>{e(row.address)}</td>"
        f'<td><a href="{contract(row.contract_id)}">{e(row.contract__number)}</a></td>'
        f"<td>{label(voltages, row.voltage_level)}</td>"
        f'<td class="text-end">{number(row.max_power_kw)}</td></tr>'
        for row in rows
    )


def meters(rows: Iterable[Any]) -> str:
    """«Приборы учёта»: АСКУЭ and removed meters marked, the verification's state."""
    detail, point = id_url("customers:meter_detail"), id_url("customers:point_detail")
    zones = labels(Meter, "tariff_zones")
    # Texts to translate are outside the f-strings: xgettext does not look inside them.
    automatic, removed = e(_("АСКУЭ")), e(_("снят"))
    overdue, due_soon = e(_("Поверка просрочена")), e(_("Скоро поверка"))
    automatic = f' <span class="badge text-bg-info">{automatic}</span>'
    removed = f' <span class="badge text-bg-secondary">{removed}</span>'
    states = {
        Meter.Verification.OVERDUE: f' <span class="badge text-bg-danger">{overdue}</span>',
        Meter.Verification.DUE_SOON: f' <span class="badge text-bg-warning">{due_soon}</span>',
    }
    today = timezone.localdate()
    html = []
    for row in rows:
        places = f",{plain(row.decimal_places)}" if row.decimal_places else ""
        if row.removed_on:
            state = ""
        else:
            state = states.get(Meter.verification_state_of(row.next_verification_on, today), "")
        html.append(
            f'<tr><td><a href="{detail(row.pk)}">{e(row.serial_number)}</a>'
            f"{automatic if row.is_automatic else ''}{removed if row.removed_on else ''}</td>"
            f"<td>{e(row.model)}</td>"
            f'<td><a href="{point(row.metering_point_id)}">{e(row.metering_point__code)}</a>'
            f'<div class="small text-body-secondary">{e(row.metering_point__contract__number)}'
            f"</div></td><td>{label(zones, row.tariff_zones)}</td>"
            f"<td>{plain(row.digit_capacity)}{places}</td><td>{plain(row.transformation_ratio)}</td>"
            f"<td>{day(row.next_verification_on)}{state}</td></tr>"
        )
    return "".join(html)


def reading_contracts(rows: Iterable[Any]) -> str:
    """«Передача показаний»: each contract with its button to the readings form."""
    detail, submit = id_url("customers:contract_detail"), id_url("readings:submit_contract")
    send = e(_("Передать показания"))
    return "".join(
        f'<tr><td><a href="{detail(row.pk)}">{e(row.number)}</a></td>'
        f"<td>{day(row.signed_on)}</td><td>{e(row.counterparty__short_name)}</td>"
        f'<td class="text-end"><a class="btn btn-sm btn-primary" href="{submit(row.pk)}">'
        f"{send}</a></td></tr>"
        for row in rows
    )


#: An id no contract has, encoded in its place (as lkk.core.rows.id_url does for a URL).
_ID = 918273645


def home_contracts(
    rows: Iterable, *, names: dict[int, str], selected: Contract | None, query: QueryDict
) -> str:
    """«Главная»: the active contracts; one opens its card (`?contract=`, the search kept).

    `rows`: the page's contracts (named rows of pk, number, signed_on, counterparty_id);
    `names`: the counterparties' short names by id (`selectors.counterparty_names`)."""
    head, tail = _with_contract(query)
    template = _("Договор № %(number)s")
    selected_pk = selected.pk if selected is not None else None
    html = []
    for row in rows:
        title = template % {"number": row.number}
        active, aria = (" active", ' aria-current="true"') if row.pk == selected_pk else ("", "")
        html.append(
            f'<a class="list-group-item list-group-item-action{active}"'
            f' href="{head}{int(row.pk)}{tail}"{aria}>'
            f'<div class="fw-semibold">{e(title)}</div>'
            f'<div class="small">{e(names[row.counterparty_id])} · {day(row.signed_on)}</div></a>'
        )
    return "".join(html)


def _with_contract(query: QueryDict) -> tuple[str, str]:
    """`?<query with contract=ID>` (escaped) around the ID: the query string encoded once for
    every row instead of once a row, with `contract` where `QueryDict` puts it (in its place
    when the query has it, else last)."""
    params = query.copy()
    params["contract"] = str(_ID)
    encoded = f"&{params.urlencode()}&"
    before, _found, after = encoded.partition(f"&contract={_ID}&")
    head = f"?{before[1:]}&contract=" if before else "?contract="
    return e(head), e(f"&{after[:-1]}" if after else "")


def home_card(contract: Contract, summary: dict[str, int]) -> str:
    """«Главная»: the chosen contract's card (what its template wrote, balance.html's pair
    included), its counts from `selectors.contract_card`."""
    pk = contract.pk
    title = _("Договор № %(number)s от %(date)s") % {
        "number": e(contract.number),
        "date": day(contract.signed_on),
    }
    kind = label(labels(Contract, "kind"), contract.kind)
    status = label(labels(Contract, "status"), contract.status)
    badge = f'<span class="badge text-bg-{"success" if contract.is_active else "secondary"}">'
    send = ""
    if contract.is_active:
        send = (
            f'<a class="btn btn-sm btn-primary" href="{id_url("readings:submit_contract")(pk)}">'
            f"{e(_('Передать показания'))}</a>"
        )
    links = (
        (id_url("customers:contract_detail")(pk), _("Подробнее о договоре")),
        (f"{url('customers:point_list')}?contract={pk}", _("Точки учёта")),
        (f"{url('customers:meter_list')}?contract={pk}", _("Приборы учёта")),
        (f"{url('customers:object_list')}?contract={pk}", _("Объекты потребления")),
    )
    buttons = "\n          ".join(
        f'<a class="btn btn-sm btn-outline-primary" href="{href}">{e(text)}</a>'
        for href, text in links
    )
    # Texts to translate are outside the f-strings: xgettext does not look inside them.
    points, meters = e(_("Точек учёта")), e(_("Приборов учёта"))
    return (
        '<div class="card">\n        <div class="card-body">\n'
        f'          <h2 class="h5 card-title" id="contract-card">{title}</h2>\n'
        f'          <p class="mb-2">{kind} · {badge}{status}</span></p>\n'
        '          <dl class="row mb-0">\n            \n\n'
        f"{balance(contract, 'col-sm-5', 'col-sm-7')}\n\n\n"
        f'            <dt class="col-sm-5">{points}</dt>'
        f'<dd class="col-sm-7">{plain(summary["points"])}</dd>\n'
        f'            <dt class="col-sm-5">{meters}</dt>'
        f'<dd class="col-sm-7">{plain(summary["meters"])}</dd>\n'
        "          </dl>\n        </div>\n"
        '        <div class="card-footer d-flex flex-wrap gap-2">\n'
        f"          {send}\n          {buttons}\n        </div>\n      </div>"
    )


def balance(contract: Contract, dt_class: str, dd_class: str) -> str:
    """A contract's balance as a <dt>/<dd> pair (as includes/balance.html): debt in red,
    overpayment, or nothing owed."""
    date = day(contract.balance_on)
    if contract.balance < 0:
        term = _("Задолженность на %(date)s") % {"date": date} if date else e(_("Задолженность"))
        amount, danger = e(money(contract.debt)), " text-danger fw-semibold"
    elif contract.balance > 0:
        term = _("Переплата на %(date)s") % {"date": date} if date else e(_("Переплата"))
        amount, danger = e(money(contract.balance)), ""
    else:
        term, amount, danger = e(_("Расчёты")), e(_("задолженности нет")), ""
    return (
        f'<dt class="{e(dt_class)}">{term}</dt>\n'
        f'<dd class="{e(dd_class)}{danger}" data-testid="balance">{amount}</dd>'
    )


def last_readings(rows: Iterable[MeterLastReadings]) -> str:
    """«Главная»: the latest reading (every zone) of the contract's first meters."""
    history = id_url("readings:history")
    zones = labels(Reading, "zone")
    automatic = e(_("АСКУЭ"))
    automatic = f' <span class="badge text-bg-info">{automatic}</span>'
    none = e(_("нет показаний"))
    html = []
    for row in rows:
        places = row.decimal_places or 0
        values = "".join(
            f'<span class="me-2">{label(zones, r.zone)}: {e(reading(r.value, places))}</span>'
            for r in row.readings
        )
        html.append(
            f"<tr><td>{e(row.point_code)}</td>"
            f'<td><a href="{history(row.pk)}">{e(row.serial_number)}</a>'
            f"{automatic if row.is_automatic else ''}</td>"
            f"<td>{day(row.readings[0].read_on) if row.readings else '—'}</td>"
            f"<td>{values or none}</td></tr>"
        )
    return "".join(html)
