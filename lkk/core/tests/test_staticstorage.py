"""lkk/core/staticstorage.py: a static file's URL is remembered, and forgotten by collectstatic."""

from __future__ import annotations

from unittest import mock

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage as Manifest

from lkk.core.staticstorage import StaticFilesStorage


def _hashed(name: str, force: bool = False) -> str:
    return f"/h/{name}"


def test_a_url_is_worked_out_once_and_is_the_manifests(tmp_path):
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    with mock.patch.object(Manifest, "url", side_effect=_hashed) as parent:
        assert storage.url("lkk/app.css") == "/h/lkk/app.css"
        assert storage.url("lkk/app.css") == "/h/lkk/app.css"
        assert storage.url("lkk/app.js") == "/h/lkk/app.js"
        assert parent.call_count == 2
        storage.url("lkk/app.css", force=True)
        assert parent.call_count == 3  # force always asks the manifest
        with mock.patch.object(Manifest, "post_process", return_value=iter(())):
            list(storage.post_process({}))
        storage.url("lkk/app.css")
        assert parent.call_count == 4  # collectstatic made the manifest anew: asked again


def test_a_missing_file_is_not_remembered(tmp_path):
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    with mock.patch.object(Manifest, "url", side_effect=ValueError) as parent:
        for _ in range(2):
            with pytest.raises(ValueError):
                storage.url("nope.css")
        assert parent.call_count == 2
