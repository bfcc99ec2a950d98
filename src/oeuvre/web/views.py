from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from oeuvre.web.decorators import public_page
from oeuvre.web.help import guide_page, guide_pages


@public_page
def help_index(request: HttpRequest) -> HttpResponse:
    pages = [p for p in guide_pages(get_language()) if p.slug != "accessibility"]
    return render(request, "web/help_index.html", {"pages": pages, "nav": "help"})


@public_page
def help_topic(request: HttpRequest, topic: str) -> HttpResponse:
    page = guide_page(topic, get_language())
    if page is None:
        raise Http404(topic)
    pages = [p for p in guide_pages(get_language()) if p.slug != "accessibility"]
    return render(request, "web/help_page.html", {"page": page, "pages": pages, "nav": "help"})


@public_page
def accessibility(request: HttpRequest) -> HttpResponse:
    page = guide_page("accessibility", get_language())
    if page is None:
        raise Http404("accessibility")
    return render(request, "web/help_page.html", {"page": page, "pages": [], "nav": "accessibility"})
