"""The rows of «Документы», in Python (lkk.core.rows says why)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from lkk.billing.models import Document
from lkk.core.rows import day, e, id_url, label, labels, number


def documents(rows: Iterable[Any]) -> str:
    """The page's documents: named tuples of DocumentList.row_fields."""
    contract, download = id_url("billing:contract"), id_url("billing:document_download")
    kinds = labels(Document, "kind")
    stored, generated = e(_("Скачать")), e(_("Скачать PDF"))
    html = []
    for row in rows:
        kind = label(kinds, row.kind)
        period = f"{row.period.month:02d}.{row.period.year:04d}" if row.period else "—"
        html.append(
            f"<tr><td>{kind}</td><td>{e(row.number)}</td><td>{day(row.issued_on)}</td>"
            f"<td>{period}</td>"
            f'<td><a href="{contract(row.contract_id)}">{e(row.contract__number)}</a></td>'
            f'<td class="text-end">{number(row.amount, 2)}</td>'
            f'<td><a href="{download(row.pk)}" download>{stored if row.file else generated}'
            f'<span class="visually-hidden"> {kind} № {e(row.number)}</span></a></td></tr>'
        )
    return "".join(html)
