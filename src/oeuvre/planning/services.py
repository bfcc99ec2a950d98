"""Every write on the plan: one transaction each, permission-checked, in history, safe against concurrent edits.

Any change to what the schedule depends on bumps the plan's revision and reschedules it through the
engine in the same transaction, so the dates users see always match the data they see. A plan larger
than :data:`SYNC_TASK_LIMIT` tasks is rescheduled by a job instead, right after the commit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import can, require
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.core.events import declare_event, emit
from oeuvre.core.jobs import job_enqueue
from oeuvre.core.models import Job
from oeuvre.core.services import save_with_history
from oeuvre.planning.models import (
    Absence,
    Assignment,
    Baseline,
    BaselineTask,
    ConstraintType,
    Dependency,
    LinkType,
    Lot,
    MilestoneType,
    Plan,
    RafEstimate,
    Resource,
    ResourceKind,
    Task,
    TaskKind,
    TimeEntry,
)
from oeuvre.planning.permissions import (
    PLANNING_ANALYSE,
    PLANNING_BASELINE,
    PLANNING_EDIT,
    PLANNING_LOG_TIME,
    PLANNING_MANAGE_RESOURCES,
    PLANNING_MANAGE_TIME,
)
from oeuvre.planning.scheduling import (
    ScheduleOutcome,
    compute_schedule,
    load_network,
    project_calendar,
    public_holidays,
    save_schedule,
    task_count,
)
from oeuvre.projects.models import Project

__all__ = [
    "SYNC_TASK_LIMIT",
    "TimesheetResult",
    "absence_add",
    "absence_remove",
    "assignment_add",
    "assignment_remove",
    "assignment_update",
    "baseline_delete",
    "baseline_select",
    "baseline_take",
    "dependency_add",
    "dependency_remove",
    "dependency_update",
    "levelling_apply",
    "levelling_clear",
    "levelling_start",
    "lot_create",
    "lot_delete",
    "lot_update",
    "plan_changes_batched",
    "plan_reschedule",
    "plan_update",
    "raf_set",
    "resource_create",
    "resource_delete",
    "resource_update",
    "risk_start",
    "task_create",
    "task_delete",
    "task_move",
    "task_update",
    "time_entries_import",
    "timesheet_close",
    "timesheet_save",
]

SYNC_TASK_LIMIT = 2000
_ONE_DAY = dt.timedelta(days=1)


def _full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


def plan_locked(project: Project) -> Plan:
    """The project's plan row, locked for this transaction: plan writes of one project queue up here."""
    Plan.objects.get_or_create(project=project)
    return Plan.objects.select_for_update().get(project=project)


def _enqueue_schedule(project: Project, actor: User | None) -> None:
    pending = Job.objects.filter(kind="planning.schedule", project=project, status=Job.Status.QUEUED).exists()
    if not pending:
        job_enqueue(kind="planning.schedule", params={"project": project.pk}, actor=actor, project=project)


def reschedule(project: Project, plan: Plan) -> ScheduleOutcome:
    """Run the engine on the whole plan and store the dates that changed (inside the caller's transaction)."""
    network = load_network(project, plan=plan, with_current=True)
    outcome = compute_schedule(network)
    save_schedule(project, outcome, plan.revision)
    return outcome


# Projects whose writes are batched (``plan_changes_batched``): their rescheduling waits for the batch's end.
_batched: ContextVar[frozenset[int]] = ContextVar("planning_batched", default=frozenset())


@contextmanager
def plan_changes_batched(project: Project, actor: User | None) -> Iterator[None]:
    """Many writes to one plan (a bulk action on twenty tasks): each write checks and saves as usual, the plan is
    rescheduled once at the end instead of after every row. Use inside the caller's transaction."""
    token = _batched.set(_batched.get() | {project.pk})
    try:
        yield
    finally:
        _batched.reset(token)
    plan_changed(project, actor)


def plan_changed(project: Project, actor: User | None, *, sync: bool | None = None) -> Plan:
    """After a write to the network: bump the plan's revision and reschedule now (small plan) or in a job."""
    plan = plan_locked(project)
    if project.pk in _batched.get():
        return plan  # the batch reschedules once when it ends
    Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1)
    plan.refresh_from_db(fields=["revision"])
    if sync if sync is not None else task_count(project) <= SYNC_TASK_LIMIT:
        reschedule(project, plan)
    else:
        _enqueue_schedule(project, actor)
    return plan


# --- Plan settings ----------------------------------------------------------------------------------

PLAN_FIELDS = frozenset({"status_date", "default_tjm", "optimistic_factor", "pessimistic_factor"})


@transaction.atomic
def plan_update(*, actor: User, project: Project, expected_version: int | None, **changes: Any) -> Plan:
    require(actor, project, PLANNING_EDIT)
    unknown = set(changes) - PLAN_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    plan = lock_for_update(plan_locked(project), expected_version)
    for name, value in changes.items():
        setattr(plan, name, value)
    _full_clean(plan, exclude=["project", "baseline"])
    if plan.status_date is not None and plan.status_date > timezone.localdate():
        raise ValidationFailed({"status_date": [_("The status date cannot be in the future.")]})
    plan.save()
    plan_changed(project, actor)
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_reschedule(*, actor: User, project: Project) -> ScheduleOutcome:
    """Reschedule now, whatever the plan's size (the CLI and the "reschedule" button)."""
    require(actor, project, PLANNING_EDIT)
    plan = plan_locked(project)
    Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1)
    plan.refresh_from_db(fields=["revision"])
    return reschedule(project, plan)


@transaction.atomic
def timesheet_close(*, actor: User, project: Project, until: dt.date | None, expected_version: int | None) -> Plan:
    require(actor, project, PLANNING_MANAGE_TIME)
    plan = lock_for_update(plan_locked(project), expected_version)
    if until is not None and until > timezone.localdate():
        raise ValidationFailed({"until": [_("A period can only be closed once it is over.")]})
    plan.timesheet_closed_until = until
    plan.save()
    return plan


# --- Lots -------------------------------------------------------------------------------------------

LOT_FIELDS = frozenset({"code", "name", "description", "parent", "position", "budget_effort", "budget_amount"})


