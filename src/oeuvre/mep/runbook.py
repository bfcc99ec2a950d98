"""The cut-over runbook (bascule) of a release and its rollback plan: reads (the live board) and writes.

A runbook is an ordered list of steps, planned (owner, start, duration, dependencies, checkpoints, point of no
return, rollback of each step) then executed on the day: each step is started, done, failed, skipped or retried,
with who and when, through :func:`runbook_step_act` (one transaction, the version checked so two people on the
board never overwrite each other). A failed step proposes the rollback while the point of no return is not passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.core.services import full_clean, model_update, save_with_history
from oeuvre.mep.models import DryRunStep, Release, RollbackPlan, RunbookRun, RunbookStep, RunbookStepStatus
from oeuvre.mep.permissions import MEP_MANAGE, ROLLBACK_APPROVE, RUNBOOK_RUN

__all__ = [
    "ACTIONS",
    "LATE_TOLERANCE_MINUTES",
    "RUNS",
    "CompareRow",
    "RunTotals",
    "RunbookBoard",
    "RunbookComparison",
    "StepRow",
    "dry_run_evidence",
    "hours_label",
    "rollback_plan_approve",
    "rollback_plan_of",
    "rollback_plan_save",
    "runbook_board",
    "runbook_comparison",
    "runbook_step_act",
    "runbook_step_create",
    "runbook_step_detail",
    "runbook_step_edit",
    "runbook_step_move",
    "runbook_steps",
]

S = RunbookStepStatus
_FINISHED = (S.FAIT, S.SAUTE)
RUNS = (RunbookRun.CUTOVER.value, RunbookRun.DRY.value)
#: A step is late in a run when it lasted more than its planned minutes plus this many.
LATE_TOLERANCE_MINUTES = 10

#: What a run records for a step: the step itself for the cut-over, its dry-run row for the dry run.
type Record = RunbookStep | DryRunStep

#: action → (statuses it starts from, status it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": ((S.A_FAIRE,), S.EN_COURS),
    "done": ((S.EN_COURS,), S.FAIT),
    "fail": ((S.EN_COURS,), S.ECHEC),
    "skip": ((S.A_FAIRE,), S.SAUTE),
    "retry": ((S.ECHEC,), S.EN_COURS),
}


# --- reads -------------------------------------------------------------------------------------------------------


def runbook_steps(release: Release, *, run: str = RunbookRun.CUTOVER) -> QuerySet[RunbookStep]:
    steps = RunbookStep.objects.filter(release=release).select_related("owner", "started_by", "finished_by")
    if run == RunbookRun.DRY:
        steps = steps.select_related("dry_run", "dry_run__started_by", "dry_run__finished_by")
    return steps


def _check_run(run: str) -> None:
    if run not in RUNS:
        raise ValidationFailed({"run": [_("« %(value)s » is not a run (dry or cutover).") % {"value": run}]})


def _dry_record(step: RunbookStep) -> DryRunStep:
    """The step's dry-run row, or a blank one (version 0: nothing recorded yet) when it was never acted on."""
    found: DryRunStep | None = getattr(step, "dry_run", None)
    return found if found is not None else DryRunStep(step=step, version=0)


def runbook_step_detail(release: Release, pk: int) -> RunbookStep:
    return get_object_or_404(runbook_steps(release), pk=pk)


def rollback_plan_of(release: Release) -> RollbackPlan | None:
    return RollbackPlan.objects.filter(release=release).first()


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


@dataclass(frozen=True)
class StepRow:
    """A step as the board shows it: its planned end, the minutes it has run, how late it started."""

    step: RunbookStep
    planned_end: dt.datetime | None
    elapsed_minutes: int | None
    start_delay_minutes: int | None
    overrun: bool
    blocked_by: list[RunbookStep]
    rec: Record
    """What the board's run recorded for the step (status, who, when): the step itself for the cut-over."""

    @property
    def can_start(self) -> bool:
        return self.rec.status == S.A_FAIRE and not self.blocked_by

    def as_dict(self) -> dict[str, Any]:
        s, r = self.step, self.rec
        return {
            "id": s.pk,
            "position": s.position,
            "title": s.title,
            "owner": s.owner.username if s.owner else None,
            "status": r.status,
            "checkpoint": s.checkpoint,
            "point_of_no_return": s.point_of_no_return,
            "depends_on": list(s.depends_on or []),
            "planned_start": s.planned_start,
            "planned_minutes": s.planned_minutes,
            "started_at": r.started_at,
            "started_by": r.started_by.username if r.started_by else None,
            "finished_at": r.finished_at,
            "finished_by": r.finished_by.username if r.finished_by else None,
            "elapsed_minutes": self.elapsed_minutes,
            "start_delay_minutes": self.start_delay_minutes,
            "overrun": self.overrun,
            "failures": r.failures,
            "note": r.note,
            "rollback": s.rollback,
            "version": r.version,
        }


