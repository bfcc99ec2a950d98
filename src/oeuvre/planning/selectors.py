"""Every read the planning pages, the API and the CLI make, with joins fetched up front."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from html import escape  # Django's escape() marks safe and checks laziness per call: 10,000 calls add up
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.core.models import Job
from oeuvre.planning.models import (
    Assignment,
    Baseline,
    BaselineTask,
    Dependency,
    Lot,
    Plan,
    RafEstimate,
    Resource,
    Task,
    TaskKind,
    TimeEntry,
)
from oeuvre.planning.scheduling import project_calendar, public_holidays, status_date_of, warning_text
from oeuvre.projects.models import Project

__all__ = [
    "baselines_of",
    "contractual_milestones",
    "gantt_data",
    "latest_job",
    "lots_of",
    "plan_of",
    "raf_rows",
    "resources_of",
    "schedule_summary",
    "task_of",
    "tasks_hanging_on",
    "tasks_of",
    "time_entries_of",
    "timesheet_week",
]

_ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))


def plan_of(project: Project) -> Plan:
    """The project's plan, or an unsaved default one before the first plan write."""
    plan = Plan.objects.filter(project=project).select_related("baseline").first()
    return plan if plan is not None else Plan(project=project)


def lots_of(project: Project) -> QuerySet[Lot]:
    return (
        Lot.objects.filter(project=project)
        .select_related("parent")
        .annotate(task_count=Count("tasks"))
        .order_by("position", "code")
    )


def tasks_of(project: Project, plan: Plan | None = None) -> QuerySet[Task]:
    """Tasks with their lot, consommé, latest RAF and reference-baseline dates (for the task table)."""
    plan = plan if plan is not None else plan_of(project)
    spent = TimeEntry.objects.filter(task=OuterRef("pk")).values("task").annotate(total=Sum("effort")).values("total")
    latest_raf = RafEstimate.objects.filter(task=OuterRef("pk")).order_by("-date", "-pk")
    qs = (
        Task.objects.filter(project=project)
        .select_related("lot")
        .annotate(
            spent=Coalesce(Subquery(spent), _ZERO),
            raf=Subquery(latest_raf.values("raf")[:1]),
            raf_id=Subquery(latest_raf.values("pk")[:1]),
        )
    )
    if plan.baseline_id is not None:
        reference = BaselineTask.objects.filter(baseline_id=plan.baseline_id, task=OuterRef("pk"))
        qs = qs.annotate(
            baseline_start=Subquery(reference.values("start")[:1]),
            baseline_finish=Subquery(reference.values("finish")[:1]),
        )
    return qs


def task_of(project: Project, task_id: int) -> Task:
    return get_object_or_404(Task.objects.select_related("lot", "project"), project=project, pk=task_id)


def task_ids_by_code(project: Project) -> dict[str, int]:
    """The primary key of each task of the project's plan, by its code (for edges and stages that name tasks)."""
    return dict(Task.objects.filter(project=project).values_list("code", "pk"))


def tasks_hanging_on(query: Any) -> list[Any]:
    """The requirements stage's impact provider: tasks that implement the given specifications or
    components (two queries, whatever the number of ids)."""
    from django.urls import reverse

    from oeuvre.requirements.traces import HangingItem

    via: dict[int, set[str]] = defaultdict(set)
    through_spec = Task.specifications.through.objects.filter(
        task__project=query.project, specification_id__in=query.specification_ids
    ).values_list("task_id", "specification__reference")
    through_component = Task.components.through.objects.filter(
        task__project=query.project, component_id__in=query.component_ids
    ).values_list("task_id", "component__reference")
    for task_id, reference in [*through_spec, *through_component]:
        via[task_id].add(reference)
    items = []
    for task in Task.objects.filter(pk__in=via).only(
        "pk", "code", "name", "actual_start", "actual_finish", "early_finish", "project_id"
    ):
        if task.actual_finish:
            status = str(_("finished"))
        elif task.actual_start:
            status = str(_("in progress"))
        else:
            status = (
                str(_("planned to finish on %(date)s") % {"date": task.early_finish.strftime("%d/%m/%Y")})
                if task.early_finish
                else ""
            )
        items.append(
            HangingItem(
                group="tasks",
                reference=task.code,
                title=task.name,
                via=tuple(sorted(via[task.pk])),
                url=reverse("planning:task_detail", args=[query.project.code, task.pk]),
                status=status,
            )
        )
    return items


