"""The web shell's REST API (thin): the global search and "Mon travail" of the signed-in user."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from oeuvre.accounts.permissions import current_user
from oeuvre.web import selectors

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