@dataclass(frozen=True)
class RunbookBoard:
    """The live board of a release's runbook at ``now``: rows, progress, elapsed against plan, rollback proposal."""

    release: Release
    now: dt.datetime
    rows: list[StepRow]
    plan: RollbackPlan | None
    planned_minutes: int
    elapsed_minutes: int | None
    done: int
    failed: list[StepRow] = field(default_factory=list)
    no_return_passed: bool = False
    run: str = RunbookRun.CUTOVER

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def propose_rollback(self) -> bool:
        """A step failed and the point of no return is not passed: the rollback is on the table."""
        return bool(self.failed) and not self.no_return_passed

    def as_dict(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "release": self.release.number,
            "run": self.run,
            "steps": [r.as_dict() for r in self.rows],
            "done": self.done,
            "total": self.total,
            "planned_minutes": self.planned_minutes,
            "elapsed_minutes": self.elapsed_minutes,
            "point_of_no_return_passed": self.no_return_passed,
            "propose_rollback": self.propose_rollback,
            "rollback_plan": None
            if plan is None
            else {
                "steps": plan.step_lines,
                "decision_criterion": plan.decision_criterion,
                "max_minutes": plan.max_minutes,
                "tested_on": plan.tested_on,
                "test_result": plan.test_result,
                "approved_by": plan.approved_by.username if plan.approved_by else None,
                "approved_at": plan.approved_at,
                "version": plan.version,
            },
        }


def _planned_total(steps: list[RunbookStep]) -> int:
    """The plan's length: from the first planned start to the last planned end, or the sum of the durations."""
    starts = [s.planned_start for s in steps if s.planned_start]
    ends = [s.planned_start + dt.timedelta(minutes=s.planned_minutes) for s in steps if s.planned_start]
    return _minutes(max(ends) - min(starts)) if starts else sum(s.planned_minutes for s in steps)


def _records(steps: list[RunbookStep], run: str) -> list[Record]:
    return [_dry_record(s) for s in steps] if run == RunbookRun.DRY else list(steps)


def _run_elapsed(records: list[Record], moment: dt.datetime) -> int | None:
    """From the run's first start to its last end once every step is done or skipped, else to ``moment``."""
    begun = [r.started_at for r in records if r.started_at]
    if not begun:
        return None
    running = any(r.status not in _FINISHED for r in records)
    last = max((r.finished_at for r in records if r.finished_at), default=moment)
    return _minutes((moment if running else last) - min(begun))


def runbook_board(release: Release, *, now: dt.datetime | None = None, run: str = RunbookRun.CUTOVER) -> RunbookBoard:
    """The board of one run (the cut-over, or the dry run): each step with its timing, blocked steps named, the
    rollback proposed when a step failed.

    The dry run happens on another day than the plan: its steps are timed against the plan shifted to the dry
    run's first start.
    """
    _check_run(run)
    moment = now or timezone.now()
    steps = list(runbook_steps(release, run=run))
    records = _records(steps, run)
    status_of = {s.pk: r.status for s, r in zip(steps, records, strict=True)}
    by_id = {s.pk: s for s in steps}
    shift = dt.timedelta(0)
    if run == RunbookRun.DRY:
        planned_starts = [s.planned_start for s in steps if s.planned_start]
        begun = [r.started_at for r in records if r.started_at]
        shift = min(begun) - min(planned_starts) if planned_starts and begun else dt.timedelta(0)
    rows: list[StepRow] = []
    for s, r in zip(steps, records, strict=True):
        planned_start = s.planned_start + shift if s.planned_start else None
        planned_end = planned_start + dt.timedelta(minutes=s.planned_minutes) if planned_start else None
        elapsed = _minutes((r.finished_at or moment) - r.started_at) if r.started_at else None
        delay: int | None = None
        if planned_start is not None and (run == RunbookRun.CUTOVER or shift):
            if r.started_at is not None:
                delay = _minutes(r.started_at - planned_start)
            elif moment > planned_start:
                delay = _minutes(moment - planned_start)
        blocked = [by_id[d] for d in (s.depends_on or []) if d in by_id and status_of[d] not in _FINISHED]
        rows.append(
            StepRow(s, planned_end, elapsed, delay, elapsed is not None and elapsed > s.planned_minutes, blocked, r)
        )
    return RunbookBoard(
        release=release,
        now=moment,
        rows=rows,
        plan=rollback_plan_of(release),
        planned_minutes=_planned_total(steps),
        elapsed_minutes=_run_elapsed(records, moment),
        done=sum(1 for r in records if r.status in _FINISHED),
        failed=[row for row in rows if row.rec.status == S.ECHEC],
        no_return_passed=any(s.point_of_no_return and r.status == S.FAIT for s, r in zip(steps, records, strict=True)),
        run=run,
    )


