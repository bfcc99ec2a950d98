"""Saved searches: a person keeps a search (words, kind, project) to run it again from the search page, "Mon
travail" or the API. Services (writes, with history) and selectors (reads) in one small slice; a person sees,
runs and deletes only their own, and running one searches again with their permissions of the moment."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.services import delete_with_history, save_with_history
from oeuvre.projects.selectors import projects_for_user
from oeuvre.web import selectors
from oeuvre.web.models import SavedSearch
from oeuvre.web.searchable import searchables

__all__ = [
    "MAX_SAVED",
    "saved_search_delete",
    "saved_search_of",
    "saved_search_run",
    "saved_search_save",
    "saved_search_url",
    "saved_searches_of",
]

MAX_SAVED = 50  # per person: a list to choose from, not an archive


def saved_searches_of(user: Any) -> QuerySet[SavedSearch]:
    """The user's own saved searches, by name (one query, the project joined)."""
    return SavedSearch.objects.filter(owner_id=user.pk).select_related("project").order_by("name", "pk")


def saved_search_of(user: Any, pk: int) -> SavedSearch | None:
    """One of the user's saved searches (someone else's is not found)."""
    return saved_searches_of(user).filter(pk=pk).first()


def saved_search_url(search: SavedSearch) -> str:
    """The search page's address that runs ``search``."""
    params = {"q": search.q, "kind": search.kind, "project": search.project.code if search.project else ""}
    return reverse("web:search") + "?" + urlencode({k: v for k, v in params.items() if v})


def saved_search_run(user: Any, search: SavedSearch, *, limit: int = 20, offset: int = 0) -> list[selectors.SearchHit]:
    """Search again, as ``user`` may today (someone who left the project finds nothing of it any more)."""
    return selectors.search(
        user,
        search.q,
        kinds=[search.kind] if search.kind else None,
        project=search.project.code if search.project else None,
        limit=limit,
        offset=offset,
    )


@transaction.atomic
def saved_search_save(*, actor: User, name: str, q: str, kind: str = "", project: str = "") -> SavedSearch:
    """Keep the search under ``name``; saving again under the same name replaces it."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    q = (q or "").strip()
    kind = (kind or "").strip()
    project = (project or "").strip()
    if not name:
        errors["name"] = [_("Give the search a name.")]
    elif len(name) > 100:
        errors["name"] = [_("A search name holds at most 100 characters.")]
    if not q:
        errors["q"] = [_("Type the words or the reference to look for.")]
    elif len(q) > 200:
        errors["q"] = [_("The words hold at most 200 characters.")]
    if kind and kind not in {s.kind for s in searchables()}:
        errors["kind"] = [_("Unknown kind « %(kind)s ».") % {"kind": kind}]
    found = projects_for_user(actor).filter(code=project).first() if project else None
    if project and found is None:
        # A project the person is not in is refused as if it did not exist.
        errors["project"] = [_("No project « %(code)s » among yours.") % {"code": project}]
    if errors:
        raise ValidationFailed(errors)
    search = SavedSearch.objects.select_for_update().filter(owner=actor, name=name).first()
    if search is None:
        if SavedSearch.objects.filter(owner=actor).count() >= MAX_SAVED:
            raise ValidationFailed(
                {"name": [_("You keep %(n)s searches already: delete one first.") % {"n": MAX_SAVED}]}
            )
        search = SavedSearch(owner=actor, name=name)
    else:
        search.version += 1
    search.q = q
    search.kind = kind
    search.project = found
    save_with_history(search, actor=actor)
    return search


@transaction.atomic
def saved_search_delete(*, actor: User, search: SavedSearch) -> None:
    """Only its owner deletes a saved search (the edges look it up among the actor's own, so another's is 404)."""
    if search.owner_id != actor.pk:
        raise PermissionDenied(_("Only its owner deletes a saved search."))
    delete_with_history(search, actor=actor)
