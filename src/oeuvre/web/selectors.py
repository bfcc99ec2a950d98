"""The web shell's reads across projects: the global search and "Mon travail"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from oeuvre.accounts.permissions import can
from oeuvre.projects.selectors import projects_for_user
from oeuvre.web import fulltext
from oeuvre.web.searchable import reference_key, searchables
from oeuvre.web.work import WorkItem, work_sources

__all__ = ["SearchHit", "WorkGroup", "my_work", "search", "search_counts", "search_scope"]

MAX_LIMIT = 200


@dataclass(frozen=True)
class SearchHit:
    kind: str
    kind_label: Promise
    icon: str
    reference: str
    title: str
    excerpt: str
    project_code: str
    project_name: str
    url: str
    exact: bool = False


def search_scope(user: Any, kinds: Iterable[str] | None = None, project: str | None = None) -> fulltext.Scope:
    """Which kinds the user may find in which of their projects: membership first, then the matrix's view
    permission of each kind (the one permission function), so another project's object is never found."""
    wanted = set(kinds) if kinds else None
    projects = projects_for_user(user)
    if project:
        projects = projects.filter(code=project)
    scope: fulltext.Scope = {}
    mine = list(projects)
    for found in searchables():
        if wanted is not None and found.kind not in wanted:
            continue
        ids = [p.pk for p in mine if can(user, p, found.permission)]
        if ids:
            scope[found.kind] = ids
    return scope


def _hits(entries: list[Any], exact_ids: set[int]) -> list[SearchHit]:
    labels = {s.kind: s for s in searchables()}
    hits = []
    for entry in entries:
        found = labels.get(entry.kind)
        if found is None:
            continue
        excerpt = " ".join(entry.body.split())
        hits.append(
            SearchHit(
                kind=entry.kind,
                kind_label=found.label,
                icon=found.icon,
                reference=entry.reference,
                title=entry.title,
                excerpt=excerpt[:160] + ("…" if len(excerpt) > 160 else ""),
                project_code=entry.project.code,
                project_name=entry.project.name,
                url=entry.url,
                exact=entry.pk in exact_ids,
            )
        )
    return hits


def search(
    user: Any,
    q: str,
    kinds: Iterable[str] | None = None,
    project: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[SearchHit]:
    """The objects matching ``q`` that ``user`` may see, best first: an exact reference (``ANO-042``, or
    ``ano-42``) first, then full-text matches of every word (accents folded, plurals and prefixes found).

    ``kinds`` and ``project`` (a code) narrow the search; a constant number of queries whatever the results.
    """
    from oeuvre.web.models import SearchEntry

    limit = max(1, min(limit, MAX_LIMIT))
    q = q.strip()
    scope = search_scope(user, kinds, project)
    if not q or not scope:
        return []
    allowed = fulltext.scope_q(scope)
    key = reference_key(q)
    exact: list[int] = []
    if key and any(c.isdigit() for c in key):
        exact = list(
            SearchEntry.objects.filter(allowed, reference_key=key)
            .order_by("kind", "pk")
            .values_list("pk", flat=True)[:MAX_LIMIT]
        )
    words = fulltext.terms(q)
    skip = max(0, offset - len(exact))
    ranked = fulltext.matching_ids(words, scope, limit=limit + len(exact), offset=skip)
    seen = set(exact)
    ordered = (exact[offset:] if offset < len(exact) else []) + [i for i in ranked if i not in seen]
    ordered = ordered[:limit]
    rows = SearchEntry.objects.filter(pk__in=ordered).select_related("project")
    by_id = {row.pk: row for row in rows}
    return _hits([by_id[i] for i in ordered if i in by_id], set(exact))


def search_counts(user: Any, q: str, project: str | None = None) -> dict[str, int]:
    """How many results of each kind (for the filters of the results page)."""
    scope = search_scope(user, None, project)
    words = fulltext.terms(q.strip())
    return fulltext.count_by_kind(words, scope)


@dataclass
class WorkGroup:
    key: str
    label: Promise
    icon: str
    items: list[WorkItem] = field(default_factory=list)


def my_work(user: Any) -> list[WorkGroup]:
    """What waits for ``user`` on every project they belong to, one group per source (tasks, tests to run,
    anomalies, validations, signatures, actions…), the empty groups included so the page says "nothing"."""
    return [WorkGroup(s.key, s.label, s.icon, s.items(user)) for s in work_sources()]