# --- the dry run compared with the plan and the cut-over -----------------------------------------------------------


def _duration(record: Record) -> int | None:
    """How long a done step took in a run, from its last (re)start to its end; ``None`` unless done."""
    if record.status != S.FAIT or record.started_at is None or record.finished_at is None:
        return None
    return _minutes(record.finished_at - record.started_at)


@dataclass(frozen=True)
class CompareRow:
    """One step: planned minutes, minutes taken in the dry run and in the cut-over, and the drift of each."""

    step: RunbookStep
    dry_minutes: int | None
    cutover_minutes: int | None
    tolerance: int

    @property
    def dry_drift(self) -> int | None:
        return None if self.dry_minutes is None else self.dry_minutes - self.step.planned_minutes

    @property
    def cutover_drift(self) -> int | None:
        return None if self.cutover_minutes is None else self.cutover_minutes - self.step.planned_minutes

    @property
    def dry_late(self) -> bool:
        return self.dry_drift is not None and self.dry_drift > self.tolerance

    @property
    def cutover_late(self) -> bool:
        return self.cutover_drift is not None and self.cutover_drift > self.tolerance

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.step.pk,
            "position": self.step.position,
            "title": self.step.title,
            "planned_minutes": self.step.planned_minutes,
            "dry_minutes": self.dry_minutes,
            "dry_drift": self.dry_drift,
            "dry_late": self.dry_late,
            "cutover_minutes": self.cutover_minutes,
            "cutover_drift": self.cutover_drift,
            "cutover_late": self.cutover_late,
        }


@dataclass(frozen=True)
class RunTotals:
    """One run as a whole: when it started, whether every step is done or skipped, its length, its late steps."""

    run: str
    started_at: dt.datetime | None
    finished: bool
    done: int
    elapsed_minutes: int | None
    late: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "started_at": self.started_at,
            "finished": self.finished,
            "done": self.done,
            "elapsed_minutes": self.elapsed_minutes,
            "late": self.late,
        }


@dataclass(frozen=True)
class RunbookComparison:
    """The plan against the dry run and the real cut-over, step by step and in total."""

    release: Release
    tolerance: int
    planned_minutes: int
    rows: list[CompareRow]
    dry: RunTotals
    cutover: RunTotals

    def as_dict(self) -> dict[str, Any]:
        return {
            "release": self.release.number,
            "tolerance_minutes": self.tolerance,
            "planned_minutes": self.planned_minutes,
            "steps": [r.as_dict() for r in self.rows],
            "dry": self.dry.as_dict(),
            "cutover": self.cutover.as_dict(),
        }


def _totals(run: str, records: list[Record], late: int, moment: dt.datetime) -> RunTotals:
    begun = [r.started_at for r in records if r.started_at]
    done = sum(1 for r in records if r.status in _FINISHED)
    return RunTotals(
        run=run,
        started_at=min(begun) if begun else None,
        finished=bool(records) and done == len(records),
        done=done,
        elapsed_minutes=_run_elapsed(records, moment),
        late=late,
    )