def _check_lot_parent(lot: Lot, parent: Lot | None) -> None:
    if parent is None:
        return
    if parent.project_id != lot.project_id:
        raise ValidationFailed({"parent": [_("This lot belongs to another project.")]})
    node: Lot | None = parent
    while node is not None:
        if lot.pk is not None and node.pk == lot.pk:
            raise ValidationFailed({"parent": [_("A lot cannot be inside itself.")]})
        node = node.parent


def _next_lot_code(project: Project) -> str:
    numbers = [
        int(m.group(1))
        for c in Lot.objects.filter(project=project).values_list("code", flat=True)
        if (m := re.fullmatch(r"L(\d+)", c))
    ]
    return f"L{max(numbers, default=0) + 1}"


@transaction.atomic
def lot_create(*, actor: User, project: Project, **fields: Any) -> Lot:
    require(actor, project, PLANNING_EDIT)
    unknown = set(fields) - LOT_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    plan_locked(project)
    lot = Lot(project=project, **fields)
    if not lot.code:
        lot.code = _next_lot_code(project)
    if "position" not in fields:
        lot.position = (Lot.objects.filter(project=project).aggregate(m=Max("position"))["m"] or 0) + 1
    _check_lot_parent(lot, lot.parent)
    _full_clean(lot)
    if Lot.objects.filter(project=project, code=lot.code).exists():
        raise ValidationFailed({"code": [_("Another lot already has this code.")]})
    lot.save()
    return lot


