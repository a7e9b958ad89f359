"""Quotes in templates (lkk.core.formats): a name put inside «» has its own quotes nested.

{{ counterparty.short_name|quoted }}           «ЗАО „Севермаш“»
Файл «{{ name|inner_quotes }}» загружен        for text already between «» in the msgid
"""

from __future__ import annotations

from django import template

from lkk.core import formats

register = template.Library()


@register.filter
def quoted(text: object) -> str:
    return formats.quoted(str(text)) if text not in (None, "") else ""


@register.filter
def inner_quotes(text: object) -> str:
    return formats.inner_quotes(str(text)) if text not in (None, "") else ""
