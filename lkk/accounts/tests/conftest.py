"""Fixtures of the accounts tests."""

from __future__ import annotations

import pytest

from lkk.accounts.tests.helpers import captcha_on


@pytest.fixture
def captcha_passes(monkeypatch, settings) -> None:
    """The image captcha accepts «PASSED» (the registration forms with «Я не робот»)."""
    captcha_on(monkeypatch, settings)