@transaction.atomic
def lot_update(*, actor: User, lot: Lot, expected_version: int | None, **changes: Any) -> Lot:
    require(actor, lot.project, PLANNING_EDIT)
    unknown = set(changes) - LOT_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    plan_locked(lot.project)
    fresh = lock_for_update(lot, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _check_lot_parent(fresh, fresh.parent)
    _full_clean(fresh)
    if Lot.objects.filter(project=fresh.project, code=fresh.code).exclude(pk=fresh.pk).exists():
        raise ValidationFailed({"code": [_("Another lot already has this code.")]})
    fresh.save()
    if "position" in changes:
        plan_changed(fresh.project, actor)  # the order of the Gantt changed
    return fresh


@transaction.atomic
def lot_delete(*, actor: User, lot: Lot) -> None:
    require(actor, lot.project, PLANNING_EDIT)
    plan_locked(lot.project)
    if lot.tasks.exists() or lot.children.exists():
        raise DomainError(_("This lot still holds tasks or lots: move or delete them first."))
    lot.delete()


# --- Tasks ------------------------------------------------------------------------------------------

TASK_FIELDS = frozenset(
    {
        "lot",
        "code",
        "name",
        "description",
        "position",
        "kind",
        "milestone_type",
        "duration",
        "effort",
        "optimistic_duration",
        "pessimistic_duration",
        "constraint_type",
        "constraint_date",
        "actual_start",
        "actual_finish",
        "progress_override",
        "specifications",
        "components",
    }
)
TRACE_FIELDS = ("specifications", "components")


def _pop_traces(project: Project, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Take the traceability links out of ``fields``, checking they belong to the project."""
    from oeuvre.requirements.models import Component, Specification

    traces: dict[str, list[Any]] = {}
    for name, model in (("specifications", Specification), ("components", Component)):
        if name not in fields:
            continue
        items = list(fields.pop(name) or [])
        ids = [getattr(i, "pk", i) for i in items]
        found = list(model.objects.filter(project=project, pk__in=ids))
        if len(found) != len(set(ids)):
            raise ValidationFailed({name: [_("Some of these items belong to another project or do not exist.")]})
        traces[name] = found
    return traces


def _set_traces(task: Task, traces: dict[str, list[Any]]) -> None:
    for name, items in traces.items():
        getattr(task, name).set(items)


def _next_task_code(project: Project, milestone: bool) -> str:
    prefix = "J" if milestone else "T"
    pattern = re.compile(rf"{prefix}-(\d+)")
    numbers = [
        int(m.group(1))
        for c in Task.objects.filter(project=project, code__startswith=f"{prefix}-").values_list("code", flat=True)
        if (m := pattern.fullmatch(c))
    ]
    return f"{prefix}-{max(numbers, default=0) + 1:0{2 if milestone else 3}d}"


def _check_task(task: Task) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if task.lot_id is not None and task.lot.project_id != task.project_id:
        errors["lot"] = [_("This lot belongs to another project.")]
    if task.kind == TaskKind.MILESTONE:
        task.duration = 0
        task.effort = Decimal(0)
        task.optimistic_duration = task.pessimistic_duration = None
        if not task.milestone_type:
            task.milestone_type = MilestoneType.INTERNAL
        task.actual_start = None
    else:
        task.milestone_type = MilestoneType.NONE
        if task.duration < 1:
            errors["duration"] = [_("A task lasts at least one working day; use a milestone for a point in time.")]
        if task.optimistic_duration is not None and task.optimistic_duration > task.duration:
            errors["optimistic_duration"] = [_("The optimistic duration cannot exceed the duration.")]
        if task.pessimistic_duration is not None and task.pessimistic_duration < task.duration:
            errors["pessimistic_duration"] = [_("The pessimistic duration cannot be below the duration.")]
        if task.actual_finish is not None and task.actual_start is None:
            errors["actual_start"] = [_("A finished task needs its actual start.")]
        if task.actual_start and task.actual_finish and task.actual_finish < task.actual_start:
            errors["actual_finish"] = [_("The actual finish comes before the actual start.")]
    for name in ("actual_start", "actual_finish"):
        value = getattr(task, name)
        if value is not None and value > today:
            errors[name] = [_("An actual date cannot be in the future.")]
    if task.constraint_type == ConstraintType.ASAP:
        task.constraint_date = None
    elif task.constraint_date is None:
        errors["constraint_date"] = [_("This constraint needs a date.")]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def task_create(*, actor: User, project: Project, **fields: Any) -> Task:
    require(actor, project, PLANNING_EDIT)
    unknown = set(fields) - TASK_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    if fields.get("lot") is None:
        raise ValidationFailed({"lot": [_("Choose the lot of the task.")]})
    plan_locked(project)
    traces = _pop_traces(project, fields)
    task = Task(project=project, **fields)
    if not task.code:
        task.code = _next_task_code(project, task.kind == TaskKind.MILESTONE)
    if "position" not in fields:
        task.position = (Task.objects.filter(lot=task.lot).aggregate(m=Max("position"))["m"] or 0) + 1
    _check_task(task)
    _full_clean(task)
    if Task.objects.filter(project=project, code=task.code).exists():
        raise ValidationFailed({"code": [_("Another task already has this code.")]})
    task.save()
    _set_traces(task, traces)
    plan_changed(project, actor)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_update(*, actor: User, task: Task, expected_version: int | None, **changes: Any) -> Task:
    require(actor, task.project, PLANNING_EDIT)
    unknown = set(changes) - TASK_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    plan_locked(task.project)
    fresh = lock_for_update(task, expected_version)
    traces = _pop_traces(task.project, changes)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _check_task(fresh)
    _full_clean(fresh)
    if Task.objects.filter(project=fresh.project, code=fresh.code).exclude(pk=fresh.pk).exists():
        raise ValidationFailed({"code": [_("Another task already has this code.")]})
    if fresh.kind == TaskKind.MILESTONE and fresh.time_entries.exists():
        raise ValidationFailed({"kind": [_("Time was recorded on this task: it cannot become a milestone.")]})
    fresh.save()
    _set_traces(fresh, traces)
    plan_changed(fresh.project, actor)
    fresh.refresh_from_db()
    return fresh


@transaction.atomic
def task_delete(*, actor: User, task: Task) -> None:
    require(actor, task.project, PLANNING_EDIT)
    plan_locked(task.project)
    if task.time_entries.exists():
        raise DomainError(
            _("Time was recorded on %(task)s: it cannot be deleted. Set its remaining effort to 0 instead.")
            % {"task": task.code}
        )
    project = task.project
    task.delete()
    plan_changed(project, actor)


def move_from_dates(task: Task, start: dt.date, end: dt.date) -> tuple[dt.date | None, int | None]:
    """Read a bar dragged to ``start``..``end`` (both inclusive) as a move and/or a resize.

    A drag that keeps the bar's calendar length keeps the task's length in working days (a week-end
    crossed does not make it shorter); a bar whose length changed is a resize, counted in working days
    of the project calendar. A start that did not change is not a move (no constraint is set).
    """
    if task.early_start is None or task.early_finish is None:
        return start, None
    moved = start != task.early_start
    same_length = (end - start) == (task.early_finish - task.early_start)
    duration = None
    if task.kind != TaskKind.MILESTONE and not same_length:
        calendar = project_calendar(task.project, origin=min(start, task.early_start))
        span = int(calendar.to_index([end + dt.timedelta(days=1)])[0] - calendar.to_index([start])[0])
        duration = max(span, 1)
    return (start if moved else None), duration


@dataclass
class MoveResult:
    task: Task
    moved: list[dict[str, Any]]
    undo: dict[str, Any]


def _driving_predecessor(outcome: ScheduleOutcome, row: int) -> str | None:
    net = outcome.plan.network
    for link in range(len(net.succ)):
        if int(net.succ[link]) == row and bool(outcome.driving[link]):
            p = int(net.pred[link])
            return f"{outcome.plan.codes[p]} « {outcome.plan.names[p]} »"
    return None


@transaction.atomic
def task_move(
    *,
    actor: User,
    task: Task,
    expected_version: int | None,
    start: dt.date | None = None,
    duration: int | None = None,
    end: dt.date | None = None,
) -> MoveResult:
    """Move a task to ``start`` and/or give it a new ``duration`` (the Gantt drag), validated by the engine.

    With ``end`` (the last day of the bar after a drag), the move is read as the Gantt shows it: see
    :func:`move_from_dates`. Moving later sets a start-no-earlier-than constraint, as MS Project does;
    moving back to the date the predecessors allow removes it. A move the network forbids (before a
    predecessor allows it) or that makes another task miss its own date constraint is refused with the reason.
    """
    require(actor, task.project, PLANNING_EDIT)
    if end is not None:
        if start is None:
            raise ValidationFailed({"start": [_("Give the start date with the finish date.")]})
        if end < start:
            raise ValidationFailed({"end": [_("The finish date cannot be before the start date.")]})
        start, moved_duration = move_from_dates(task, start, end)
        duration = moved_duration if duration is None else duration
    plan = plan_locked(task.project)
    fresh = lock_for_update(task, expected_version)
    undo = {
        "constraint_type": task.constraint_type,
        "constraint_date": task.constraint_date.isoformat() if task.constraint_date else None,
        "duration": task.duration,
    }
    if start is None and duration is None:
        raise ValidationFailed({"start": [_("Give a new start date or a new duration.")]})
    if fresh.actual_finish is not None or (fresh.actual_start is not None and start is not None):
        raise DomainError(
            _("%(task)s has already started: change its actual dates in the task form instead of moving it.")
            % {"task": fresh.code}
        )
    if duration is not None:
        if fresh.kind == TaskKind.MILESTONE:
            raise ValidationFailed({"duration": [_("A milestone has no duration.")]})
        if duration < 1:
            raise ValidationFailed({"duration": [_("A task lasts at least one working day.")]})
        fresh.duration = duration
        if fresh.pessimistic_duration is not None and fresh.pessimistic_duration < duration:
            fresh.pessimistic_duration = duration
        if fresh.optimistic_duration is not None and fresh.optimistic_duration > duration:
            fresh.optimistic_duration = duration
    before = compute_schedule(load_network(fresh.project, plan=plan))
    known = {(w["kind"], w["task"]) for w in before.warnings}
    if start is not None:
        if fresh.constraint_type == ConstraintType.FNLT:
            raise DomainError(
                _("%(task)s must finish by %(date)s: change or remove that constraint in the task form first.")
                % {
                    "task": fresh.code,
                    "date": fresh.constraint_date.strftime("%d/%m/%Y") if fresh.constraint_date else "",
                }
            )
        free = compute_schedule(
            load_network(
                fresh.project,
                plan=plan,
                overrides={fresh.pk: {"constraint_type": "ASAP", "constraint_date": None, "duration": fresh.duration}},
            )
        )
        row = free.plan.index_of(fresh.pk)
        earliest = free.early_start[row]
        if fresh.kind == TaskKind.MILESTONE:
            earliest = free.early_finish[row]
        if start < earliest:
            driver = _driving_predecessor(free, row)
            if driver:
                message = _("%(task)s cannot start before %(date)s: it follows %(pred)s.")
            else:
                message = _(
                    "%(task)s cannot start before %(date)s: the status date and the calendar allow no earlier start."
                )
            raise DomainError(message % {"task": fresh.code, "date": earliest.strftime("%d/%m/%Y"), "pred": driver})
        calendar = free.plan.calendar
        if not bool(calendar.is_working([start])[0]) and fresh.kind != TaskKind.MILESTONE:
            start = calendar.to_date(calendar.to_index([start]))[0].item()
        if fresh.constraint_type == ConstraintType.MSO:
            fresh.constraint_date = start
        elif start == earliest:
            fresh.constraint_type, fresh.constraint_date = ConstraintType.ASAP, None
        else:
            fresh.constraint_type, fresh.constraint_date = ConstraintType.SNET, start
    trial = compute_schedule(
        load_network(
            fresh.project,
            plan=plan,
            overrides={
                fresh.pk: {
                    "constraint_type": fresh.constraint_type,
                    "constraint_date": fresh.constraint_date,
                    "duration": fresh.duration,
                }
            },
        )
    )
    broken = [w for w in trial.warnings if (w["kind"], w["task"]) not in known]
    if broken:
        from oeuvre.planning.scheduling import warning_text

        raise DomainError(_("This change is refused: %(reason)s") % {"reason": warning_text(broken[0])})
    fresh.save()
    plan = plan_changed(fresh.project, actor, sync=True)
    fresh.refresh_from_db()
    moved = []
    old = {
        int(t): (s, f) for t, s, f in zip(before.plan.task_ids, before.early_start, before.early_finish, strict=True)
    }
    after = Task.objects.filter(project=fresh.project).values_list("pk", "code", "early_start", "early_finish")
    for pk, code, s, f in after:
        if old.get(pk) != (s, f):
            moved.append({"id": pk, "code": code, "start": s, "finish": f})
    return MoveResult(task=fresh, moved=moved, undo=undo)


# --- Dependencies -----------------------------------------------------------------------------------


def _check_link(project: Project, predecessor: Task, successor: Task) -> None:
    if predecessor.project_id != project.pk or successor.project_id != project.pk:
        raise ValidationFailed({"predecessor": [_("Both tasks must belong to this project.")]})
    if predecessor.pk == successor.pk:
        raise ValidationFailed({"successor": [_("A task cannot depend on itself.")]})


@transaction.atomic
def dependency_add(
    *,
    actor: User,
    project: Project,
    predecessor: Task,
    successor: Task,
    type: str = LinkType.FS,
    lag: int = 0,
    lag_calendar_days: bool = False,
) -> Dependency:
    """Link two tasks; a link that would close a loop is refused with the tasks of the loop."""
    require(actor, project, PLANNING_EDIT)
    _check_link(project, predecessor, successor)
    plan = plan_locked(project)
    link = Dependency(
        project=project,
        predecessor=predecessor,
        successor=successor,
        type=type,
        lag=lag,
        lag_calendar_days=lag_calendar_days,
    )
    _full_clean(link)
    if Dependency.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationFailed({"successor": [_("These two tasks are already linked.")]})
    # The engine compiles the network with the new link first: a cycle raises, naming its tasks.
    load_network(project, plan=plan, extra_links=[(predecessor.pk, successor.pk, type, lag, lag_calendar_days)])
    link.save()
    plan_changed(project, actor)
    return link


@transaction.atomic
def dependency_update(
    *, actor: User, dependency: Dependency, expected_version: int | None, **changes: Any
) -> Dependency:
    require(actor, dependency.project, PLANNING_EDIT)
    unknown = set(changes) - {"type", "lag", "lag_calendar_days"}
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    plan_locked(dependency.project)
    fresh = lock_for_update(dependency, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _full_clean(fresh)
    fresh.save()
    plan_changed(fresh.project, actor)
    return fresh


@transaction.atomic
def dependency_remove(*, actor: User, dependency: Dependency) -> None:
    require(actor, dependency.project, PLANNING_EDIT)
    plan_locked(dependency.project)
    project = dependency.project
    dependency.delete()
    plan_changed(project, actor)


# --- Resources and assignments ----------------------------------------------------------------------

RESOURCE_FIELDS = frozenset({"name", "kind", "user", "tjm", "capacity", "working_days", "active"})


def _check_resource(resource: Resource) -> None:
    days = resource.working_days
    if days is not None and (
        not isinstance(days, list) or not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days)
    ):
        raise ValidationFailed({"working_days": [_("Give at least one weekday, as numbers 0 (Monday) to 6 (Sunday).")]})
    if resource.user_id is not None and not resource.project.memberships.filter(user_id=resource.user_id).exists():
        raise ValidationFailed({"user": [_("This person is not a member of the project.")]})
    if resource.kind == ResourceKind.PROFILE and resource.user_id is not None:
        raise ValidationFailed({"user": [_("A profile stands for several people: it has no account.")]})


@transaction.atomic
def resource_create(*, actor: User, project: Project, **fields: Any) -> Resource:
    require(actor, project, PLANNING_MANAGE_RESOURCES)
    unknown = set(fields) - RESOURCE_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    plan_locked(project)
    resource = Resource(project=project, **fields)
    _full_clean(resource)
    _check_resource(resource)
    if Resource.objects.filter(project=project, name=resource.name).exists():
        raise ValidationFailed({"name": [_("Another resource already has this name.")]})
    if resource.user_id and Resource.objects.filter(project=project, user_id=resource.user_id).exists():
        raise ValidationFailed({"user": [_("This person already has a resource on the project.")]})
    resource.save()
    return resource


@transaction.atomic
def resource_update(*, actor: User, resource: Resource, expected_version: int | None, **changes: Any) -> Resource:
    require(actor, resource.project, PLANNING_MANAGE_RESOURCES)
    unknown = set(changes) - RESOURCE_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    plan_locked(resource.project)
    fresh = lock_for_update(resource, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _full_clean(fresh)
    _check_resource(fresh)
    if Resource.objects.filter(project=fresh.project, name=fresh.name).exclude(pk=fresh.pk).exists():
        raise ValidationFailed({"name": [_("Another resource already has this name.")]})
    if (
        fresh.user_id
        and Resource.objects.filter(project=fresh.project, user_id=fresh.user_id).exclude(pk=fresh.pk).exists()
    ):
        raise ValidationFailed({"user": [_("This person already has a resource on the project.")]})
    fresh.save()
    return fresh


@transaction.atomic
def resource_delete(*, actor: User, resource: Resource) -> None:
    require(actor, resource.project, PLANNING_MANAGE_RESOURCES)
    plan_locked(resource.project)
    if resource.time_entries.exists():
        raise DomainError(
            _("Time was recorded by %(name)s: deactivate the resource instead.") % {"name": resource.name}
        )
    project = resource.project
    resource.assignments.all().delete()
    resource.delete()
    plan_changed(project, actor)


@transaction.atomic
def absence_add(*, actor: User, resource: Resource, start: dt.date, end: dt.date, label: str = "") -> Absence:
    require(actor, resource.project, PLANNING_MANAGE_RESOURCES)
    if end < start:
        raise ValidationFailed({"end": [_("The last day comes before the first day.")]})
    absence = Absence(resource=resource, start=start, end=end, label=label)
    _full_clean(absence)
    absence.save()
    return absence


@transaction.atomic
def absence_remove(*, actor: User, absence: Absence) -> None:
    require(actor, absence.resource.project, PLANNING_MANAGE_RESOURCES)
    absence.delete()


@transaction.atomic
def assignment_add(
    *, actor: User, task: Task, resource: Resource, units: Decimal = Decimal(1), effort: Decimal | None = None
) -> Assignment:
    require(actor, task.project, PLANNING_MANAGE_RESOURCES)
    if resource.project_id != task.project_id:
        raise ValidationFailed({"resource": [_("This resource belongs to another project.")]})
    if task.kind == TaskKind.MILESTONE:
        raise ValidationFailed({"task": [_("A milestone takes no resources.")]})
    plan_locked(task.project)
    assignment = Assignment(task=task, resource=resource, units=units, effort=effort)
    _full_clean(assignment)
    if Assignment.objects.filter(task=task, resource=resource).exists():
        raise ValidationFailed({"resource": [_("This resource is already on the task.")]})
    assignment.save()
    plan_changed(task.project, actor)
    if resource.user_id:
        # The person behind the resource is told (by the worker, after the commit) that the task is theirs.
        emit(
            TASK_ASSIGNED, project=task.project, obj=task, actor=actor, reference=task.code,
            data={"title": task.name[:200], "user_id": resource.user_id, "resource": resource.name[:200]},
        )  # fmt: skip
    return assignment


TASK_ASSIGNED = declare_event("task.assigned", gettext_lazy("Task assigned to a resource"))


@transaction.atomic
def assignment_update(
    *, actor: User, assignment: Assignment, expected_version: int | None, **changes: Any
) -> Assignment:
    require(actor, assignment.task.project, PLANNING_MANAGE_RESOURCES)
    unknown = set(changes) - {"units", "effort"}
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    plan_locked(assignment.task.project)
    fresh = lock_for_update(assignment, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _full_clean(fresh)
    fresh.save()
    plan_changed(fresh.task.project, actor)
    return fresh


@transaction.atomic
def assignment_remove(*, actor: User, assignment: Assignment) -> None:
    project = assignment.task.project
    require(actor, project, PLANNING_MANAGE_RESOURCES)
    plan_locked(project)
    assignment.delete()
    plan_changed(project, actor)


# --- Time entries (imputations) ---------------------------------------------------------------------


@dataclass
class TimesheetResult:
    saved: int = 0
    deleted: int = 0
    warnings: list[str] = field(default_factory=list)


def non_working_reason(resource: Resource, day: dt.date, *, holidays: set[dt.date] | None = None) -> str | None:
    """Why ``day`` is not a working day for ``resource`` (None when it is one)."""
    project = resource.project
    if holidays is None:
        holidays = public_holidays(project, [day.year])
    days = resource.working_days if resource.working_days is not None else project.working_days
    label = day.strftime("%d/%m/%Y")
    if day.weekday() not in set(days or []):
        return _("%(day)s is not a working day for %(name)s.") % {"day": label, "name": resource.name}
    if day in holidays:
        return _("%(day)s is a public holiday.") % {"day": label}
    for closure in project.closures.all():
        if closure.start <= day <= closure.end:
            return _("%(day)s falls in the closure « %(label)s ».") % {"day": label, "label": closure.label or "—"}
    for absence in resource.absences.all():
        if absence.start <= day <= absence.end:
            return _("%(name)s is absent on %(day)s (%(label)s).") % {
                "name": resource.name,
                "day": label,
                "label": absence.label or _("absence"),
            }
    return None


def _may_log_for(actor: User, resource: Resource) -> None:
    project = resource.project
    if resource.user_id == actor.pk and can(actor, project, PLANNING_LOG_TIME):
        return
    if can(actor, project, PLANNING_MANAGE_TIME):
        return
    if resource.user_id == actor.pk:
        require(actor, project, PLANNING_LOG_TIME)
    raise PermissionDenied(_("You may only record your own time on this project."))


def _apply_entries(
    *,
    actor: User,
    project: Project,
    plan: Plan,
    cells: Iterable[tuple[Resource, Task, dt.date, Decimal, str, str]],
    errors: dict[str, list[str]] | None = None,
) -> TimesheetResult:
    """Validate every cell first (errors keyed by the cell's name, added to ``errors``), then write them all."""
    result = TimesheetResult()
    errors = dict(errors or {})
    today = timezone.localdate()
    closed = plan.timesheet_closed_until
    holidays_cache: dict[int, set[dt.date]] = {}
    todo: list[tuple[Resource, Task, dt.date, Decimal, str]] = []
    for resource, task, day, effort, comment, key in cells:
        if resource.project_id != project.pk or task.project_id != project.pk:
            errors.setdefault(key, []).append(_("The task or the person belongs to another project."))
            continue
        if effort < 0:
            errors.setdefault(key, []).append(_("An effort cannot be negative."))
            continue
        if effort > 2:
            errors.setdefault(key, []).append(_("At most 2 person-days on one task in one day (efforts are in days)."))
            continue
        if closed is not None and day <= closed:
            errors.setdefault(key, []).append(
                _("The period up to %(date)s is closed: time can no longer be changed there.")
                % {"date": closed.strftime("%d/%m/%Y")}
            )
            continue
        if day > today:
            errors.setdefault(key, []).append(
                _("Time is recorded once spent: %(day)s is in the future.") % {"day": day.strftime("%d/%m/%Y")}
            )
            continue
        if task.kind == TaskKind.MILESTONE:
            errors.setdefault(key, []).append(
                _("%(task)s is a milestone: no time can be recorded on it.") % {"task": task.code}
            )
            continue
        if effort > 0:
            holidays = holidays_cache.setdefault(day.year, public_holidays(project, [day.year]))
            reason = non_working_reason(resource, day, holidays=holidays)
            if reason:
                errors.setdefault(key, []).append(reason)
                continue
        try:
            _may_log_for(actor, resource)
        except PermissionDenied:
            raise
        todo.append((resource, task, day, effort, comment))
    if errors:
        raise ValidationFailed(errors)
    if not todo:
        return result
    existing = {
        (e.resource_id, e.task_id, e.date): e
        for e in TimeEntry.objects.select_for_update().filter(
            project=project,
            resource_id__in={r.pk for r, *_rest in todo},
            task_id__in={t.pk for _r, t, *_rest in todo},
            date__in={d for _r, _t, d, *_rest in todo},
        )
    }
    to_create: list[TimeEntry] = []
    started: dict[int, dt.date] = {}
    for resource, task, day, effort, comment in todo:
        entry = existing.get((resource.pk, task.pk, day))
        if effort == 0:
            if entry is not None:
                entry.delete()
                result.deleted += 1
            continue
        if entry is None:
            to_create.append(
                TimeEntry(project=project, resource=resource, task=task, date=day, effort=effort, comment=comment)
            )
        elif entry.effort != effort or entry.comment != comment:
            entry.effort, entry.comment = effort, comment
            entry.version += 1
            entry.save()
        result.saved += 1
        if task.actual_start is None or day < task.actual_start:
            started[task.pk] = min(day, started.get(task.pk, day))
    for entry in to_create:
        entry.save()  # one by one, so that history records each entry
    # The first recorded day starts the task, as in MS Project.
    for task_id, day in started.items():
        task = Task.objects.select_for_update().get(pk=task_id)
        if task.actual_start is None or day < task.actual_start:
            task.actual_start = day
            task.version += 1
            task.save(update_fields=["actual_start", "version", "updated_at"])
    # Above capacity is allowed (overtime happens) but said.
    people = {r.pk: r for r, *_rest in todo}
    days = {d for _r, _t, d, *_rest in todo}
    totals = (
        TimeEntry.objects.filter(resource_id__in=people, date__in=days)
        .values("resource_id", "date")
        .annotate(total=Sum("effort"))
        .order_by("date")
    )
    for row in totals:
        resource = people[row["resource_id"]]
        if row["total"] > resource.capacity:
            result.warnings.append(
                _("%(name)s: %(total)s person-days recorded on %(day)s, above their capacity of %(capacity)s.")
                % {
                    "name": resource.name,
                    "total": f"{row['total']:g}",
                    "day": row["date"].strftime("%d/%m/%Y"),
                    "capacity": f"{resource.capacity:g}",
                }
            )
    plan_changed(project, actor)
    return result


def timesheet_fingerprint(resource: Resource, first: dt.date, last: dt.date) -> str:
    """A digest of one person's entries over a period: the grid's version, for conflict detection."""
    rows = TimeEntry.objects.filter(resource=resource, date__gte=first, date__lte=last).order_by("pk")
    return ",".join(f"{pk}:{version}" for pk, version in rows.values_list("pk", "version")) or "empty"


@transaction.atomic
def timesheet_save(
    *,
    actor: User,
    resource: Resource,
    week: dt.date,
    cells: Mapping[tuple[int, dt.date], Decimal],
    expected_fingerprint: str | None,
    comments: Mapping[tuple[int, dt.date], str] | None = None,
) -> TimesheetResult:
    """Save one person's week: ``cells`` maps (task id, day) to person-days; 0 deletes the entry."""
    project = resource.project
    _may_log_for(actor, resource)
    plan = plan_locked(project)
    monday = week - dt.timedelta(days=week.weekday())
    sunday = monday + dt.timedelta(days=6)
    if expected_fingerprint is not None and expected_fingerprint != timesheet_fingerprint(resource, monday, sunday):
        raise StaleVersion(0)
    tasks = {t.pk: t for t in Task.objects.filter(project=project, pk__in={k[0] for k in cells})}
    prepared = []
    for (task_id, day), effort in cells.items():
        if task_id not in tasks:
            raise ValidationFailed({f"cell-{task_id}-{day.isoformat()}": [_("Unknown task.")]})
        if not monday <= day <= sunday:
            raise ValidationFailed({f"cell-{task_id}-{day.isoformat()}": [_("This day is outside the week.")]})
        comment = (comments or {}).get((task_id, day), "")
        prepared.append((resource, tasks[task_id], day, effort, comment, f"cell-{task_id}-{day.isoformat()}"))
    return _apply_entries(actor=actor, project=project, plan=plan, cells=prepared)


@transaction.atomic
def time_entries_import(*, actor: User, project: Project, rows: Iterable[Any]) -> TimesheetResult:
    """Import parsed CSV rows (:class:`oeuvre.interop.timesheet_csv.TimeEntryRow`): all or nothing.

    A person is matched by username, e-mail or resource name; a task by its code. Errors name the row.
    """
    plan = plan_locked(project)
    rows = list(rows)
    resources = list(
        Resource.objects.filter(project=project).select_related("user", "project").prefetch_related("absences")
    )
    by_key: dict[str, Resource] = {}
    for r in resources:
        by_key[r.name.strip().lower()] = r
        if r.user is not None:
            by_key[r.user.username.lower()] = r
            if r.user.email:
                by_key[r.user.email.lower()] = r
    tasks = {t.code: t for t in Task.objects.filter(project=project, code__in={row.task for row in rows})}
    errors: dict[str, list[str]] = {}
    cells = []
    seen: dict[tuple[int, int, dt.date], int] = {}
    for row in rows:
        resource = by_key.get(row.person.strip().lower())
        task = tasks.get(row.task)
        if resource is None:
            errors.setdefault(f"row {row.row}, person", []).append(_("Unknown person: %(who)s.") % {"who": row.person})
            continue
        if task is None:
            errors.setdefault(f"row {row.row}, task", []).append(_("Unknown task: %(code)s.") % {"code": row.task})
            continue
        key = (resource.pk, task.pk, row.date)
        if key in seen:
            errors.setdefault(f"row {row.row}, date", []).append(
                _("Same person, task and day as row %(other)s.") % {"other": seen[key]}
            )
            continue
        seen[key] = row.row
        cells.append((resource, task, row.date, row.effort, row.comment, f"row {row.row}"))
    # Every row is checked before anything is written, so the user fixes the file once.
    return _apply_entries(actor=actor, project=project, plan=plan, cells=cells, errors=errors)


# --- Remaining effort (RAF) -------------------------------------------------------------------------


@transaction.atomic
def raf_set(
    *,
    actor: User,
    task: Task,
    raf: Decimal,
    date: dt.date | None = None,
    comment: str = "",
    expected_latest: int | None = None,
) -> RafEstimate:
    """Re-estimate a task's remaining effort, dated (today by default); the same day replaces.

    ``expected_latest`` is the id of the latest estimate the user saw (0 for none): a newer one
    since then is a concurrent edit and is refused.
    """
    project = task.project
    assigned_to_me = task.assignments.filter(resource__user=actor).exists()
    if not (can(actor, project, PLANNING_EDIT) or (assigned_to_me and can(actor, project, PLANNING_LOG_TIME))):
        require(actor, project, PLANNING_EDIT)
    plan_locked(project)
    if task.kind == TaskKind.MILESTONE:
        raise ValidationFailed({"raf": [_("A milestone has no remaining effort.")]})
    if raf < 0:
        raise ValidationFailed({"raf": [_("The remaining effort cannot be negative.")]})
    day = date or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationFailed({"date": [_("An estimate cannot be dated in the future.")]})
    latest = RafEstimate.objects.select_for_update().filter(task=task).order_by("-date", "-pk").first()
    if expected_latest is not None and (latest.pk if latest else 0) != expected_latest:
        raise StaleVersion(latest.version if latest else 0)
    estimate, created = RafEstimate.objects.get_or_create(
        task=task, date=day, defaults={"project": project, "raf": raf, "comment": comment, "author": actor}
    )
    if not created:
        estimate.raf, estimate.comment, estimate.author = raf, comment, actor
        estimate.version += 1
        _full_clean(estimate, exclude=["project", "task", "author"])
        estimate.save()
    plan_changed(project, actor)
    return estimate


# --- Baselines --------------------------------------------------------------------------------------


def planned_costs(project: Project) -> dict[int, tuple[Decimal, Decimal]]:
    """(effort, cost) planned per task: assignments at their resource's TJM, the rest at the default TJM."""
    from oeuvre.planning.costing import default_tjm

    fallback = default_tjm(project)
    efforts = dict(Task.objects.filter(project=project).values_list("pk", "effort"))
    assigned: dict[int, list[tuple[Decimal, Decimal | None, Decimal]]] = {}
    for task_id, units, effort, tjm in Assignment.objects.filter(task__project=project).values_list(
        "task_id", "units", "effort", "resource__tjm"
    ):
        assigned.setdefault(task_id, []).append((units, effort, tjm))
    out: dict[int, tuple[Decimal, Decimal]] = {}
    for task_id, effort in efforts.items():
        rows = assigned.get(task_id)
        if not rows:
            out[task_id] = (effort, effort * fallback)
            continue
        total_units = sum((u for u, _e, _t in rows), Decimal(0)) or Decimal(1)
        cost = Decimal(0)
        share_total = Decimal(0)
        for units, explicit, tjm in rows:
            share = explicit if explicit is not None else effort * units / total_units
            share_total += share
            cost += share * tjm
        rest = max(effort - share_total, Decimal(0))
        out[task_id] = (effort, (cost + rest * fallback).quantize(Decimal("0.01")))
    return out


@transaction.atomic
def baseline_take(
    *, actor: User, project: Project, name: str, description: str = "", make_reference: bool = True
) -> Baseline:
    """Freeze the current schedule (after rescheduling it) as a baseline."""
    require(actor, project, PLANNING_BASELINE)
    return _baseline_freeze(actor=actor, project=project, name=name, description=description, reference=make_reference)


@transaction.atomic
def plan_change_apply(
    *, actor: User, project: Project, extra_days: Mapping[int, int], baseline_name: str, description: str = ""
) -> Baseline:
    """Lengthen tasks by an accepted change and freeze the result as the new reference baseline.

    The permission is the caller's: a change request accepted by the MOA (``pilotage.decide_changes``) changes
    the plan as a consequence of that decision, which the MOA may take without being allowed to edit the plan.
    Each task is saved with history, the reason naming the change.
    """
    plan = plan_locked(project)
    previous = plan.baseline
    reschedule(project, plan)
    dates = Task.objects.filter(project=project).values_list("pk", "early_start", "early_finish")
    before = {pk: (start, finish) for pk, start, finish in dates}
    costs_before = planned_costs(project)
    tasks = {t.pk: t for t in Task.objects.filter(project=project, pk__in=list(extra_days))}
    lengthened: dict[int, int] = {}
    for task_id, days in extra_days.items():
        task = tasks.get(task_id)
        if task is None or days <= 0 or task.kind == TaskKind.MILESTONE:
            continue
        fresh = lock_for_update(task, None)
        fresh.duration = int(fresh.duration) + int(days)
        lengthened[task_id] = int(days)
        save_with_history(fresh, actor=actor, reason=baseline_name)
    plan_changed(project, actor, sync=True)
    overrides = None
    if previous is not None:
        # The avenant covers the change, not the delays the plan had already taken: the new reference is the
        # former one moved by what the change moves (re-freezing today's forecast would absorb the slippage).
        after = {pk: (start, finish) for pk, start, finish in dates.all()}  # a fresh query: after the change
        costs_after = planned_costs(project)
        overrides = {}
        for row in BaselineTask.objects.filter(baseline=previous, task__isnull=False):
            pk = row.task_id
            if pk not in before or pk not in after:
                continue
            (start0, finish0), (start1, finish1) = before[pk], after[pk]
            moved_start = start1 - start0 if start0 and start1 else dt.timedelta(0)
            moved_finish = finish1 - finish0 if finish0 and finish1 else dt.timedelta(0)
            overrides[pk] = (
                row.start + moved_start if row.start else start1,
                row.finish + moved_finish if row.finish else finish1,
                row.duration + lengthened.get(pk, 0),
                row.effort + costs_after[pk][0] - costs_before.get(pk, (Decimal(0), Decimal(0)))[0],
                row.cost + costs_after[pk][1] - costs_before.get(pk, (Decimal(0), Decimal(0)))[1],
            )
    return _baseline_freeze(
        actor=actor, project=project, name=baseline_name, description=description, reference=True, overrides=overrides
    )


# A baseline row's (start, finish, duration, effort, cost), by task id.
BaselineValues = tuple[dt.date | None, dt.date | None, int, Decimal, Decimal]


def _baseline_freeze(
    *,
    actor: User,
    project: Project,
    name: str,
    description: str,
    reference: bool,
    overrides: Mapping[int, BaselineValues] | None = None,
) -> Baseline:
    """Freeze the plan as a baseline; ``overrides`` gives some tasks' values instead of today's schedule."""
    if not name.strip():
        raise ValidationFailed({"name": [_("Give the baseline a name.")]})
    plan = plan_locked(project)
    reschedule(project, plan)
    costs = planned_costs(project)
    scheduled = Task.objects.filter(project=project).values_list(
        "pk", "code", "name", "lot__code", "kind", "early_start", "early_finish", "duration"
    )
    chosen = overrides or {}
    rows = [
        (pk, code, task_name, lot_code, kind, *chosen.get(pk, (start, finish, duration, *costs[pk])))
        for pk, code, task_name, lot_code, kind, start, finish, duration in scheduled
    ]
    baseline = Baseline(project=project, name=name.strip()[:200], description=description, created_by=actor)
    starts = [r[5] for r in rows if r[5]]
    finishes = [r[6] for r in rows if r[6]]
    baseline.start = min(starts) if starts else None
    baseline.finish = max(finishes) if finishes else None
    baseline.effort = sum((r[8] for r in rows), Decimal(0))
    baseline.cost = sum((r[9] for r in rows), Decimal(0))
    baseline.save()
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                baseline=baseline,
                task_id=pk,
                code=code,
                name=task_name,
                lot_code=lot_code,
                is_milestone=kind == TaskKind.MILESTONE,
                start=start,
                finish=finish,
                duration=duration,
                effort=effort,
                cost=cost,
            )
            for pk, code, task_name, lot_code, kind, start, finish, duration, effort, cost in rows
        ],
        batch_size=1000,
    )
    if reference:
        plan.baseline = baseline
        plan.version += 1
        plan.save()
    return baseline


