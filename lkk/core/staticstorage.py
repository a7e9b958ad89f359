"""The static files' storage: WhiteNoise's compressed manifest, with `url()` remembered.

Every page asks for the URLs of the same nine CSS/JS/icon files; the manifest storage works each
one out again (name cleaning, URL splitting, the manifest lookup) at some 40 µs a call. The
manifest does not change while a process runs (collectstatic writes it before the start), so a
name's URL is remembered after the first call. collectstatic in the same process (the tests)
forgets what was remembered.
"""

from __future__ import annotations

from collections.abc import Iterator

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url

    def post_process(self, *args: object, **kwargs: object) -> Iterator[tuple]:
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