def runbook_comparison(
    release: Release, *, tolerance: int = LATE_TOLERANCE_MINUTES, now: dt.datetime | None = None
) -> RunbookComparison:
    """Per step, planned against dry run against real duration and the drift; a step is late when it took more
    than its plan plus ``tolerance`` minutes. One query."""
    if tolerance < 0:
        raise ValidationFailed({"tolerance": [_("Give whole minutes.")]})
    moment = now or timezone.now()
    steps = list(runbook_steps(release, run=RunbookRun.DRY))
    dry = [_dry_record(s) for s in steps]
    rows = [CompareRow(s, _duration(d), _duration(s), tolerance) for s, d in zip(steps, dry, strict=True)]
    return RunbookComparison(
        release=release,
        tolerance=tolerance,
        planned_minutes=_planned_total(steps),
        rows=rows,
        dry=_totals(RunbookRun.DRY, list(dry), sum(r.dry_late for r in rows), moment),
        cutover=_totals(RunbookRun.CUTOVER, list(steps), sum(r.cutover_late for r in rows), moment),
    )


def hours_label(minutes: int) -> str:
    """« 5 h 10 », « 5 h », « 45 min »: a run's length as people say it."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}


def dry_run_evidence(release: Release) -> str:
    """What the runbook says of the dry run, for the go/no-go's « dry run done » criterion ("" without steps)."""
    c = runbook_comparison(release)
    if not c.rows:
        return ""
    if not c.dry.finished or c.dry.started_at is None or c.dry.elapsed_minutes is None:
        return _("No finished dry run on the runbook (%(done)s of %(total)s steps).") % {
            "done": c.dry.done,
            "total": len(c.rows),
        }
    late = ngettext("%(n)s step late", "%(n)s steps late", c.dry.late) % {"n": c.dry.late}
    return _("Dry run on %(date)s: %(elapsed)s for %(planned)s planned, %(late)s.") % {
        "date": date_format(timezone.localtime(c.dry.started_at), "d/m"),
        "elapsed": hours_label(c.dry.elapsed_minutes),
        "planned": hours_label(c.planned_minutes),
        "late": late,
    }


# --- writes ------------------------------------------------------------------------------------------------------


