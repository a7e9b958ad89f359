"""S2/S5: the sanitiser, the public pages, the operators' editors and the news notice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from lkk.accounts.models import NotificationPreferences
from lkk.audit.models import AuditEvent
from lkk.content.models import FaqItem, InfoPage, Instruction, News
from lkk.content.sanitize import clean, rich_text
from lkk.content.templatetags import news as news_tags
from lkk.notifications.models import Notification
from tests.test_admin import otp_login

#: Pieces of hostile HTML mixed by hypothesis below.
HOSTILE = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.js></SCRIPT>", "<scr<script>ipt>x",
    '<img src=x onerror="alert(1)">', "<svg onload=alert(1)>", '<a href="javascript:alert(1)">',
    '<a href="JaVaScRiPt:alert(1)">x</a>', '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>', "<iframe src=//evil></iframe>",
    "<style>body{display:none}</style>", '<p style="background:url(javascript:x)">',
    '<div onmouseover="x()">', "<body onload=x>", '<math><mtext><a href="javascript:x">',
    "<!--<script>-->", "<object data=x>", '<form action="javascript:x"><button>',
    '<input onfocus=x autofocus>', '<a href="data:text/html,<script>x</script>">',
    "<p>текст</p>", "**жирный**", "[ссылка](javascript:alert(1))", "- пункт", "<", ">", '"', "'",
]  # fmt: skip
ON_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def _assert_harmless(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    # In a tag (a link, an attribute) it would run; as text (a Markdown link the sanitiser
    # refused to make) it is words on the page.
    assert not re.search(r"<[^>]*javascript:", lowered), html
    assert "<iframe" not in lowered and "<style" not in lowered and "style=" not in lowered
    assert not ON_ATTRIBUTE.search(html), html


@settings(max_examples=300)
@given(st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20)), max_size=12))
def test_rich_text_never_carries_a_script(parts):
    source = "".join(parts)
    _assert_harmless(rich_text(source))
    _assert_harmless(clean(source))
    _assert_harmless(clean(rich_text(source)))


def test_markdown_lite_and_allowed_html_survive():
    html = rich_text(
        "## Заголовок\n\nАбзац **жирный** и [ссылка](https://example.ru)\n\n- один\n- два"
    )
    assert "<h3>Заголовок</h3>" in html
    assert "<strong>жирный</strong>" in html
    assert '<a href="https://example.ru" rel="noopener noreferrer">ссылка</a>' in html
    assert "<ul><li>один</li><li>два</li></ul>" in html
    assert rich_text("<p>Текст <em>курсив</em></p>") == "<p>Текст <em>курсив</em></p>"


@pytest.fixture
def news(db):
    now = timezone.now()
    return {
        "published": News.objects.create(
            title="Опубликована", summary="Кратко", body="<p>Текст</p>", status="published",
            published_at=now - dt.timedelta(days=1),
        ),
        "draft": News.objects.create(title="Черновик", summary="-", body="x", status="draft"),
        "future": News.objects.create(
            title="Будущая", summary="-", body="x", status="published",
            published_at=now + dt.timedelta(days=1),
        ),
    }  # fmt: skip


def test_public_pages_show_only_published_news(client, news):
    listing = client.get(reverse("content:news_list")).content.decode()
    assert "Опубликована" in listing
    assert "Черновик" not in listing and "Будущая" not in listing
    assert (
        client.get(reverse("content:news_detail", args=[news["published"].pk])).status_code == 200
    )
    for key in ("draft", "future"):
        assert client.get(reverse("content:news_detail", args=[news[key].pk])).status_code == 404


def test_a_stored_script_is_cleaned_again_when_shown(client, news):
    row = news["published"]
    News.objects.filter(pk=row.pk).update(body='<p onclick="x()">Hi</p><script>alert(1)</script>')
    page = client.get(reverse("content:news_detail", args=[row.pk])).content.decode()
    body = page.split('data-testid="news-body">', 1)[1].split("</div>", 1)[0]
    assert "<p>Hi</p>" in body and "script" not in body and "onclick" not in body


def test_home_shows_the_newest_three_news(client, customer_a, news):
    client.force_login(customer_a.user)
    page = client.get(reverse("customers:home")).content.decode()
    assert 'data-testid="latest-news"' in page and "Опубликована" in page
    assert "Черновик" not in page


def test_home_news_are_kept_but_follow_every_change(client, customer_a, news, settings):
    """The block is cached (lkk/content/templatetags/news.py), yet a news item saved, edited or
    deleted shows at once, and one dated in the future appears when it comes due."""
    # The process's own cache: its expiry follows the clock time_machine moves (Redis's, in the
    # PostgreSQL pass, follows the server's clock — the time kept is checked below instead).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client.force_login(customer_a.user)

    def home() -> str:
        return client.get(reverse("customers:home")).content.decode()

    assert "Опубликована" in home()
    fresh = News.objects.create(title="Свежая", summary="-", body="x", status="published")
    assert "Свежая" in home()
    fresh.title = "Исправленная"
    fresh.save()
    page = home()
    assert "Исправленная" in page and "Свежая" not in page
    fresh.delete()
    assert "Исправленная" not in home()
    soon = timezone.now() + dt.timedelta(seconds=20)
    News.objects.create(title="Скоро", summary="-", body="x", status="published", published_at=soon)
    assert "Скоро" not in home()
    assert 0 < news_tags._seconds_to_keep() <= 20  # kept no longer than until it is due
    with time_machine.travel(soon + dt.timedelta(seconds=1)):
        assert "Скоро" in home()


def test_a_change_made_by_another_process_shows_within_seconds(client, customer_a, news, settings):
    """Each process keeps the block LOCAL_SECONDS without asking the shared cache: a change
    another process made (it forgot the shared block; this process got no signal) shows here
    once they have passed."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client.force_login(customer_a.user)

    def home() -> str:
        return client.get(reverse("customers:home")).content.decode()

    assert "Опубликована" in home()
    # Another process edits the item: its signal forgets the shared block, not this process's.
    News.objects.filter(title="Опубликована").update(title="Изменена в другом процессе")
    cache.delete(news_tags.cache_key("ru"))
    assert "Опубликована" in home()
    later = timezone.now() + dt.timedelta(seconds=news_tags.LOCAL_SECONDS + 1)
    with time_machine.travel(later):
        page = home()
    assert "Изменена в другом процессе" in page and "Опубликована" not in page


