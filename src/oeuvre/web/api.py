"""The web shell's REST API (thin): the global search, the caller's saved searches and "Mon travail"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from oeuvre.accounts.permissions import current_user
from oeuvre.core.api import ErrorOut
from oeuvre.web import saved_searches, selectors
from oeuvre.web.models import SavedSearch

__all__ = ["router"]

router = Router(tags=["search"])


class SearchHitOut(Schema):
    kind: str
    reference: str
    title: str
    project: str
    project_name: str
    url: str
    exact: bool


class SearchFilters(Schema):
    q: str = ""
    kind: list[str] = []
    project: str = ""
    limit: int = 20
    offset: int = 0


@router.get(
    "/search",
    response=list[SearchHitOut],
    summary="Search every project I belong to",
    description=(
        "Exigences, specifications, components, tasks, test cases, anomalies, deliverables, PV, risks, incidents… "
        "by reference (`ANO-042`, first) or words (accents folded, prefixes and plurals found), in the projects "
        "the caller may see. Narrow with `kind` (repeatable) and `project` (a code); page with `limit` "
        f"(≤ {selectors.MAX_LIMIT}) and `offset`."
    ),
)
def search(request: HttpRequest, filters: Query[SearchFilters]) -> object:
    hits = selectors.search(
        current_user(request),
        filters.q,
        kinds=filters.kind or None,
        project=filters.project or None,
        limit=filters.limit,
        offset=max(0, filters.offset),
    )
    return _hits_out(request, hits)


def _hits_out(request: HttpRequest, hits: list[selectors.SearchHit]) -> list[dict[str, Any]]:
    return [
        {
            "kind": h.kind,
            "reference": h.reference,
            "title": h.title,
            "project": h.project_code,
            "project_name": h.project_name,
            "url": request.build_absolute_uri(h.url),
            "exact": h.exact,
        }
        for h in hits
    ]


class SavedSearchOut(Schema):
    id: int
    name: str
    q: str
    kind: str
    project: str | None
    url: str
    created_at: dt.datetime


class SavedSearchIn(Schema):
    name: str = Field(..., max_length=100)
    q: str = Field(..., max_length=200)
    kind: str = ""
    project: str = Field("", description="A project code, to search that project only.")


def _saved_out(request: HttpRequest, search: SavedSearch) -> dict[str, Any]:
    return {
        "id": search.pk,
        "name": search.name,
        "q": search.q,
        "kind": search.kind,
        "project": search.project.code if search.project else None,
        "url": request.build_absolute_uri(saved_searches.saved_search_url(search)),
        "created_at": search.created_at,
    }


@router.get("/me/saved-searches", response=list[SavedSearchOut], summary="My saved searches")
def list_saved_searches(request: HttpRequest) -> object:
    return [_saved_out(request, s) for s in saved_searches.saved_searches_of(current_user(request))]


@router.post(
    "/me/saved-searches",
    response={201: SavedSearchOut, 422: ErrorOut},
    summary="Keep a search under a name (the same name replaces it)",
)
def save_saved_search(request: HttpRequest, payload: SavedSearchIn) -> object:
    search = saved_searches.saved_search_save(
        actor=current_user(request), name=payload.name, q=payload.q, kind=payload.kind, project=payload.project
    )
    return Status(201, _saved_out(request, search))


@router.get(
    "/me/saved-searches/{pk}/results",
    response={200: list[SearchHitOut], 404: ErrorOut},
    summary="Run one of my saved searches (with my permissions of today)",
)
def run_saved_search(request: HttpRequest, pk: int, limit: int = 20, offset: int = 0) -> object:
    user = current_user(request)
    search = saved_searches.saved_search_of(user, pk)
    if search is None:
        return Status(404, {"detail": "Not found", "errors": []})
    return _hits_out(request, saved_searches.saved_search_run(user, search, limit=limit, offset=max(0, offset)))


@router.delete(
    "/me/saved-searches/{pk}", response={204: None, 404: ErrorOut}, summary="Delete one of my saved searches"
)
def delete_saved_search(request: HttpRequest, pk: int) -> object:
    user = current_user(request)
    search = saved_searches.saved_search_of(user, pk)
    if search is None:
        return Status(404, {"detail": "Not found", "errors": []})
    saved_searches.saved_search_delete(actor=user, search=search)
    return Status(204, None)


class WorkItemOut(Schema):
    project: str
    reference: str
    title: str
    url: str
    status: str
    due_on: dt.date | None
    overdue: bool


class WorkGroupOut(Schema):
    key: str
    label: str
    items: list[WorkItemOut]


@router.get("/me/work", response=list[WorkGroupOut], summary="What waits for me across my projects")
def my_work(request: HttpRequest) -> object:
    return [
        {
            "key": g.key,
            "label": str(g.label),
            "items": [
                {
                    "project": i.project_code,
                    "reference": i.reference,
                    "title": i.title,
                    "url": request.build_absolute_uri(i.url),
                    "status": i.status,
                    "due_on": i.due_on,
                    "overdue": i.overdue,
                }
                for i in g.items
            ],
        }
        for g in selectors.my_work(current_user(request))
    ]
