"""Uploaded files (lkk/core/uploads.py, SECURITY.md "Input"): the type is read from the content
against an allow-list, never from the name or the browser's Content-Type; sizes and counts are
limited; the name kept for display carries no path."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given
from hypothesis import strategies as st

from lkk.core.errors import ApplicationError
from lkk.core.uploads import LABELS, MAGIC, display_name, sniff, uploads_check

ALL = tuple(MAGIC)
PDF = b"%PDF-1.7\n" + b"x" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
HOSTILE = {
    "html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    "exe": b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40,
    "elf": b"\x7fELF\x02\x01\x01" + b"\x00" * 40,
    "zip": b"PK\x03\x04" + b"\x00" * 40,
    "script": b"#!/bin/sh\nrm -rf /\n",
}


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def check(files, **limits):
    limits = {"max_bytes": 10_000, "max_files": 5, "max_total": 30_000} | limits
    return uploads_check(files, **limits)


# --- sniff ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")],
)
def test_sniff_knows_the_allowed_kinds(content, expected):
    assert sniff(content[:16], ALL) == expected


def test_sniff_only_among_the_allowed():
    assert sniff(PNG[:16], ["application/pdf"]) is None
    assert sniff(PDF[:16], ["application/pdf"]) == "application/pdf"


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_sniff_refuses_html_svg_executables_and_scripts(kind):
    assert sniff(HOSTILE[kind][:16], ALL) is None


@given(st.sampled_from(ALL), st.binary(max_size=64))
def test_sniff_reads_the_magic_whatever_follows(content_type, tail):
    for magic in MAGIC[content_type]:
        assert sniff((magic + tail)[:16], ALL) == content_type


@given(st.binary(max_size=32))
@example(b"")
@example(b" %PDF-1.4")
@example(b"\xff\xd8")
def test_sniff_without_a_magic_is_none(head):
    if not any(head.startswith(m) for magics in MAGIC.values() for m in magics):
        assert sniff(head, ALL) is None


# --- display_name -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\boss\\Доверенность.pdf", "Доверенность.pdf"),
        ("/abs/path/scan.png", "scan.png"),
        ("a\x00b\nc.pdf", "abc.pdf"),
        ("", "file"),
        ("dir/", "file"),
        ("   ", "file"),
    ],
)
def test_display_name_drops_paths_and_control_characters(name, shown):
    assert display_name(name) == shown


@given(st.text(max_size=400))
def test_display_name_is_a_short_printable_name_without_a_path(name):
    shown = display_name(name)
    assert shown and len(shown) <= 120
    assert "/" not in shown and "\\" not in shown
    assert all(ch.isprintable() for ch in shown)


# --- uploads_check ----------------------------------------------------------------------------


def test_good_files_pass_with_the_type_read_from_the_content():
    files = [
        upload("a.pdf", PDF, "text/html"),  # the browser's Content-Type is not believed
        upload("photo.txt", JPEG, "text/plain"),  # nor the name
        upload("scan", PNG, "application/octet-stream"),
    ]
    checked = check(files)
    assert [c.content_type for c in checked] == ["application/pdf", "image/jpeg", "image/png"]
    assert [c.name for c in checked] == ["a.pdf", "photo.txt", "scan"]
    assert [c.size for c in checked] == [len(PDF), len(JPEG), len(PNG)]
    # Read back from the start, so that what is saved is the whole file.
    assert [c.file.read() for c in checked] == [PDF, JPEG, PNG]


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_file_renamed_pdf_is_refused(kind):
    with pytest.raises(ApplicationError) as refused:
        check([upload("документ.pdf", HOSTILE[kind])])
    assert refused.value.field == "documents"
    assert refused.value.message == (
        "Файл «документ.pdf» не подходит: принимаются только PDF, JPEG, PNG."
    )


def test_the_message_names_the_kinds_allowed_and_the_field():
    with pytest.raises(ApplicationError) as refused:
        uploads_check(
            [upload("a.png", PNG)],
            allowed=["application/pdf"],
            max_bytes=100,
            max_files=1,
            max_total=100,
            field="attachment",
        )
    assert refused.value.field == "attachment"
    assert refused.value.message.endswith("принимаются только PDF.")


def test_the_first_bad_file_is_named_with_its_path_stripped():
    with pytest.raises(ApplicationError) as refused:
        check([upload("ok.pdf", PDF), upload("../../evil.pdf", HOSTILE["html"])])
    assert "«evil.pdf»" in refused.value.message and ".." not in refused.value.message


def test_an_empty_file_is_refused():
    with pytest.raises(ApplicationError) as refused:
        check([upload("empty.pdf", b"")])
    assert refused.value.message == "Файл «empty.pdf» пустой."


def test_a_file_over_the_size_limit_is_refused():
    check([upload("edge.pdf", PDF + b"x" * (1000 - len(PDF)))], max_bytes=1000)
    with pytest.raises(ApplicationError) as refused:
        check([upload("big.pdf", PDF + b"x" * (1001 - len(PDF)))], max_bytes=1000)
    assert refused.value.message.startswith("Файл «big.pdf» больше")
    assert refused.value.field == "documents"


def test_too_many_files_are_refused():
    files = [upload(f"{i}.pdf", PDF) for i in range(3)]
    assert len(check(files, max_files=3)) == 3
    with pytest.raises(ApplicationError) as refused:
        check([*files, upload("4.pdf", PDF)], max_files=3)
    assert refused.value.message == "Можно приложить не больше 3 файлов."


def test_all_files_together_are_limited():
    files = [upload(f"{i}.pdf", PDF) for i in range(3)]
    with pytest.raises(ApplicationError) as refused:
        check(files, max_total=len(PDF) * 3 - 1)
    assert refused.value.message.startswith("Все файлы вместе больше")
    assert len(check(files, max_total=len(PDF) * 3)) == 3


def test_no_files_is_nothing():
    assert check([]) == []


@given(
    name=st.text(max_size=60),
    content=st.one_of(
        st.binary(max_size=200),
        st.tuples(
            st.sampled_from([m for ms in MAGIC.values() for m in ms]), st.binary(max_size=100)
        ).map(lambda t: t[0] + t[1]),
    ),
)
def test_any_file_either_passes_with_its_magic_or_is_refused_on_the_field(name, content):
    """Never another exception, and what passes starts with the magic of its type."""
    # Django's multipart parser drops a file whose name has no base name ("/", "..") before any
    # view sees it, and SimpleUploadedFile refuses to be made with one.
    if os.path.basename(name) in ("", ".", ".."):
        name = "x"
    try:
        checked = check([upload(name, content)], max_bytes=150)
    except ApplicationError as exc:
        assert exc.field == "documents" and exc.message.startswith(("Файл «", "Все файлы"))
        return
    (one,) = checked
    assert one.content_type in ALL and 0 < one.size <= 150
    assert any(content.startswith(m) for m in MAGIC[one.content_type])
    assert LABELS[one.content_type] in {"PDF", "JPEG", "PNG"}
    assert "/" not in one.name and "\\" not in one.name