def task_links(task: Task) -> tuple[QuerySet[Dependency], QuerySet[Dependency]]:
    predecessors = task.predecessor_links.select_related("predecessor").order_by("predecessor__code")
    successors = task.successor_links.select_related("successor").order_by("successor__code")
    return predecessors, successors


def task_assignments(task: Task) -> QuerySet[Assignment]:
    return task.assignments.select_related("resource").order_by("resource__name")


def resources_of(project: Project) -> QuerySet[Resource]:
    spent = (
        TimeEntry.objects.filter(resource=OuterRef("pk"))
        .values("resource")
        .annotate(total=Sum("effort"))
        .values("total")
    )
    return (
        Resource.objects.filter(project=project)
        .select_related("user")
        .annotate(task_count=Count("assignments", distinct=True), spent=Coalesce(Subquery(spent), _ZERO))
        .order_by("name")
    )


def baselines_of(project: Project) -> QuerySet[Baseline]:
    return Baseline.objects.filter(project=project).select_related("created_by").annotate(task_count=Count("tasks"))


def time_entries_of(project: Project) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(project=project).select_related("resource", "task")


def latest_job(project: Project, kind: str, *, done: bool = False) -> Job | None:
    qs = Job.objects.filter(project=project, kind=kind)
    if done:
        qs = qs.filter(status=Job.Status.DONE)
    return qs.order_by("-created_at").first()


def schedule_summary(project: Project, plan: Plan | None = None) -> dict[str, Any]:
    """Finish, slippage against the reference baseline, critical path and warnings (for pages and the CLI)."""
    plan = plan if plan is not None else plan_of(project)
    tasks = {
        pk: (code, name, finish)
        for pk, code, name, finish in Task.objects.filter(project=project).values_list(
            "pk", "code", "name", "early_finish"
        )
    }
    baseline_finish = plan.baseline.finish if plan.baseline_id and plan.baseline else None
    slip_days = None
    slip_working_days = None
    if plan.finish and baseline_finish:
        slip_days = (plan.finish - baseline_finish).days
        calendar = project_calendar(project, origin=min(plan.finish, baseline_finish))
        a, b = calendar.to_index([baseline_finish + dt.timedelta(days=1), plan.finish + dt.timedelta(days=1)])
        slip_working_days = int(b - a)
    contractual = project.delivery_date
    return {
        "finish": plan.finish,
        "status_date": status_date_of(plan if plan.pk else None),
        "baseline": plan.baseline,
        "baseline_finish": baseline_finish,
        "slip_days": slip_days,
        "slip_working_days": slip_working_days,
        "delivery_date": contractual,
        "late_vs_contract": (plan.finish - contractual).days if plan.finish and contractual else None,
        "critical_path": [
            {"id": pk, "code": tasks[pk][0], "name": tasks[pk][1], "finish": tasks[pk][2]}
            for pk in plan.critical_path
            if pk in tasks
        ],
        "warnings": [warning_text(w) for w in plan.schedule_warnings],
        "up_to_date": plan.pk is None or plan.up_to_date,
        "task_count": len(tasks),
        "scheduled_at": plan.scheduled_at,
        "milestones": contractual_milestones(project, plan),
    }


