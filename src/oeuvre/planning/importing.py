"""Import a plan file (MS Project XML, ``.mpp`` through MPXJ, or the plan workbook) into a project.

All or nothing, in one transaction; rows are created in bulk with their history records. The outline
becomes the WBS: summary tasks are lots (nested as in the file), the other tasks and the milestones
go in the lot of their nearest summary. What the file holds and Œuvre does not model is reported,
never silently dropped: constraints other than start-no-earlier / finish-no-later / must-start-on,
links to summary tasks, material resources.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import PROJECT_EDIT, can, require
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.files import store_private
from oeuvre.core.jobs import job_enqueue
from oeuvre.core.models import Job
from oeuvre.core.services import model_update
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.mpp import MPXJ_SUFFIXES, MppUnavailable, read_mpp
from oeuvre.interop.mspdi import MAX_BYTES as MSPDI_MAX_BYTES
from oeuvre.interop.mspdi import read_mspdi
from oeuvre.interop.plan_xlsx import read_plan_xlsx
from oeuvre.interop.plandata import PlanData
from oeuvre.interop.safety import DEFAULT_LIMITS
from oeuvre.planning.files import file_error_message, mpp_unavailable_message
from oeuvre.planning.models import (
    Absence,
    Assignment,
    Baseline,
    BaselineTask,
    ConstraintType,
    Dependency,
    Lot,
    MilestoneType,
    Plan,
    Resource,
    ResourceKind,
    Task,
    TaskKind,
    TimeEntry,
)
from oeuvre.planning.permissions import PLANNING_EDIT, PLANNING_MANAGE_RESOURCES
from oeuvre.planning.scheduling import public_holidays
from oeuvre.projects.models import Closure, Project

__all__ = [
    "IMPORT_JOB",
    "PLAN_UPLOADS",
    "import_plan_file",
    "import_summary",
    "plan_import",
    "plan_import_enqueue",
    "read_plan_file",
    "xlsx_aliases",
]

_CONSTRAINTS = {
    "ASAP": ConstraintType.ASAP,
    "ALAP": ConstraintType.ASAP,
    "SNET": ConstraintType.SNET,
    "FNLT": ConstraintType.FNLT,
    "MSO": ConstraintType.MSO,
    "MFO": ConstraintType.FNLT,
}


def xlsx_aliases() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """Headers and type words of the plan workbook, in every language, for the reader."""
    from django.utils import translation

    from oeuvre.planning.exporting import resource_labels, task_labels, type_labels

    tasks: dict[str, list[str]] = {}
    resources: dict[str, list[str]] = {}
    types: dict[str, list[str]] = {}
    for language in ("fr", "en"):
        with translation.override(language):
            for key, label in task_labels().items():
                tasks.setdefault(key, []).append(label)
            for key, label in resource_labels().items():
                resources.setdefault(key, []).append(label)
            for key, label in type_labels().items():
                types.setdefault(key, []).append(label)
    return tasks, resources, types


def _base_name(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def plan_file_suffix(filename: str) -> str:
    """The suffix that picks the reader (``.xml``, ``.xlsx`` or one MPXJ reads); FileFormatError for any other name,
    an empty one included. Only the last part of a path-like name counts (``../plan.xml`` is ``plan.xml``)."""
    name = _base_name(filename)
    suffix = Path(name).suffix.lower() if name not in ("", ".", "..") else ""
    if suffix in {".xml", ".xlsx"} or suffix in MPXJ_SUFFIXES:
        return suffix
    raise FileFormatError(
        f"unknown file type {suffix or '?'}", code="unsupported", params={"suffix": suffix or "?"}, source=name
    )


def plan_file_limit(suffix: str) -> int:
    """The largest plan file read, by its suffix. MS Project XML may reach 200 MiB (it repeats every assignment's
    time-phased data; its reader streams it); a workbook, an .mpp and every other format stop at interop's common
    limit of 50 MiB, as every other upload does."""
    return MSPDI_MAX_BYTES if suffix == ".xml" else DEFAULT_LIMITS.max_bytes


def plan_file_refusal(filename: str, size: int) -> str | None:
    """Why a plan file of that name and size is refused before anything is written, or None: the page checks it
    before reading the upload, the service again before keeping it."""
    try:
        suffix = plan_file_suffix(filename)
    except FileFormatError as exc:
        return file_error_message(exc)
    limit = plan_file_limit(suffix)
    if size > limit:
        return _("The file « %(name)s » is larger than %(mib)s MiB.") % {
            "name": _base_name(filename),
            "mib": limit // (1024 * 1024),
        }
    return None


def read_plan_file(filename: str, data: bytes) -> PlanData:
    """Read a plan file by its suffix; raises FileFormatError or MppUnavailable."""
    suffix = plan_file_suffix(filename)
    if suffix == ".xml":
        return read_mspdi(data, source=filename)
    if suffix == ".xlsx":
        tasks, resources, types = xlsx_aliases()
        return read_plan_xlsx(data, task_aliases=tasks, resource_aliases=resources, type_aliases=types, source=filename)
    if suffix in MPXJ_SUFFIXES:
        with tempfile.TemporaryDirectory(prefix="oeuvre-import-") as work:
            path = Path(work) / f"plan{suffix}"
            path.write_bytes(data)
            return read_mpp(path)
    raise AssertionError(suffix)  # plan_file_suffix returns only the suffixes above


PLAN_UPLOADS = "plan-imports"  # private-files area of the files waiting for their import job
IMPORT_JOB = "planning.import"


def plan_import_enqueue(
    *, actor: User, project: Project, filename: str, data: bytes, replace: bool = False, queue: bool = True
) -> Job:
    """Keep an uploaded plan file under a generated name and queue its import: the page, the API and the CLI.

    ``queue=False`` leaves the job for the caller to run (the CLI shows its own progress bar).
    """
    require(actor, project, PLANNING_EDIT)
    refusal = plan_file_refusal(filename, len(data))  # refused now, not by a job that fails later
    if refusal is not None:
        raise ValidationFailed({"file": [refusal]})
    if not data:
        raise ValidationFailed({"file": [_("The file is empty.")]})
    stored = store_private(PLAN_UPLOADS, data, plan_file_suffix(filename))
    name = _base_name(filename)
    params = {"project": project.pk, "actor": actor.pk, "filename": name[:255], "stored": stored,
              "replace": bool(replace)}  # fmt: skip
    return job_enqueue(kind=IMPORT_JOB, params=params, actor=actor, project=project, queue=queue)


def import_plan_file(
    *, actor: User, project: Project, filename: str, data: bytes, replace: bool = False, progress: Any = None
) -> dict[str, Any]:
    """Read and import a file; file errors become ValidationFailed naming the line/row and field."""
    require(actor, project, PLANNING_EDIT)
    if progress is not None:
        progress.start(7, _("reading the file"))
    try:
        data_plan = read_plan_file(filename, data)
    except FileFormatError as exc:
        raise ValidationFailed({"file": [file_error_message(exc)]}) from None
    except MppUnavailable as exc:
        raise ValidationFailed({"file": [mpp_unavailable_message(exc)]}) from None
    if progress is not None:
        progress.advance(1, _("%(n)s tasks read") % {"n": len(data_plan.tasks)})
    return plan_import(actor=actor, project=project, plan=data_plan, replace=replace, progress=progress)


@transaction.atomic
def plan_import(
    *, actor: User, project: Project, plan: PlanData, replace: bool = False, progress: Any = None
) -> dict[str, Any]:
    require(actor, project, PLANNING_EDIT)
    if plan.resources or plan.assignments:
        require(actor, project, PLANNING_MANAGE_RESOURCES)
    from oeuvre.planning.services import plan_changed, plan_locked

    plan_row = plan_locked(project)
    notes: list[str] = []
    if Task.objects.filter(project=project).exists():
        if not replace:
            raise DomainError(_("This project already has a plan: choose to replace it, or import into an empty plan."))
        if TimeEntry.objects.filter(project=project).exists():
            raise DomainError(_("Time was recorded on this plan: it cannot be replaced by an import."))
        model_update(instance=plan_row, fields={"baseline"}, data={"baseline": None}, actor=actor, reason="import")
        Dependency.objects.filter(project=project).delete()
        Assignment.objects.filter(task__project=project).delete()
        Baseline.objects.filter(project=project).delete()
        Task.objects.filter(project=project).delete()
        Lot.objects.filter(project=project, parent__isnull=False).delete()
        Lot.objects.filter(project=project).delete()
    _import_calendar(actor, project, plan, notes)
    _import_dates(actor, project, plan_row, plan, notes)

    # --- WBS: summary tasks become lots ---
    lots: list[Lot] = []
    lot_parent_uid: dict[int, int | None] = {}
    lot_of_uid: dict[int, int] = {}  # task uid -> index in lots
    stack: list[tuple[int, int]] = []  # (outline level, lot index)
    leaf_lot: dict[int, int | None] = {}
    default_lot_index: int | None = None
    used_codes: set[str] = set()
    for position, task in enumerate(plan.tasks):
        while stack and stack[-1][0] >= task.outline_level:
            stack.pop()
        if task.summary:
            code = _unique(task.wbs or f"L{len(lots) + 1}", used_codes, 40)
            lots.append(
                Lot(
                    project=project,
                    code=code,
                    name=task.name[:200],
                    description=task.notes,
                    position=position,
                    # The sold figures when the file carries them (an Œuvre export), else the summary's work.
                    budget_effort=Decimal(
                        str(round(task.budget_effort if task.budget_effort is not None else task.work_days, 2))
                    ),
                    budget_amount=Decimal(
                        str(round(task.budget_amount if task.budget_amount is not None else (task.cost or 0), 2))
                    ),
                )
            )
            index = len(lots) - 1
            lot_parent_uid[index] = stack[-1][1] if stack else None
            lot_of_uid[task.uid] = index
            stack.append((task.outline_level, index))
        else:
            if not stack:
                if default_lot_index is None:
                    lots.append(
                        Lot(project=project, code=_unique("L0", used_codes, 40), name=_("Imported plan"), position=0)
                    )
                    default_lot_index = len(lots) - 1
                    lot_parent_uid[default_lot_index] = None
                leaf_lot[task.uid] = default_lot_index
            else:
                leaf_lot[task.uid] = stack[-1][1]
    created_lots = bulk_create_with_history(lots, Lot, batch_size=500, default_user=actor)
    for index, parent in lot_parent_uid.items():
        if parent is not None:
            created_lots[index].parent_id = created_lots[parent].pk
    Lot.objects.bulk_update(
        [lot for i, lot in enumerate(created_lots) if lot_parent_uid.get(i) is not None], ["parent"]
    )
    if progress is not None:
        progress.advance(1, _("%(n)s lots") % {"n": len(created_lots)})

    # --- Tasks and milestones ---
    today = timezone.localdate()
    tasks: list[Task] = []
    uid_of_task: list[int] = []
    task_codes: set[str] = set(Task.objects.filter(project=project).values_list("code", flat=True))
    sequence = {"T": 0, "J": 0}
    for position, item in enumerate(plan.tasks):
        if item.summary:
            continue
        milestone = item.milestone or (item.duration_days == 0 and item.work_days == 0)
        prefix = "J" if milestone else "T"
        code = item.code.strip() if item.code.strip() and item.code.strip() not in task_codes else ""
        if not code:
            while True:
                sequence[prefix] += 1
                code = f"{prefix}-{sequence[prefix]:0{2 if milestone else 3}d}"
                if code not in task_codes:
                    break
        task_codes.add(code)
        constraint = _CONSTRAINTS.get(item.constraint)
        if constraint is None:
            notes.append(
                _("%(code)s: the constraint %(type)s is not supported; the task is scheduled as soon as possible.")
                % {"code": code, "type": item.constraint}
            )
            constraint = ConstraintType.ASAP
        constraint_date = item.constraint_date if constraint != ConstraintType.ASAP else None
        if constraint != ConstraintType.ASAP and constraint_date is None:
            constraint = ConstraintType.ASAP
        actual_start = item.actual_start if item.actual_start and item.actual_start <= today else None
        actual_finish = item.actual_finish if item.actual_finish and item.actual_finish <= today else None
        if actual_finish is None and item.percent_complete >= 100 and item.finish and item.finish <= today:
            actual_finish = item.finish
            actual_start = actual_start or item.start
        duration = 0 if milestone else max(1, math.ceil(item.duration_days - 1e-6))
        optimistic = (
            None if milestone or item.optimistic_days is None else min(duration, max(1, round(item.optimistic_days)))
        )
        pessimistic = (
            None if milestone or item.pessimistic_days is None else max(duration, round(item.pessimistic_days))
        )
        lot_index = leaf_lot[item.uid]
        assert lot_index is not None
        tasks.append(
            Task(
                project=project,
                lot_id=created_lots[lot_index].pk,
                code=code,
                name=item.name[:300],
                description=item.notes,
                position=position,
                kind=TaskKind.MILESTONE if milestone else TaskKind.TASK,
                milestone_type=(MilestoneType.CONTRACTUAL if item.contractual else MilestoneType.INTERNAL)
                if milestone
                else MilestoneType.NONE,
                duration=duration,
                effort=Decimal(0) if milestone else Decimal(str(round(item.work_days, 2))),
                optimistic_duration=optimistic,
                pessimistic_duration=pessimistic,
                constraint_type=constraint,
                constraint_date=constraint_date,
                actual_start=None if milestone else actual_start,
                actual_finish=actual_finish if (milestone or actual_start) else None,
                progress_override=(
                    Decimal(str(round(item.percent_complete, 2)))
                    if actual_start and not actual_finish and 0 < item.percent_complete < 100
                    else None
                ),
            )
        )
        uid_of_task.append(item.uid)
    created_tasks = bulk_create_with_history(tasks, Task, batch_size=500, default_user=actor)
    task_by_uid = dict(zip(uid_of_task, created_tasks, strict=True))
    if progress is not None:
        progress.advance(1, _("%(n)s tasks") % {"n": len(created_tasks)})

    # --- Dependencies ---
    links: list[Dependency] = []
    seen: set[tuple[int, int]] = set()
    skipped_summary = 0
    for link in plan.links:
        pred, succ = task_by_uid.get(link.pred_uid), task_by_uid.get(link.succ_uid)
        if pred is None or succ is None:
            skipped_summary += 1
            continue
        if (pred.pk, succ.pk) in seen or pred.pk == succ.pk:
            continue
        seen.add((pred.pk, succ.pk))
        links.append(
            Dependency(
                project=project,
                predecessor=pred,
                successor=succ,
                type=link.type,
                lag=round(link.lag_days),
                lag_calendar_days=link.lag_calendar,
            )
        )
    if skipped_summary:
        notes.append(
            _("%(n)s links to or from summary tasks were not imported (lots carry no links).") % {"n": skipped_summary}
        )
    bulk_create_with_history(links, Dependency, batch_size=1000, default_user=actor)
    if progress is not None:
        progress.advance(1, _("%(n)s links") % {"n": len(links)})

    # --- Resources and assignments ---
    existing = {r.name.lower(): r for r in Resource.objects.filter(project=project)}
    new_resources: list[Resource] = []
    resource_by_uid: dict[int, Resource] = {}
    for person in plan.resources:
        found = existing.get(person.name.lower())
        if found is None:
            found = Resource(
                project=project,
                name=person.name[:200],
                kind=ResourceKind.PROFILE if person.generic else ResourceKind.PERSON,
                tjm=Decimal(str(round(person.day_rate, 2))),
                capacity=Decimal(str(round(person.max_units, 2))),
            )
            new_resources.append(found)
            existing[person.name.lower()] = found
        resource_by_uid[person.uid] = found
    bulk_create_with_history(new_resources, Resource, batch_size=500, default_user=actor)
    _import_resource_calendars(actor, plan, resource_by_uid, new_resources)
    assignments: list[Assignment] = []
    pairs: set[tuple[int, int]] = set()
    for share in plan.assignments:
        target = task_by_uid.get(share.task_uid)
        resource = resource_by_uid.get(share.resource_uid)
        if target is None or resource is None or target.kind == TaskKind.MILESTONE or (target.pk, resource.pk) in pairs:
            continue
        pairs.add((target.pk, resource.pk))
        assignments.append(
            Assignment(
                task=target,
                resource=resource,
                units=Decimal(str(max(round(share.units, 2), 0.01))),
                effort=Decimal(str(round(share.work_days, 2))) if share.work_days > 0 else None,
            )
        )
    bulk_create_with_history(assignments, Assignment, batch_size=1000, default_user=actor)
    if progress is not None:
        progress.advance(1, _("%(n)s assignments") % {"n": len(assignments)})

    # --- Baseline from the file ---
    baseline = None
    with_baseline = [t for t in plan.tasks if not t.summary and (t.baseline_start or t.baseline_finish)]
    if with_baseline:
        baseline = Baseline.objects.create(
            project=project,
            name=_("Baseline imported from %(name)s") % {"name": plan.name or _("the file")},
            created_by=actor,
        )
        rows = []
        lot_codes = {lot.pk: lot.code for lot in created_lots}
        for item in with_baseline:
            task = task_by_uid[item.uid]
            duration = round(item.baseline_duration_days) if item.baseline_duration_days is not None else task.duration
            effort = Decimal(
                str(round(item.baseline_work_days if item.baseline_work_days is not None else item.work_days, 2))
            )
            rows.append(
                BaselineTask(
                    baseline=baseline,
                    task=task,
                    code=task.code,
                    name=task.name,
                    lot_code=lot_codes[task.lot_id],
                    is_milestone=task.kind == TaskKind.MILESTONE,
                    start=item.baseline_start or item.baseline_finish,
                    finish=item.baseline_finish or item.baseline_start,
                    duration=0 if task.kind == TaskKind.MILESTONE else max(duration, 0),
                    effort=effort,
                    cost=Decimal(str(round(item.baseline_cost or 0, 2))),
                )
            )
        BaselineTask.objects.bulk_create(rows, batch_size=1000)
        starts = [r.start for r in rows if r.start]
        finishes = [r.finish for r in rows if r.finish]
        baseline.start = min(starts) if starts else None
        baseline.finish = max(finishes) if finishes else None
        baseline.effort = sum((r.effort for r in rows), Decimal(0))
        baseline.cost = sum((r.cost for r in rows), Decimal(0))
        baseline.save()
        if baseline.cost == 0:
            from oeuvre.planning.services import planned_costs

            costs = planned_costs(project)
            for row in rows:
                if row.task_id in costs:
                    row.cost = costs[row.task_id][1]
            BaselineTask.objects.bulk_update(rows, ["cost"], batch_size=1000)
            baseline.cost = sum((r.cost for r in rows), Decimal(0))
            baseline.save()
        model_update(instance=plan_row, fields={"baseline"}, data={"baseline": baseline}, actor=actor, reason="import")
    if progress is not None:
        progress.advance(1, _("scheduling"))
    # The engine schedules the imported network now: a loop in the file is refused, with its tasks.
    plan_changed(project, actor, sync=True)
    if progress is not None:
        progress.advance(1, _("done"))
    # A milestone at the start sits at the end of the day before (it is reached before the first task begins).
    scheduled = Task.objects.filter(project=project, kind=TaskKind.TASK).aggregate(
        start=Min("early_start"), finish=Max("early_finish")
    )
    plan_row.refresh_from_db(fields=["status_date"])
    return {
        "start": scheduled["start"].isoformat() if scheduled["start"] else None,
        "finish": scheduled["finish"].isoformat() if scheduled["finish"] else None,
        "status_date": plan_row.status_date.isoformat() if plan_row.status_date else None,
        "lots": len(created_lots),
        "tasks": sum(1 for t in created_tasks if t.kind == TaskKind.TASK),
        "milestones": sum(1 for t in created_tasks if t.kind == TaskKind.MILESTONE),
        "dependencies": len(links),
        "resources": len(new_resources),
        "assignments": len(assignments),
        "baseline": baseline.pk if baseline else None,
        "notes": notes,
    }


def import_summary(result: dict[str, Any]) -> str:
    """What an import created, in the active language with its plurals: « 12 lots, 1 jalon, 0 lien… »."""

    def n(key: str) -> int:
        return int(result.get(key) or 0)

    def shown(key: str) -> dict[str, str]:
        return {"n": number_format(n(key), force_grouping=True)}

    # Each ngettext names its strings literally, so the translation catalogue finds them.
    parts = [
        ngettext("%(n)s lot", "%(n)s lots", n("lots")) % shown("lots"),
        ngettext("%(n)s task", "%(n)s tasks", n("tasks")) % shown("tasks"),
        ngettext("%(n)s milestone", "%(n)s milestones", n("milestones")) % shown("milestones"),
        ngettext("%(n)s link", "%(n)s links", n("dependencies")) % shown("dependencies"),
        ngettext("%(n)s new resource", "%(n)s new resources", n("resources")) % shown("resources"),
        ngettext("%(n)s assignment", "%(n)s assignments", n("assignments")) % shown("assignments"),
    ]
    if result.get("baseline"):
        parts.append(_("a baseline"))
    text = ", ".join(parts)
    if result.get("start"):
        text += _("; the plan starts on %(date)s") % {
            "date": date_format(dt.date.fromisoformat(result["start"]), "SHORT_DATE_FORMAT")
        }
    return text


def _unique(code: str, used: set[str], length: int) -> str:
    base = code[:length] or "L"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base[: length - 4]}-{n}"
    used.add(candidate)
    return candidate


def _import_calendar(actor: User, project: Project, plan: PlanData, notes: list[str]) -> None:
    calendar = plan.calendar(None) or (plan.calendars[0] if plan.calendars else None)
    if calendar is None:
        return
    if not can(actor, project, PROJECT_EDIT):
        notes.append(_("The file's calendar was not applied: your role may not edit the project calendar."))
        return
    changed = False
    if calendar.working_days and list(calendar.working_days) != list(project.working_days or []):
        project.working_days = list(calendar.working_days)
        changed = True
    if changed:
        project.version += 1
        project.save(update_fields=["working_days", "version", "updated_at"])
    years = sorted({d.year for first, last, _label in calendar.exceptions for d in (first, last)})
    holidays = public_holidays(project, years) if years else set()
    existing = {(c.start, c.end) for c in project.closures.all()}
    for first, last, label in calendar.exceptions:
        days = {first + dt.timedelta(days=k) for k in range((last - first).days + 1)}
        if days <= holidays or (first, last) in existing:
            continue  # French public holidays are already in the calendar
        Closure.objects.create(project=project, start=first, end=last, label=(label or _("Imported closure"))[:100])
        existing.add((first, last))


def _import_dates(actor: User, project: Project, plan_row: Plan, plan: PlanData, notes: list[str]) -> None:
    """Keep the file's start and status date, so the plan keeps its dates instead of restarting after today.

    Work not started is never scheduled before the status date (today when the plan has none): a file made
    months ago, without progress and without a status date, would slide to tomorrow. Such a plan gets the day
    before its start as status date (nothing done yet, as the file says), and a note says how to move it.
    """
    if plan.start is not None and project.start_date != plan.start:
        if project.start_date is None and can(actor, project, PROJECT_EDIT):
            project.start_date = plan.start
            project.version += 1
            project.save(update_fields=["start_date", "version", "updated_at"])
        elif project.start_date is not None:
            notes.append(
                _("The file starts on %(file)s; the project's start date, %(project)s, is kept.")
                % {"file": date_format(plan.start, "SHORT_DATE_FORMAT"),
                   "project": date_format(project.start_date, "SHORT_DATE_FORMAT")}
            )  # fmt: skip
    status: dt.date | None = plan.status_date
    has_progress = any(t.actual_start or t.actual_finish or t.percent_complete > 0 for t in plan.tasks)
    start = project.start_date or plan.start
    if (
        status is None
        and plan_row.status_date is None
        and not has_progress
        and start is not None
        and start <= timezone.localdate()
    ):
        status = start - dt.timedelta(days=1)
        notes.append(
            _(
                "The file has no progress and no status date: the plan is dated as of its start (status date "
                "%(date)s). Set the status date to today on the plan to reschedule the work not done."
            )
            % {"date": date_format(status, "SHORT_DATE_FORMAT")}
        )
    if status is not None and status != plan_row.status_date:
        model_update(
            instance=plan_row, fields={"status_date"}, data={"status_date": status}, actor=actor, reason="import"
        )


def _import_resource_calendars(
    actor: User, plan: PlanData, resources: dict[int, Resource], created: list[Resource]
) -> None:
    new = {r.pk for r in created}
    base = plan.calendar(None)
    for item in plan.resources:
        resource = resources.get(item.uid)
        if resource is None or resource.pk not in new or item.calendar_uid is None:
            continue
        calendar = plan.calendar(item.calendar_uid)
        if calendar is None or calendar is base:
            continue
        if base is None or tuple(calendar.working_days) != tuple(base.working_days):
            resource.working_days = list(calendar.working_days)
            resource.save(update_fields=["working_days"])
        base_days = {(a, b) for a, b, _l in (base.exceptions if base else [])}
        for first, last, label in calendar.exceptions:
            if (first, last) not in base_days:
                Absence.objects.create(resource=resource, start=first, end=last, label=(label or _("Absence"))[:100])
