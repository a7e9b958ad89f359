"""Shared helpers of the applications tests: files of every kind, a logged-in operator."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lkk.accounts.services import roles_ensure
from lkk.accounts.tests.helpers import otp_login
from lkk.applications.kinds import CONNECTION_GROUP
from lkk.core.uploads import OFFICE

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def _member(name: str) -> zipfile.ZipInfo:
    # A fixed date: the bytes are a test id, and xdist's workers must collect the same ids.
    return zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))


def office(content_type: str, *, declare: bool = True, main_part: bool = True) -> bytes:
    """A minimal DOCX/XLSX package; without `declare` or `main_part` it is just a zip."""
    part, (main_type, *_rest) = OFFICE[content_type]
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + (f'<Override PartName="{part}" ContentType="{main_type}"/>' if declare else "")
        + "</Types>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(_member("[Content_Types].xml"), types)
        if main_part:
            package.writestr(_member(part.lstrip("/")), "<root/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(_member("readme.txt"), "hello")
    return buffer.getvalue()


def upload(name: str, content: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def staff_client(user) -> Client:
    """An operator of every kind, logged in with the second factor."""
    from django.contrib.auth.models import Group

    user.groups.add(roles_ensure(), Group.objects.get_or_create(name=CONNECTION_GROUP)[0])
    client = Client()
    otp_login(client, user)
    return client
