"""The planning stage's part of "Mon travail": unfinished tasks the user is assigned to (as a resource)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.planning.models import Task, TaskKind
from oeuvre.web.work import WorkItem, WorkSource, register_work_source

_LIMIT = 100


def _tasks(user: Any) -> list[WorkItem]:
    rows = (
        Task.objects.filter(
            kind=TaskKind.TASK,
            actual_finish__isnull=True,
            assignments__resource__user=user,
            project__memberships__user=user,
        )
        .select_related("project")
        .order_by("early_finish", "project__code", "position", "pk")
        .distinct()[:_LIMIT]
    )
    return [
        WorkItem(
            t.project.code,
            t.project.name,
            t.code,
            t.name,
            reverse("planning:task_detail", args=[t.project.code, t.pk]),
            "",
            t.early_finish,
        )
        for t in rows
    ]


def register() -> None:
    register_work_source(WorkSource("tasks", _("My tasks"), _tasks, 10, "bi-calendar3-range"))