def contractual_milestones(project: Project, plan: Plan | None = None) -> list[dict[str, Any]]:
    """Contractual milestones with their forecast, baseline and contractual (deadline) dates."""
    plan = plan if plan is not None else plan_of(project)
    baseline: dict[int, dt.date | None] = {}
    if plan.baseline_id is not None:
        baseline = dict(BaselineTask.objects.filter(baseline_id=plan.baseline_id).values_list("task_id", "finish"))
    out = []
    for task in Task.objects.filter(project=project, kind=TaskKind.MILESTONE, milestone_type="contractual").order_by(
        "early_finish", "code"
    ):
        forecast = task.actual_finish or task.early_finish
        deadline = task.constraint_date if task.constraint_type == "FNLT" else None
        reference = baseline.get(task.pk)
        out.append(
            {
                "id": task.pk,
                "code": task.code,
                "name": task.name,
                "forecast": forecast,
                "reached": task.actual_finish is not None,
                "baseline": reference,
                "deadline": deadline,
                "late_days": (forecast - deadline).days if forecast and deadline else None,
                "slip_days": (forecast - reference).days if forecast and reference else None,
            }
        )
    return out


def gantt_data(
    project: Project, plan: Plan | None = None, *, lot: int | None = None, critical: bool = False, query: str = ""
) -> dict[str, Any]:
    """What frappe-gantt draws: lots as read-only summary bars, tasks and milestones with their
    dependencies, critical flag, float, progress and reference-baseline dates."""
    plan = plan if plan is not None else plan_of(project)
    qs = Task.objects.filter(project=project)
    if lot is not None:
        qs = qs.filter(Q(lot_id=lot) | Q(lot__parent_id=lot))
    if critical:
        qs = qs.filter(is_critical=True)
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(name__icontains=query))
    rows = list(
        qs.order_by("lot__position", "lot__code", "position", "code", "pk").values_list(
            "pk",
            "code",
            "name",
            "lot_id",
            "kind",
            "milestone_type",
            "early_start",
            "early_finish",
            "late_finish",
            "total_float",
            "is_critical",
            "duration",
            "actual_start",
            "actual_finish",
            "constraint_type",
            "constraint_date",
            "version",
        )
    )
    shown = {r[0] for r in rows}
    filtered = lot is not None or critical or bool(query)
    # Filtered views restrict the other queries by subquery (not by a list of thousands of ids).
    links = Dependency.objects.filter(project=project)
    if filtered:
        links = links.filter(successor__in=qs.values("pk"))
    preds: dict[int, list[int]] = defaultdict(list)
    link_rows: list[dict[str, Any]] = []
    for link_id, pred, succ, ltype, lag in links.values_list("pk", "predecessor_id", "successor_id", "type", "lag"):
        if succ in shown and pred in shown:
            preds[succ].append(pred)
            link_rows.append({"id": link_id, "from": str(pred), "to": str(succ), "type": ltype, "lag": lag})
    codes = {r[0]: r[1] for r in rows}
    pred_text: dict[int, list[str]] = defaultdict(list)
    for link in link_rows:
        label = codes[int(link["from"])] + ("" if link["type"] == "FS" else link["type"])
        label += f"{link['lag']:+d}" if link["lag"] else ""
        pred_text[int(link["to"])].append(label)
    people: dict[int, list[str]] = defaultdict(list)
    assigned = Assignment.objects.filter(task__project=project)
    if filtered:
        assigned = assigned.filter(task__in=qs.values("pk"))
    for task_id, person in assigned.order_by("resource__name").values_list("task_id", "resource__name"):
        people[task_id].append(person)
    baseline: dict[int, tuple[dt.date | None, dt.date | None]] = {}
    if plan.baseline_id is not None:
        base_rows = BaselineTask.objects.filter(baseline_id=plan.baseline_id, task__isnull=False)
        if filtered:
            base_rows = base_rows.filter(task__in=qs.values("pk"))
        baseline = {t: (s, f) for t, s, f in base_rows.values_list("task_id", "start", "finish")}
    from oeuvre.planning.costing import task_figures

    figures = task_figures(project, status_date_of(plan if plan.pk else None), plan if plan.pk else None)
    progress = {pk: float(figures.progress[i]) for i, pk in enumerate(figures.ids)}
    lots = {
        pk: (code, name) for pk, code, name in Lot.objects.filter(project=project).values_list("pk", "code", "name")
    }
    lot_tree = _lot_outline(project)
    numbering: dict[int, int] = defaultdict(int)
    items: list[dict[str, Any]] = []
    current_lot = None
    lot_rows: dict[int, dict[str, Any]] = {}
    for r in rows:
        (
            pk,
            code,
            name,
            lot_id,
            kind,
            mtype,
            start,
            finish,
            late_finish,
            tfloat,
            crit,
            duration,
            a_start,
            a_finish,
            ctype,
            cdate,
            version,
        ) = r
        if start is None or finish is None:
            continue
        if lot_id != current_lot:
            current_lot = lot_id
            lot_row: dict[str, Any] = {
                "id": f"lot-{lot_id}",
                "name": escape(f"{lots[lot_id][0]} — {lots[lot_id][1]}"),
                "invalid": True,
                "start": start.isoformat(),
                "end": finish.isoformat(),
                "progress": 0,
                "dependencies": "",
                "custom_class": "bar-lot",
                "kind": "lot",
                "label": f"{lots[lot_id][0]} — {lots[lot_id][1]}",
                "wbs": lot_tree[lot_id][0],
                "parent": f"lot-{lot_tree[lot_id][1]}" if lot_tree[lot_id][1] else None,
                "depth": lot_tree[lot_id][2],
            }
            lot_rows[lot_id] = lot_row
            items.append(lot_row)
        lot_row = lot_rows[lot_id]
        lot_row["start"] = min(lot_row["start"], start.isoformat())
        lot_row["end"] = max(lot_row["end"], finish.isoformat())
        # frappe-gantt takes one class per bar, so each combination has its own name.
        if a_finish:
            css = "bar-done"
        elif kind == TaskKind.MILESTONE:
            css = "bar-ms" + ("-contract" if mtype == "contractual" else "") + ("-critical" if crit else "")
        else:
            css = "bar-critical" if crit else "bar-task"
        b_start, b_finish = baseline.get(pk, (None, None))
        numbering[lot_id] += 1
        items.append(
            {
                "id": str(pk),
                # frappe-gantt writes names with innerHTML: they travel escaped.
                "name": escape(f"{code} {name}"),
                "code": escape(code),
                "start": start.isoformat(),
                "end": finish.isoformat(),
                "progress": round(100 * progress.get(pk, 0.0)),
                "dependencies": ", ".join(str(p) for p in preds.get(pk, [])),
                "custom_class": css,
                "kind": kind,
                "critical": bool(crit),
                "total_float": tfloat,
                "late_finish": late_finish.isoformat() if late_finish else None,
                "duration": duration,
                "started": a_start is not None,
                "finished": a_finish is not None,
                "constraint": ctype if ctype != "ASAP" else "",
                "constraint_date": cdate.isoformat() if cdate else None,
                "baseline_start": b_start.isoformat() if b_start else None,
                "baseline_end": b_finish.isoformat() if b_finish else None,
                "version": version,
                "label": name,
                "ref": code,
                "parent": f"lot-{lot_id}",
                "wbs": f"{lot_tree[lot_id][0]}.{numbering[lot_id]}",
                "predecessors": "; ".join(pred_text.get(pk, [])),
                "resources": ", ".join(people.get(pk, [])),
            }
        )
    return {
        "tasks": items,
        "links": link_rows,
        "finish": plan.finish.isoformat() if plan.finish else None,
        "status_date": status_date_of(plan if plan.pk else None).isoformat(),
        "delivery_date": project.delivery_date.isoformat() if project.delivery_date else None,
        "revision": plan.revision,
    }


