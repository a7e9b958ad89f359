"""Writes of S2/S5: what operators publish. Every change is in the audit log."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lkk.audit.services import audit_record
from lkk.content.models import Instruction, News
from lkk.content.sanitize import rich_text
from lkk.core.uploads import uploads_check

#: The largest instruction an operator may upload.
INSTRUCTION_MAX_BYTES = 20 * 1024 * 1024


def operator_audit(request, action: str, obj) -> None:
    audit_record(
        kind="operator_action",
        request=request,
        actor=request.user,
        details={"action": action, "model": obj._meta.label_lower, "id": obj.pk},
    )


@transaction.atomic
def content_save(request, form, *, action: str):
    """Saves an operator's form of news, a page or an FAQ item, with its rich text cleaned."""
    obj = form.save(commit=False)
    for field in ("body", "answer"):
        if hasattr(obj, field):
            setattr(obj, field, rich_text(getattr(obj, field)))
    if isinstance(obj, News) and obj.created_by_id is None:
        obj.created_by = request.user
    obj.save()
    operator_audit(request, action, obj)
    if isinstance(obj, News):
        news_announce_if_due(obj)
    return obj


def news_announce_if_due(news: News) -> bool:
    """On the first publication, once the transaction commits: the customers who want news
    get a notice (a Celery task in batches). Later edits announce nothing again."""
    if news.status != News.Status.PUBLISHED or news.announced_at is not None:
        return False
    News.objects.filter(pk=news.pk, announced_at__isnull=True).update(announced_at=timezone.now())
    from lkk.content.tasks import news_announce

    transaction.on_commit(lambda: news_announce.delay(news.pk), robust=True)
    return True


@transaction.atomic
def instruction_save(request, form) -> Instruction:
    """An instruction with its PDF checked by content (lkk/core/uploads.py)."""
    obj = form.save(commit=False)
    upload = form.cleaned_data.get("upload")
    if upload is not None:
        (checked,) = uploads_check(
            [upload],
            allowed=("application/pdf",),
            max_bytes=INSTRUCTION_MAX_BYTES,
            max_files=1,
            max_total=INSTRUCTION_MAX_BYTES,
            field="upload",
        )
        obj.file = checked.file
        obj.file_name = checked.name
        obj.size = checked.size
    obj.save()
    operator_audit(request, "instruction_saved", obj)
    return obj
