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