def _lot_outline(project: Project) -> dict[int, tuple[str, int | None, int]]:
    """Each lot's WBS number (1, 1.2…), parent and depth, in the order of the lots' positions."""
    lots = list(Lot.objects.filter(project=project).order_by("position", "code", "pk").values_list("pk", "parent_id"))
    children: dict[int | None, list[int]] = defaultdict(list)
    known = {pk for pk, _parent in lots}
    for pk, parent in lots:
        children[parent if parent in known else None].append(pk)
    outline: dict[int, tuple[str, int | None, int]] = {}

    def walk(parent: int | None, prefix: str, depth: int) -> None:
        for k, pk in enumerate(children.get(parent, []), start=1):
            number = f"{prefix}{k}"
            outline[pk] = (number, parent, depth)
            walk(pk, number + ".", depth + 1)

    walk(None, "", 0)
    for pk, _parent in lots:  # a loop of parents (never made by the forms) still gets a number
        outline.setdefault(pk, (str(pk), None, 0))
    return outline


def raf_rows(project: Project) -> list[dict[str, Any]]:
    """Tasks not finished, with consommé, latest RAF and landing, for the re-estimation page."""
    rows = []
    task: Any
    for task in tasks_of(project).filter(kind=TaskKind.TASK).order_by("lot__position", "position", "code"):
        raf = task.raf if task.raf is not None else max(task.effort - task.spent, Decimal(0))
        rows.append(
            {
                "task": task,
                "key": f"raf-{task.pk}",
                "spent": task.spent,
                "raf": raf,
                "estimated": task.raf is not None,
                "latest_id": task.raf_id or 0,
                "landing": task.spent + raf,
                "gap": task.spent + raf - task.effort,
            }
        )
    return rows