def _check_dependencies(release: Release, depends_on: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for raw in depends_on:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            raise ValidationFailed({"depends_on": [_("« %(value)s » is not a step.") % {"value": raw}]}) from None
    known = set(RunbookStep.objects.filter(release=release, pk__in=ids).values_list("pk", flat=True))
    missing = [str(i) for i in ids if i not in known]
    if missing:
        raise ValidationFailed({"depends_on": [_("No step %(ids)s in this runbook.") % {"ids": ", ".join(missing)}]})
    return sorted(set(ids))


@transaction.atomic
def runbook_step_create(
    *,
    actor: User,
    release: Release,
    title: str,
    owner: User | None = None,
    planned_start: dt.datetime | None = None,
    planned_minutes: int = 30,
    depends_on: Iterable[Any] = (),
    checkpoint: bool = False,
    point_of_no_return: bool = False,
    rollback: str = "",
) -> RunbookStep:
    """Add a step at the end of the runbook; it may depend only on steps already in it."""
    require(actor, release.project, MEP_MANAGE)
    # Lock the release so two steps added at once do not take the same position.
    Release.objects.select_for_update().filter(pk=release.pk).first()
    position = (RunbookStep.objects.filter(release=release).aggregate(m=Max("position"))["m"] or 0) + 1
    step = RunbookStep(
        release=release,
        position=position,
        title=title.strip(),
        owner=owner,
        planned_start=planned_start,
        planned_minutes=planned_minutes,
        depends_on=_check_dependencies(release, depends_on),
        checkpoint=checkpoint,
        point_of_no_return=point_of_no_return,
        rollback=rollback.strip(),
    )
    if planned_minutes < 1:
        raise ValidationFailed({"planned_minutes": [_("A step lasts at least one minute.")]})
    full_clean(step, exclude=["release"])
    save_with_history(step, actor=actor)
    return step


STEP_FIELDS = (
    "title",
    "owner",
    "planned_start",
    "planned_minutes",
    "depends_on",
    "checkpoint",
    "point_of_no_return",
    "rollback",
)


def _check_earlier(step: RunbookStep, depends_on: list[int]) -> None:
    later = set(
        RunbookStep.objects.filter(release=step.release, pk__in=depends_on, position__gte=step.position).values_list(
            "pk", flat=True
        )
    )
    if later:
        raise ValidationFailed({"depends_on": [_("A step depends only on steps before it.")]})


@transaction.atomic
def runbook_step_edit(*, actor: User, step: RunbookStep, expected_version: int | None, **data: Any) -> RunbookStep:
    """Change a step's plan after creation (title, owner, timing, dependencies, rollback), the version checked."""
    require(actor, step.release.project, MEP_MANAGE)
    if "title" in data:
        data["title"] = str(data["title"]).strip()
    if "rollback" in data:
        data["rollback"] = str(data["rollback"]).strip()
    if "planned_minutes" in data and int(data["planned_minutes"]) < 1:
        raise ValidationFailed({"planned_minutes": [_("A step lasts at least one minute.")]})
    if "depends_on" in data:
        data["depends_on"] = _check_dependencies(step.release, data["depends_on"])
        _check_earlier(step, data["depends_on"])
    updated, _changed = model_update(
        instance=step, fields=STEP_FIELDS, data=data, actor=actor, expected_version=expected_version
    )
    return updated


@transaction.atomic
def runbook_step_move(*, actor: User, step: RunbookStep, direction: str, expected_version: int | None) -> RunbookStep:
    """Swap a step with the one before (``up``) or after (``down``); a dependency keeps its order."""
    require(actor, step.release.project, MEP_MANAGE)
    if direction not in ("up", "down"):
        raise ValidationFailed({"direction": [_("Move a step up or down.")]})
    # Lock the whole runbook: two moves at once must not take the same position.
    steps = list(RunbookStep.objects.select_for_update().filter(release=step.release).order_by("position", "pk"))
    fresh = next(s for s in steps if s.pk == step.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleVersion(fresh.version)
    index = steps.index(fresh) + (-1 if direction == "up" else 1)
    if index < 0 or index >= len(steps):
        raise ValidationFailed({"direction": [_("This step is already at that end of the runbook.")]})
    other = steps[index]
    first, second = (other, fresh) if direction == "up" else (fresh, other)
    if first.pk in (second.depends_on or []):
        raise ValidationFailed(
            {"direction": [_("« %(title)s » depends on the step it would pass.") % {"title": second.title}]}
        )
    a, b = fresh.position, other.position
    # The positions are unique: park one step out of the way, then swap.
    RunbookStep.objects.filter(pk=fresh.pk).update(position=0)
    other.position, other.version = a, other.version + 1
    save_with_history(other, actor=actor, reason=_("moved"), update_fields=["position"])
    fresh.position, fresh.version = b, fresh.version + 1
    save_with_history(fresh, actor=actor, reason=_("moved"), update_fields=["position"])
    return fresh


def _lock_record(step: RunbookStep, run: str, expected_version: int | None, actor: User) -> tuple[Record, int | None]:
    """Lock the record the run keeps for ``step``; the dry run's row is made on its first action (version 0 on
    the board before it exists)."""
    fresh = RunbookStep.objects.select_for_update().get(pk=step.pk)
    if run == RunbookRun.CUTOVER:
        return fresh, expected_version
    row = DryRunStep.objects.select_for_update().filter(step=fresh).first()
    if row is None:
        if expected_version not in (None, 0):
            raise StaleVersion(0)
        row = DryRunStep(step=fresh)
        save_with_history(row, actor=actor, reason=_("dry run"))
        return row, row.version
    return row, expected_version


def _blocking(step: RunbookStep, run: str) -> list[RunbookStep]:
    """The steps ``step`` depends on that the run has not done or skipped yet."""
    deps = RunbookStep.objects.filter(release_id=step.release_id, pk__in=step.depends_on or [])
    if run == RunbookRun.CUTOVER:
        return list(deps.exclude(status__in=_FINISHED))
    return list(deps.exclude(dry_run__status__in=_FINISHED))


@transaction.atomic
def runbook_step_act(
    *,
    actor: User,
    step: RunbookStep,
    action: str,
    expected_version: int | None,
    note: str = "",
    at: dt.datetime | None = None,
    run: str = RunbookRun.CUTOVER,
) -> Record:
    """Start, finish (done), fail, skip or retry a step in a run (the cut-over, or the dry run), with who and when.

    A step starts only once the steps it depends on are done or skipped in the same run; failing or skipping
    needs a note saying why. ``expected_version`` is the version the board showed: a step changed since is
    refused (no lost update when several people work the board). Returns what the run recorded: the step for
    the cut-over, its :class:`DryRunStep` for the dry run.
    """
    require(actor, step.release.project, RUNBOOK_RUN)
    _check_run(run)
    if action not in ACTIONS:
        raise ValidationFailed({"action": [_("Unknown action.")]})
    sources, target = ACTIONS[action]
    moment = at or timezone.now()
    note = note.strip()
    fresh, expected_version = _lock_record(step, run, expected_version, actor)
    plan = fresh if isinstance(fresh, RunbookStep) else fresh.step
    if expected_version is not None and fresh.version != expected_version:
        # Someone acted on the step since this board was drawn: say so rather than judge a stale action.
        raise StaleVersion(fresh.version)
    if fresh.status not in sources:
        raise DomainError(
            _("Step %(n)s is %(status)s: this action does not apply.")
            % {"n": plan.position, "status": fresh.get_status_display()}
        )
    if action in ("fail", "skip") and not note:
        raise ValidationFailed({"note": [_("Say why (it is kept with the step).")]})
    if action == "start":
        blocking = _blocking(plan, run)
        if blocking:
            raise DomainError(
                _("Step %(n)s waits for step(s) %(steps)s.")
                % {"n": plan.position, "steps": ", ".join(str(s.position) for s in blocking)}
            )
    data: dict[str, Any] = {"status": target}
    if action in ("start", "retry"):
        data.update(started_at=moment, started_by=actor, finished_at=None, finished_by=None)
    else:
        data.update(finished_at=moment, finished_by=actor)
    if action == "fail":
        data["failures"] = fresh.failures + 1
    if note:
        data["note"] = note
    updated, _changed = model_update(
        instance=fresh,
        fields=("status", "started_at", "started_by", "finished_at", "finished_by", "failures", "note"),
        data=data,
        actor=actor,
        expected_version=expected_version,
        reason=note,
    )
    return updated


_PLAN_FIELDS = ("steps", "decision_criterion", "max_minutes", "tested_on", "test_result")


@transaction.atomic
def rollback_plan_save(*, actor: User, release: Release, expected_version: int | None, **data: Any) -> RollbackPlan:
    """Create or edit the rollback plan of ``release`` (steps, decision criterion, longest duration, test)."""
    require(actor, release.project, MEP_MANAGE)
    unknown = set(data) - set(_PLAN_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    for name in ("steps", "decision_criterion", "test_result"):
        if name in data:
            data[name] = str(data[name] or "").strip()
    if "max_minutes" in data:
        try:
            data["max_minutes"] = int(data["max_minutes"])
        except (TypeError, ValueError):
            raise ValidationFailed({"max_minutes": [_("Give whole minutes.")]}) from None
        if data["max_minutes"] < 1:
            raise ValidationFailed({"max_minutes": [_("Give whole minutes.")]})
    found = RollbackPlan.objects.select_for_update().filter(release=release).first()
    if found is None:
        plan = RollbackPlan(release=release, **data)
        full_clean(plan, exclude=["release"])
        save_with_history(plan, actor=actor)
        return plan
    reason = ""
    if found.approved_at is not None and any(getattr(found, name) != value for name, value in data.items()):
        # The buyer approved another text: the changed plan waits for a new approval.
        data = {**data, "approved_by": None, "approved_at": None}
        reason = _("changed after its approval: to approve again")
    plan, _changed = model_update(
        instance=found,
        fields=(*_PLAN_FIELDS, "approved_by", "approved_at"),
        data=data,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
    )
    return plan


@transaction.atomic
def rollback_plan_approve(*, actor: User, release: Release, expected_version: int | None) -> RollbackPlan:
    """The buyer (MOA) approves the rollback plan as it stands; any later change withdraws the approval."""
    require(actor, release.project, ROLLBACK_APPROVE)
    found = RollbackPlan.objects.filter(release=release).first()
    if found is None:
        raise ValidationFailed({"plan": [_("This release has no rollback plan to approve.")]})
    plan, _changed = model_update(
        instance=found,
        fields=("approved_by", "approved_at"),
        data={"approved_by": actor, "approved_at": timezone.now()},
        actor=actor,
        expected_version=expected_version,
        reason=_("approved"),
    )
    return plan
