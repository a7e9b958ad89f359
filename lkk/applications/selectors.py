"""Reads for applications: what the application's page shows (the customer's and the operator's),
and how a stored file is handed out."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import FileResponse
from django.utils import timezone

from lkk.applications.models import Application, Attachment


def application_page(application: Application) -> dict[str, Any]:
    """The application with its fields, history, thread, files and stages; the caller found it
    through `visible_to` (a customer) or the back office. A fixed number of queries."""
    kind = application.kind_spec
    attachments = list(application.attachments.all())
    by_message: dict[int, list[Attachment]] = defaultdict(list)
    by_stage: dict[int, list[Attachment]] = defaultdict(list)
    form_files: list[Attachment] = []
    for attachment in attachments:
        if attachment.message_id:
            by_message[attachment.message_id].append(attachment)
        elif attachment.stage_id:
            by_stage[attachment.stage_id].append(attachment)
        else:
            form_files.append(attachment)
    thread = list(application.messages.select_related("author"))
    for message in thread:
        message.files = by_message.get(message.pk, [])
    reached = {record.stage: record for record in application.stages.all()}
    stages = []
    for code, title in kind.stage_list():
        record = reached.get(code)
        stages.append(
            {
                "code": code,
                "title": title,
                "record": record,
                "files": by_stage.get(record.pk, []) if record else [],
            }
        )
    slots = dict((spec.name, spec.label) for spec in kind.attachments)
    return {
        "application": application,
        "kind": kind,
        "values": kind.display(application.data),
        "history": list(application.history.select_related("actor")),
        "thread": thread,
        "stages": stages,
        "form_files": [(slots.get(a.slot, ""), a) for a in form_files],
        "overdue": application.is_overdue(timezone.localdate()),
    }


def file_response(attachment: Attachment) -> FileResponse:
    """The file as a download with its own name; nosniff comes from the security middleware."""
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
