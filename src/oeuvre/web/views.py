from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import current_user
from oeuvre.core.errors import ValidationFailed
from oeuvre.projects.selectors import projects_for_user
from oeuvre.web import saved_searches, selectors
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
        "saved": _saved(request),
    }
    return render(request, "web/search.html", context)


def _saved(request: HttpRequest) -> list[dict[str, object]]:
    return [
        {"search": s, "url": saved_searches.saved_search_url(s)} for s in saved_searches.saved_searches_of(request.user)
    ]


@user_page
@require_POST
def saved_search_save(request: HttpRequest) -> HttpResponse:
    """Keep the search of the page (its words, kind and project) under the name typed."""
    try:
        search = saved_searches.saved_search_save(
            actor=current_user(request),
            name=request.POST.get("name", ""),
            q=request.POST.get("q", ""),
            kind=request.POST.get("kind", ""),
            project=request.POST.get("project", ""),
        )
    except ValidationFailed as exc:
        for field_messages in exc.errors.values():
            for message in field_messages:
                messages.error(request, message)
        return redirect("web:search")
    messages.success(request, _("Search « %(name)s » saved.") % {"name": search.name})
    return redirect(saved_searches.saved_search_url(search))


@user_page
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    search = saved_searches.saved_search_of(request.user, pk)
    if search is None:
        raise Http404("saved search")
    saved_searches.saved_search_delete(actor=current_user(request), search=search)
    messages.success(request, _("Search « %(name)s » deleted.") % {"name": search.name})
    return redirect("web:search")


@user_page
def my_work(request: HttpRequest) -> HttpResponse:
    """What waits for the signed-in user on every project ("Mon travail")."""
    groups = selectors.my_work(request.user)
    context = {
        "nav": "my_work",
        "groups": groups,
        "total": sum(len(g.items) for g in groups),
        "saved": _saved(request),
    }
    return render(request, "web/my_work.html", context)
