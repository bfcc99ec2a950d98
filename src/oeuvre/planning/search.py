"""The planning stage's tasks and milestones in the global search."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.planning.models import Task
from oeuvre.planning.permissions import PLANNING_VIEW
from oeuvre.web.searchable import Searchable, SearchDocument, register_searchable


def _task(t: Task) -> SearchDocument:
    url = reverse("planning:task_detail", args=[t.project.code, t.pk])
    return SearchDocument(t.code, t.name, t.description, url)


def register() -> None:
    register_searchable(Searchable("task", _("Tasks"), Task, PLANNING_VIEW, _task, 20, icon="bi-calendar3-range"))
