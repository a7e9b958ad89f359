"""The demo data of S2–S5 and T2/T3: complete, with real PDFs, and a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from lkk.connection.models import ConnectionDocument, FixedFee, Rate
from lkk.content.models import Instruction, News
from lkk.demo.content import content_seed
from lkk.surveys.models import Survey


def test_content_seed_is_complete_and_idempotent(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = content_seed(today=dt.date(2026, 11, 20))
    assert first["news"] == 4 and first["surveys"] == 1 and first["rates"] == 24
    again = content_seed(today=dt.date(2026, 11, 20))
    assert not any(again.values())
    assert News.public().count() == 4
    assert Rate.objects.count() == 24 and FixedFee.objects.count() == 1
    assert Survey.objects.get().status == "open"
    registration = Instruction.objects.get(slug="registration")
    assert registration.is_public
    text = PdfReader(io.BytesIO(registration.file.read())).pages[0].extract_text()
    assert "Краткая инструкция по регистрации" in text
    assert ConnectionDocument.objects.count() == 2


def test_the_pdfs_rendered_ahead_are_the_ones_the_seed_stores(db, settings, tmp_path, monkeypatch):
    """The seed renders the PDFs in a thread while PostgreSQL works (lkk/demo/seed.py); the
    content seed then renders nothing itself."""
    import weasyprint

    from lkk.demo import content

    settings.MEDIA_ROOT = tmp_path
    content._pdf.cache_clear()
    thread = content.pdfs_ahead()
    assert thread is not None
    thread.join()

    def no_more(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(weasyprint, "HTML", no_more)
    content_seed(today=dt.date(2026, 11, 20))
    assert Instruction.objects.count() == 2 and ConnectionDocument.objects.count() == 2
    assert content.pdfs_ahead() is None  # stored: nothing to render ahead on a second run
