"""Saved views of data tables: services (writes, with history) and selectors (reads) in one small slice."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.services import delete_with_history, save_with_history
from oeuvre.projects.models import Project
from oeuvre.web.models import SavedView

__all__ = ["saved_view_delete", "saved_view_save", "views_for", "visible_view"]


def _visible(user: Any, project: Project, table: str) -> QuerySet[SavedView]:
    return SavedView.objects.filter(project=project, table=table).filter(Q(owner_id=user.pk) | Q(shared=True))


def views_for(user: Any, project: Project, table: str) -> list[SavedView]:
    """The user's own views of ``table`` and those shared on the project, own first (one query)."""
    views = list(_visible(user, project, table).select_related("owner").order_by("name", "pk"))
    return sorted(views, key=lambda v: (v.owner_id != user.pk, v.name.casefold()))


def visible_view(user: Any, project: Project, table: str, pk: int) -> SavedView | None:
    return _visible(user, project, table).filter(pk=pk).first()


@transaction.atomic
def saved_view_save(
    *, actor: User, project: Project, table: str, permission: str, name: str, params: str, shared: bool
) -> SavedView:
    """Save the table's current state under ``name``; saving again under the same name replaces it."""
    require(actor, project, permission)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": [_("Give the view a name.")]})
    if len(name) > 100:
        raise ValidationFailed({"name": [_("A view name holds at most 100 characters.")]})
    view = SavedView.objects.select_for_update().filter(project=project, owner=actor, table=table, name=name).first()
    if view is None:
        view = SavedView(project=project, owner=actor, table=table, name=name)
    else:
        view.version += 1
    view.params = params
    view.shared = shared
    save_with_history(view, actor=actor)
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView) -> None:
    """Only its owner deletes a view, shared or not."""
    if view.owner_id != actor.pk:
        raise DomainError(_("Only the person who saved the view “%(name)s” can delete it.") % {"name": view.name})
    delete_with_history(view, actor=actor)
