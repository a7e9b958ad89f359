"""S2 «Новости», «Информация для клиента» and S5 «Помощь»: public pages, open to anyone."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from lkk.content.models import FaqItem, InfoPage, Instruction, News, SupportPhone
from lkk.core.params import param_page


@require_http_methods(["GET"])
def news_list(request: HttpRequest) -> HttpResponse:
    news = News.public().only("pk", "title", "summary", "published_at")
    paginator = Paginator(news, settings.LKK_PAGE_SIZE)
    page = paginator.get_page(param_page(request.GET) or 1)
    return render(request, "content/news_list.html", {"page_obj": page})


@require_http_methods(["GET"])
def news_detail(request: HttpRequest, news_id: int) -> HttpResponse:
    news = get_object_or_404(News.public(), pk=news_id)
    return render(request, "content/news_detail.html", {"news": news})


@require_http_methods(["GET"])
def info_index(request: HttpRequest) -> HttpResponse:
    pages = InfoPage.objects.filter(is_published=True).only("pk", "title", "slug")
    return render(request, "content/info_index.html", {"pages": pages})


@require_http_methods(["GET"])
def info_page(request: HttpRequest, info_slug: str) -> HttpResponse:
    found = get_object_or_404(InfoPage, slug=info_slug, is_published=True)
    pages = InfoPage.objects.filter(is_published=True).only("pk", "title", "slug")
    return render(request, "content/info_page.html", {"page": found, "pages": pages})


@require_http_methods(["GET"])
def help_index(request: HttpRequest) -> HttpResponse:
    instructions = Instruction.objects.defer("file")
    if not request.user.is_authenticated:
        instructions = instructions.filter(is_public=True)
    faq = FaqItem.objects.filter(is_published=True)
    return render(
        request,
        "content/help.html",
        {
            "instructions": instructions,
            "faq": faq,
            "phones": SupportPhone.objects.all(),
        },
    )


@require_http_methods(["GET"])
def instruction_download(request: HttpRequest, instruction: str) -> HttpResponse:
    found = Instruction.objects.filter(slug=instruction).first()
    if found is None:
        return redirect("content:help")  # not uploaded yet: the help page has the rest
    if not found.is_public and not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not found.file:
        return redirect("content:help")
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.file_name or f"{found.slug}.pdf",
        content_type="application/pdf",
    )