@transaction.atomic
def baseline_select(*, actor: User, project: Project, baseline: Baseline | None, expected_version: int | None) -> Plan:
    require(actor, project, PLANNING_BASELINE)
    if baseline is not None and baseline.project_id != project.pk:
        raise ValidationFailed({"baseline": [_("This baseline belongs to another project.")]})
    plan = lock_for_update(plan_locked(project), expected_version)
    plan.baseline = baseline
    plan.save()
    return plan


@transaction.atomic
def baseline_delete(*, actor: User, baseline: Baseline) -> None:
    require(actor, baseline.project, PLANNING_BASELINE)
    plan = plan_locked(baseline.project)
    if plan.baseline_id == baseline.pk:
        raise DomainError(_("This is the reference baseline: choose another one first."))
    baseline.delete()


# --- Levelling and risk (jobs) ----------------------------------------------------------------------


@transaction.atomic
def levelling_start(*, actor: User, project: Project, method: str = "heuristic", time_limit: float = 10.0) -> Job:
    require(actor, project, PLANNING_ANALYSE)
    if method not in {"heuristic", "cpsat"}:
        raise ValidationFailed({"method": [_("Choose the heuristic or CP-SAT.")]})
    if not 1 <= time_limit <= 300:
        raise ValidationFailed({"time_limit": [_("The time limit is between 1 and 300 seconds.")]})
    plan = plan_locked(project)
    return job_enqueue(
        kind="planning.level",
        params={"project": project.pk, "method": method, "time_limit": time_limit, "revision": plan.revision},
        actor=actor,
        project=project,
    )


