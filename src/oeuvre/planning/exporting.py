"""Export the plan: MS Project XML, the plan workbook (Excel) and the project's iCalendar feed (milestones and the
other stages' registered events, e.g. committees)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.interop.ics import MilestoneEvent, milestones_ics
from oeuvre.interop.mspdi import write_mspdi
from oeuvre.interop.plan_xlsx import write_plan_xlsx
from oeuvre.interop.plandata import AssignmentData, CalendarData, LinkData, PlanData, ResourceData, TaskData
from oeuvre.planning.calendar import calendar_events
from oeuvre.planning.costing import task_figures
from oeuvre.planning.models import (
    Absence,
    Assignment,
    BaselineTask,
    Dependency,
    Lot,
    MilestoneType,
    Plan,
    Resource,
    ResourceKind,
    Task,
    TaskKind,
)
from oeuvre.planning.scheduling import public_holidays, status_date_of
from oeuvre.projects.models import Project

__all__ = [
    "export_ics",
    "export_mspdi",
    "export_xlsx",
    "plan_data",
    "resource_labels",
    "task_labels",
    "type_labels",
]


def task_labels() -> dict[str, str]:
    return {
        "code": _("Code"),
        "type": _("Type"),
        "level": _("Level"),
        "name": _("Name"),
        "duration": _("Duration (working days)"),
        "effort": _("Effort (person-days)"),
        "start": _("Start"),
        "finish": _("Finish"),
        "late_start": _("Late start"),
        "late_finish": _("Late finish"),
        "total_float": _("Total float (days)"),
        "critical": _("Critical"),
        "predecessors": _("Predecessors"),
        "resources": _("Resources"),
        "constraint": _("Constraint"),
        "constraint_date": _("Constraint date"),
        "contractual": _("Contractual"),
        "optimistic": _("Optimistic duration"),
        "pessimistic": _("Pessimistic duration"),
        "progress": _("Progress (%)"),
        "baseline_start": _("Baseline start"),
        "baseline_finish": _("Baseline finish"),
        "cost": _("Planned cost (€)"),
        "sold_effort": _("Sold effort (person-days)"),
        "sold_amount": _("Sold amount (€)"),
    }


def resource_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "kind": _("Kind"),
        "day_rate": _("Day rate (€)"),
        "capacity": _("Capacity"),
        "email": _("E-mail"),
    }


def type_labels() -> dict[str, str]:
    return {
        "lot": _("Lot"),
        "task": _("Task"),
        "milestone": _("Milestone"),
        "person": _("Person"),
        "profile": _("Profile"),
    }


def plan_data(project: Project, *, with_costs: bool = True) -> PlanData:
    """The plan as exchange data: lots as summary tasks, then their tasks, in WBS order."""
    plan = Plan.objects.filter(project=project).first()
    status = status_date_of(plan)
    lots = list(Lot.objects.filter(project=project).order_by("position", "code"))
    tasks = list(Task.objects.filter(project=project).order_by("position", "code", "pk"))
    children: dict[int | None, list[Lot]] = defaultdict(list)
    for lot in lots:
        children[lot.parent_id].append(lot)
    tasks_of: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        tasks_of[task.lot_id].append(task)
    baseline = {}
    if plan is not None and plan.baseline_id is not None:
        baseline = {row.task_id: row for row in BaselineTask.objects.filter(baseline_id=plan.baseline_id)}
    figures = task_figures(project, status, plan) if with_costs else None
    index = {pk: i for i, pk in enumerate(figures.ids)} if figures else {}
    data = PlanData(
        name=project.name,
        start=project.start_date,
        finish=plan.finish if plan else None,
        status_date=status,
        calendar_uid=1,
    )
    years = range((project.start_date or status).year, (plan.finish if plan and plan.finish else status).year + 2)
    exceptions = [(day, day, "") for day in sorted(public_holidays(project, list(years)))]
    exceptions += [(c.start, c.end, c.label) for c in project.closures.all()]
    data.calendars.append(
        CalendarData(
            uid=1,
            name=_("Project calendar"),
            working_days=tuple(project.working_days or (0, 1, 2, 3, 4)),
            exceptions=exceptions,
        )
    )
    uid_of_task: dict[int, int] = {}
    next_uid = 1

    def add_lot(lot: Lot, level: int, wbs: str) -> None:
        nonlocal next_uid
        summary_effort = sum(float(t.effort) for t in tasks_of.get(lot.pk, []))
        data.tasks.append(
            TaskData(
                uid=next_uid,
                name=lot.name,
                outline_level=level,
                wbs=lot.code,
                summary=True,
                work_days=summary_effort,
                budget_effort=float(lot.budget_effort),
                budget_amount=float(lot.budget_amount),
                notes=lot.description,
                start=min((t.early_start for t in tasks_of.get(lot.pk, []) if t.early_start), default=None),
                finish=max((t.early_finish for t in tasks_of.get(lot.pk, []) if t.early_finish), default=None),
            )
        )
        next_uid += 1
        for position, task in enumerate(tasks_of.get(lot.pk, []), start=1):
            uid_of_task[task.pk] = next_uid
            row = baseline.get(task.pk)
            i = index.get(task.pk)
            data.tasks.append(
                TaskData(
                    uid=next_uid,
                    name=task.name,
                    outline_level=level + 1,
                    wbs=f"{wbs}.{position}",
                    code=task.code,
                    milestone=task.kind == TaskKind.MILESTONE,
                    contractual=task.milestone_type == MilestoneType.CONTRACTUAL,
                    start=task.early_start,
                    finish=task.early_finish,
                    duration_days=float(task.duration),
                    work_days=float(task.effort),
                    constraint=task.constraint_type,
                    constraint_date=task.constraint_date,
                    percent_complete=round(100 * float(figures.progress[i]), 1) if figures and i is not None else 0.0,
                    actual_start=task.actual_start,
                    actual_finish=task.actual_finish,
                    notes=task.description,
                    optimistic_days=float(task.optimistic_duration) if task.optimistic_duration is not None else None,
                    pessimistic_days=float(task.pessimistic_duration)
                    if task.pessimistic_duration is not None
                    else None,
                    baseline_start=row.start if row else None,
                    baseline_finish=row.finish if row else None,
                    baseline_duration_days=float(row.duration) if row else None,
                    baseline_work_days=float(row.effort) if row else None,
                    baseline_cost=float(row.cost) if row else None,
                    cost=round(float(figures.cost[i]), 2) if figures and i is not None else None,
                    early_start=task.early_start,
                    early_finish=task.early_finish,
                    late_start=task.late_start,
                    late_finish=task.late_finish,
                    total_float_days=float(task.total_float) if task.total_float is not None else None,
                    critical=task.is_critical,
                )
            )
            next_uid += 1
        for child in children.get(lot.pk, []):
            add_lot(child, level + 1, f"{wbs}.{child.code}")

    for lot in children.get(None, []):
        add_lot(lot, 1, lot.code)
    for pred, succ, kind, lag, calendar_days in Dependency.objects.filter(project=project).values_list(
        "predecessor_id", "successor_id", "type", "lag", "lag_calendar_days"
    ):
        data.links.append(LinkData(uid_of_task[pred], uid_of_task[succ], kind, float(lag), calendar_days))
    resources = list(Resource.objects.filter(project=project).select_related("user").order_by("name"))
    absences: dict[int, list[Absence]] = defaultdict(list)
    for absence in Absence.objects.filter(resource__project=project):
        absences[absence.resource_id].append(absence)
    for k, resource in enumerate(resources, start=1):
        calendar_uid = None
        if resource.working_days is not None or absences.get(resource.pk):
            calendar_uid = 100 + k
            data.calendars.append(
                CalendarData(
                    uid=calendar_uid,
                    name=resource.name,
                    base_uid=1,
                    working_days=tuple(
                        resource.working_days if resource.working_days is not None else project.working_days
                    ),
                    exceptions=[(a.start, a.end, a.label) for a in absences.get(resource.pk, [])],
                )
            )
        data.resources.append(
            ResourceData(
                uid=k,
                name=resource.name,
                email=resource.user.email if resource.user else "",
                max_units=float(resource.capacity),
                day_rate=float(resource.tjm),
                calendar_uid=calendar_uid,
                generic=resource.kind == ResourceKind.PROFILE,
            )
        )
    resource_uid = {r.pk: k for k, r in enumerate(resources, start=1)}
    shares = figures.shares if figures else {}
    for task_id, resource_id, units in Assignment.objects.filter(task__project=project).values_list(
        "task_id", "resource_id", "units"
    ):
        share = next((s for r, s in shares.get(task_id, []) if r == resource_id), 0.0)
        data.assignments.append(
            AssignmentData(uid_of_task[task_id], resource_uid[resource_id], float(units), float(share))
        )
    return data


def export_mspdi(project: Project) -> bytes:
    return write_mspdi(plan_data(project))


def export_xlsx(project: Project, *, with_costs: bool = True) -> bytes:
    data = plan_data(project, with_costs=with_costs)
    if not with_costs:
        for task in data.tasks:
            task.cost = None
            task.baseline_cost = None
            task.budget_amount = None
        for resource in data.resources:
            resource.day_rate = 0.0
    return write_plan_xlsx(
        data,
        task_labels=task_labels(),
        resource_labels=resource_labels(),
        type_labels=type_labels(),
        sheet_names=(_("Plan"), _("Resources")),
    )


def milestone_events(project: Project) -> list[MilestoneEvent]:
    plan = Plan.objects.filter(project=project).first()
    baseline: dict[int, Any] = {}
    if plan is not None and plan.baseline_id is not None:
        baseline = dict(BaselineTask.objects.filter(baseline_id=plan.baseline_id).values_list("task_id", "finish"))
    events = []
    for task in (
        Task.objects.filter(project=project, kind=TaskKind.MILESTONE)
        .select_related("lot")
        .order_by("early_finish", "code")
    ):
        day = task.actual_finish or task.early_finish
        if day is None:
            continue
        kind = (
            _("Contractual milestone") if task.milestone_type == MilestoneType.CONTRACTUAL else _("Internal milestone")
        )
        lines = [f"{kind} — {task.lot.code} {task.lot.name}"]
        reference = baseline.get(task.pk)
        if reference is not None and reference != day:
            delta = (day - reference).days
            lines.append(
                _("Baseline: %(date)s (%(delta)+d days)") % {"date": reference.strftime("%d/%m/%Y"), "delta": delta}
            )
        if task.actual_finish:
            lines.append(_("Reached on %(date)s") % {"date": task.actual_finish.strftime("%d/%m/%Y")})
        events.append(
            MilestoneEvent(
                uid=f"task-{task.pk}@{project.code}.oeuvre",
                title=f"{project.code} · {task.code} {task.name}",
                day=day,
                description="\n".join(lines),
                categories=(kind, project.code),
            )
        )
    return events


def export_ics(project: Project, *, user: Any = None, stamp: dt.datetime | None = None) -> bytes:
    """The project's calendar: milestones and the registered stages' events ``user`` may see."""
    return milestones_ics(
        _("Milestones — %(project)s") % {"project": project.name},
        calendar_events(project, user),
        stamp=stamp or timezone.now(),
    )