def test_home_news_are_kept_per_language(client, customer_a, news, settings):
    client.force_login(customer_a.user)
    ru = client.get(reverse("customers:home")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get(reverse("customers:home")).content.decode()
    assert ">Новости<" in ru and ">Все новости<" in ru
    assert ">News<" in en and ">All news<" in en


def test_info_pages_help_and_faq(client, db):
    InfoPage.objects.create(slug="tariffs", title="Тарифы", body="<p>Цены</p>")
    InfoPage.objects.create(slug="hidden", title="Скрытая", body="x", is_published=False)
    FaqItem.objects.create(question="Как войти?", answer="<p>Так</p>", category="Вход")
    assert "Тарифы" in client.get(reverse("content:info_index")).content.decode()
    assert client.get(reverse("content:info_page", args=["tariffs"])).status_code == 200
    assert client.get(reverse("content:info_page", args=["hidden"])).status_code == 404
    help_page = client.get(reverse("content:help")).content.decode()
    assert "Как войти?" in help_page
    footer = client.get(reverse("accounts:login")).content.decode()
    assert reverse("content:help") in footer


def test_instructions_public_and_for_customers_only(client, customer_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for slug, public in (("registration", True), ("manual", False)):
        doc = Instruction(slug=slug, title=slug, is_public=public, file_name=f"{slug}.pdf")
        doc.file.save(f"{slug}.pdf", SimpleUploadedFile("x.pdf", b"%PDF-1.4 x"), save=True)
    login = client.get(reverse("accounts:login")).content.decode()
    assert reverse("content:instruction", args=["registration"]) in login
    assert 'aria-label="Краткая инструкция по регистрации (PDF)"' in login
    response = client.get(reverse("content:instruction", args=["registration"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    manual = reverse("content:instruction", args=["manual"])
    assert client.get(manual).status_code == 302  # to the login
    client.force_login(customer_a.user)
    assert client.get(manual).status_code == 200
    assert client.get(reverse("content:instruction", args=["missing"])).status_code == 302


# --- Operators -------------------------------------------------------------------------------


def test_customers_do_not_reach_the_editors(client, customer_a):
    client.force_login(customer_a.user)
    assert client.get(reverse("content:manage_list", args=["news"])).status_code == 404


def test_operator_publishes_news_cleaned_audited_and_announced(
    client, operator, customer_a, customer_b, django_capture_on_commit_callbacks
):
    NotificationPreferences.objects.create(user=customer_a.user, news_email=True)
    otp_login(client, operator)
    url = reverse("content:manage_create", args=["news"])
    data = {
        "title": "Новая новость",
        "summary": "Кратко",
        "body": '<p onclick="x()">Текст</p><script>alert(1)</script>',
        "status": "published",
        "published_at": "2026-11-20T10:00",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    news = News.objects.get(title="Новая новость")
    assert news.body == "<p>Текст</p>"
    assert news.announced_at is not None
    assert AuditEvent.objects.filter(kind="operator_action", actor=operator).exists()
    notices = Notification.objects.filter(topic="news")
    assert list(notices.values_list("user", flat=True)) == [customer_a.user.pk]
    assert notices.get().dedup_key == f"news:{news.pk}:{customer_a.user.pk}"
    # An edit does not announce again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("content:manage_edit", args=["news", news.pk]), {**data, "title": "X"})
    assert Notification.objects.filter(topic="news").count() == 1


def test_draft_news_is_not_announced(
    client, operator, customer_a, django_capture_on_commit_callbacks
):
    NotificationPreferences.objects.create(user=customer_a.user, news_sms=True)
    otp_login(client, operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("content:manage_create", args=["news"]),
            {"title": "Ч", "summary": "К", "body": "Т", "status": "draft",
             "published_at": "2026-11-20T10:00"},
        )  # fmt: skip
    assert News.objects.get(title="Ч").announced_at is None
    assert not Notification.objects.filter(topic="news").exists()


def test_news_form_errors_are_tied_to_fields(client, operator):
    otp_login(client, operator)
    response = client.post(reverse("content:manage_create", args=["news"]), {"title": ""})
    assert response.status_code == 200
    assert "Обязательное поле" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("fake.pdf", b"<html><script>x</script></html>", "принимаются только PDF"),
        ("pic.pdf", b"\x89PNG\r\n\x1a\n0000", "принимаются только PDF"),
        ("empty.pdf", b"", "пуст"),
    ],
)
def test_instruction_upload_is_checked_by_content(
    client, operator, settings, tmp_path, name, content, error
):
    settings.MEDIA_ROOT = tmp_path
    otp_login(client, operator)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        reverse("content:manage_create", args=["instructions"]),
        {"title": "Инструкция", "slug": "x", "is_public": "on", "order": 1, "upload": upload},
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Instruction.objects.exists()


def test_instruction_upload_accepts_a_pdf_and_stores_a_generated_name(
    client, operator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    otp_login(client, operator)
    upload = SimpleUploadedFile("../../etc/Инструкция.pdf", b"%PDF-1.7 ok")
    response = client.post(
        reverse("content:manage_create", args=["instructions"]),
        {"title": "Инструкция", "slug": "guide", "is_public": "on", "order": 1, "upload": upload},
    )
    assert response.status_code == 302
    doc = Instruction.objects.get()
    assert doc.file_name == "Инструкция.pdf"
    assert re.fullmatch(r"help/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", doc.file.name)