@transaction.atomic
def levelling_apply(*, actor: User, project: Project, job: Job) -> Plan:
    """Apply a levelling proposal: each moved task starts no earlier than its levelled start."""
    require(actor, project, PLANNING_EDIT)
    plan = plan_locked(project)
    if job.project_id != project.pk or job.kind != "planning.level" or job.status != Job.Status.DONE:
        raise DomainError(_("This is not a finished levelling of this project."))
    result = job.result
    if int(result.get("revision", -1)) != plan.revision:
        raise DomainError(_("The plan changed since this proposal was computed: run the levelling again."))
    starts = {int(k): dt.date.fromisoformat(v) for k, v in result.get("levelled_starts", {}).items()}
    tasks = list(Task.objects.select_for_update().filter(project=project))
    for task in tasks:
        target = starts.get(task.pk)
        if task.levelling_start != target:
            task.levelling_start = target
            task.version += 1
            task.save(update_fields=["levelling_start", "version", "updated_at"])
    return plan_changed(project, actor, sync=True)


@transaction.atomic
def levelling_clear(*, actor: User, project: Project) -> Plan:
    require(actor, project, PLANNING_EDIT)
    plan_locked(project)
    for task in Task.objects.select_for_update().filter(project=project, levelling_start__isnull=False):
        task.levelling_start = None
        task.version += 1
        task.save(update_fields=["levelling_start", "version", "updated_at"])
    return plan_changed(project, actor)


@transaction.atomic
def risk_start(*, actor: User, project: Project, iterations: int = 5000, seed: int = 1) -> Job:
    require(actor, project, PLANNING_ANALYSE)
    if not 100 <= iterations <= 100_000:
        raise ValidationFailed({"iterations": [_("Between 100 and 100,000 iterations.")]})
    plan = plan_locked(project)
    return job_enqueue(
        kind="planning.risk",
        params={"project": project.pk, "iterations": iterations, "seed": seed, "revision": plan.revision},
        actor=actor,
        project=project,
    )
