"""The API's JSON parser: a body with a NUL character or a lone surrogate is a 400, not a 500.

PostgreSQL cannot store U+0000 in text or jsonb, and a lone surrogate cannot be encoded as
UTF-8; both are legal in JSON. Refusing them at the door keeps every view, form and stored
answer (idempotency) free of them — SECURITY.md's "Input".
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser


def _is_clean(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(value: object) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not _is_clean(item):
                raise ParseError(
                    _("Запрос содержит недопустимые символы (NUL или неполный UTF-16).")
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class CleanJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check(data)
        return data


class CleanMultiPartParser(MultiPartParser):
    """multipart/form-data, only where files are sent (the attachment endpoints): its text
    fields and file names under the same rule as JSON (no NUL, no lone surrogate)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        texts: list[object] = [list(parsed.data.keys())]
        for _key, values in parsed.data.lists():
            texts.append(list(values))
        for _key, files in parsed.files.lists():
            texts.append([f.name or "" for f in files])
        _check(texts)
        return parsed