def timesheet_week(resource: Resource, monday: dt.date) -> dict[str, Any]:
    """One person's week: a row per task (assigned, or with time this week), a cell per day, totals,
    and what makes a day unavailable (weekend, public holiday, closure, absence, closed period)."""
    project = resource.project
    plan = plan_of(project)
    days = [monday + dt.timedelta(days=k) for k in range(7)]
    entries = {
        (e.task_id, e.date): e
        for e in TimeEntry.objects.filter(resource=resource, date__gte=days[0], date__lte=days[-1])
    }
    assigned = set(resource.assignments.values_list("task_id", flat=True))
    task_ids = assigned | {task_id for task_id, _d in entries}
    tasks = list(
        Task.objects.filter(pk__in=task_ids, kind=TaskKind.TASK)
        .select_related("lot")
        .order_by("lot__position", "position", "code")
    )
    holidays = public_holidays(project, sorted({d.year for d in days}))
    closures = list(project.closures.all())
    absences = list(resource.absences.all())
    working = set(resource.working_days if resource.working_days is not None else project.working_days)
    closed_until = plan.timesheet_closed_until
    columns = []
    for day in days:
        reason = ""
        if day.weekday() not in working:
            reason = "weekend"
        elif day in holidays:
            reason = "holiday"
        elif any(c.start <= day <= c.end for c in closures):
            reason = "closure"
        elif any(a.start <= day <= a.end for a in absences):
            reason = "absence"
        columns.append(
            {
                "date": day,
                "off": reason,
                "closed": closed_until is not None and day <= closed_until,
                "future": day > timezone.localdate(),
            }
        )
    rows = []
    day_totals = [Decimal(0)] * 7
    for task in tasks:
        cells = []
        total = Decimal(0)
        for k, day in enumerate(days):
            entry = entries.get((task.pk, day))
            value = entry.effort if entry else None
            if value:
                total += value
                day_totals[k] += value
            cells.append(
                {"date": day, "value": value, "name": f"cell-{task.pk}-{day.isoformat()}", "column": columns[k]}
            )
        rows.append({"task": task, "cells": cells, "total": total, "assigned": task.pk in assigned})
    capacity = resource.capacity
    for k, column in enumerate(columns):
        column["total"] = day_totals[k]
        column["over"] = day_totals[k] > capacity
    return {
        "resource": resource,
        "monday": monday,
        "days": columns,
        "rows": rows,
        "week_total": sum(day_totals, Decimal(0)),
        "capacity": capacity,
    }
