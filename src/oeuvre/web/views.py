from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from oeuvre.projects.selectors import projects_for_user
from oeuvre.web import selectors
from oeuvre.web.decorators import public_page, user_page
from oeuvre.web.help import guide_page, guide_pages
from oeuvre.web.searchable import searchables


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


PAGE_SIZE = 20


@user_page
def search_page(request: HttpRequest) -> HttpResponse:
    """The results of the header's search box, grouped by kind, with filters by kind and project, paged."""
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    project = request.GET.get("project", "")
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    kinds = {s.kind: s for s in searchables()}
    if kind not in kinds:
        kind = ""
    hits = (
        selectors.search(
            request.user,
            q,
            kinds=[kind] if kind else None,
            project=project or None,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
        if q
        else []
    )
    has_next = len(hits) > PAGE_SIZE
    hits = hits[:PAGE_SIZE]
    counts = selectors.search_counts(request.user, q, project=project or None) if q else {}
    groups: dict[str, list[selectors.SearchHit]] = {}
    for hit in hits:
        groups.setdefault(hit.kind, []).append(hit)

    def link(**changes: object) -> str:
        params = {"q": q, "kind": kind, "project": project, "page": page, **changes}
        return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})

    facets = [
        {
            "kind": s.kind,
            "label": s.label,
            "icon": s.icon,
            "count": counts.get(s.kind, 0),
            "url": link(kind=s.kind, page=1),
        }
        for s in kinds.values()
        if counts.get(s.kind)
    ]
    context = {
        "nav": "search",
        "q": q,
        "kind": kind,
        "project_code": project,
        "projects": projects_for_user(request.user).order_by("code"),
        "groups": [(kinds[k], items) for k, items in groups.items()],
        "facets": facets,
        "total": sum(counts.values()),
        "all_url": link(kind="", page=1),
        "page": page,
        "prev_url": link(page=page - 1) if page > 1 else "",
        "next_url": link(page=page + 1) if has_next else "",
    }
    return render(request, "web/search.html", context)


@user_page
def my_work(request: HttpRequest) -> HttpResponse:
    """What waits for the signed-in user on every project ("Mon travail")."""
    groups = selectors.my_work(request.user)
    return render(
        request, "web/my_work.html", {"nav": "my_work", "groups": groups, "total": sum(len(g.items) for g in groups)}
    )
