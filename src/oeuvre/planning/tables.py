"""The planning stage's data table: the task list, with the same sort, filters, column chooser, saved views and
exports as every other list (``oeuvre.web.tables``).

Its bulk actions (move to a lot, put a resource on the tasks, delete) check each row through the same service as
one by one, and reschedule the plan once after all rows, not after each (``plan_changes_batched``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from oeuvre.planning import selectors, services
from oeuvre.planning.models import Lot, Resource, Task, TaskKind
from oeuvre.planning.permissions import PLANNING_EDIT, PLANNING_MANAGE_RESOURCES, PLANNING_VIEW
from oeuvre.planning.templatetags.planning_tags import days
from oeuvre.projects.models import Project
from oeuvre.web.tables import BulkAction, Col, Filter, Param, Table, choices_of

__all__ = ["TASKS"]


def _tasks(project: Project) -> QuerySet[Task]:
    return selectors.tasks_of(project, selectors.plan_of(project))


def _lots(project: Project) -> list[tuple[str, str]]:
    return [(str(lot.pk), f"{lot.code} — {lot.name}") for lot in selectors.lots_of(project)]


def _critical_choices(_project: Project) -> list[tuple[str, str]]:
    return [("1", gettext("critical only"))]


def _with_urls(project: Project, tasks: Sequence[Any]) -> None:
    for task in tasks:
        task.detail_url = reverse("planning:task_detail", args=[project.code, task.pk])


def _code(task: Any) -> str:
    if not task.is_critical:
        return format_html('<a href="{}">{}</a>', task.detail_url, task.code)
    return format_html(
        '<a href="{}">{}</a> <span class="badge badge-critical" title="{}">!</span>',
        task.detail_url,
        task.code,
        gettext("critical"),
    )


def _name(task: Task) -> str:
    return format_html("{}{}", "◆ " if task.kind == TaskKind.MILESTONE else "", task.name)


def _resources(project: Project) -> list[tuple[str, str]]:
    return [(str(r.pk), r.name) for r in Resource.objects.filter(project=project, active=True).order_by("name")]


def _lot_of(project: Project, raw: dict[str, str]) -> dict[str, Any]:
    return {"lot": Lot.objects.get(project=project, pk=int(raw["lot"]))}


def _resource_of(project: Project, raw: dict[str, str]) -> dict[str, Any]:
    return {"resource": Resource.objects.get(project=project, pk=int(raw["resource"]))}


def _batched(project: Project, actor: Any) -> Any:
    return services.plan_changes_batched(project, actor)


TASKS = Table(
    key="planning.tasks",
    permission=PLANNING_VIEW,
    queryset=_tasks,
    export_name="taches",
    row_url=lambda p, t: reverse("planning:task_detail", args=[p.code, t.pk]),
    row_class=lambda t: "row-critical" if t.is_critical else "",
    decorate=_with_urls,
    columns=[
        Col("code", gettext_lazy("Code"), lambda t: t.code, "code", html=_code),
        Col("lot", gettext_lazy("Lot"), lambda t: t.lot.code, "lot__code"),
        Col("name", gettext_lazy("Name"), lambda t: t.name, "name", html=_name),
        Col("kind", gettext_lazy("Kind"), lambda t: t.get_kind_display(), "kind", visible=False),
        Col("duration", gettext_lazy("Duration (d)"), lambda t: t.duration, "duration", num=True),
        Col(
            "effort",
            gettext_lazy("Effort (p-d)"),
            lambda t: t.effort,
            "effort",
            num=True,
            html=lambda t: days(t.effort),
        ),
        Col("start", gettext_lazy("Start"), lambda t: t.early_start, "early_start"),
        Col("finish", gettext_lazy("Finish"), lambda t: t.early_finish, "early_finish"),
        Col("float", gettext_lazy("Float (d)"), lambda t: t.total_float, "total_float", num=True),
        Col("spent", gettext_lazy("Spent (p-d)"), lambda t: t.spent, "spent", num=True, html=lambda t: days(t.spent)),
        Col("raf", gettext_lazy("Remaining (p-d)"), lambda t: t.raf, "raf", num=True, html=lambda t: days(t.raf)),
        Col("baseline", gettext_lazy("Baseline finish"), lambda t: getattr(t, "baseline_finish", None), None),
    ],
    default_sort="start",
    search=["code", "name", "lot__name"],
    search_hint=gettext_lazy("Code, name, lot"),
    filters=[
        Filter("lot", gettext_lazy("Lot"), "lot_id", _lots),
        Filter("kind", gettext_lazy("Kind"), "kind", choices_of(TaskKind)),
        Filter(
            "critical",
            gettext_lazy("Critical path"),
            "is_critical",
            _critical_choices,
            apply=lambda queryset, _value: queryset.filter(is_critical=True),
        ),
    ],
    actions=[
        BulkAction(
            "lot",
            gettext_lazy("Move to a lot"),
            frozenset({PLANNING_EDIT}),
            lambda actor, t, v, values: services.task_update(
                actor=actor, task=t, expected_version=v, lot=values["lot"]
            ),
            params=[Param("lot", gettext_lazy("Lot"), _lots)],
            prepare=_lot_of,
            batch=_batched,
        ),
        BulkAction(
            "assign",
            gettext_lazy("Put a resource on the tasks"),
            frozenset({PLANNING_MANAGE_RESOURCES}),
            lambda actor, t, _v, values: services.assignment_add(actor=actor, task=t, resource=values["resource"]),
            params=[Param("resource", gettext_lazy("Resource"), _resources)],
            prepare=_resource_of,
            batch=_batched,
        ),
        BulkAction(
            "delete",
            gettext_lazy("Delete"),
            frozenset({PLANNING_EDIT}),
            lambda actor, t, _v, _values: services.task_delete(actor=actor, task=t),
            danger=True,
            batch=_batched,
        ),
    ],
)
