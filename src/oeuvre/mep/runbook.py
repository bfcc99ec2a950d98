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
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.core.services import full_clean, model_update, save_with_history
from oeuvre.mep.models import Release, RollbackPlan, RunbookStep, RunbookStepStatus
from oeuvre.mep.permissions import MEP_MANAGE, ROLLBACK_APPROVE, RUNBOOK_RUN

__all__ = [
    "ACTIONS",
    "RunbookBoard",
    "StepRow",
    "rollback_plan_approve",
    "rollback_plan_of",
    "rollback_plan_save",
    "runbook_board",
    "runbook_step_act",
    "runbook_step_create",
    "runbook_step_detail",
    "runbook_step_edit",
    "runbook_step_move",
    "runbook_steps",
]

S = RunbookStepStatus
_FINISHED = (S.FAIT, S.SAUTE)

#: action → (statuses it starts from, status it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": ((S.A_FAIRE,), S.EN_COURS),
    "done": ((S.EN_COURS,), S.FAIT),
    "fail": ((S.EN_COURS,), S.ECHEC),
    "skip": ((S.A_FAIRE,), S.SAUTE),
    "retry": ((S.ECHEC,), S.EN_COURS),
}


# --- reads -------------------------------------------------------------------------------------------------------


def runbook_steps(release: Release) -> QuerySet[RunbookStep]:
    return RunbookStep.objects.filter(release=release).select_related("owner", "started_by", "finished_by")


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

    @property
    def can_start(self) -> bool:
        return self.step.status == S.A_FAIRE and not self.blocked_by

    def as_dict(self) -> dict[str, Any]:
        s = self.step
        return {
            "id": s.pk,
            "position": s.position,
            "title": s.title,
            "owner": s.owner.username if s.owner else None,
            "status": s.status,
            "checkpoint": s.checkpoint,
            "point_of_no_return": s.point_of_no_return,
            "depends_on": list(s.depends_on or []),
            "planned_start": s.planned_start,
            "planned_minutes": s.planned_minutes,
            "started_at": s.started_at,
            "started_by": s.started_by.username if s.started_by else None,
            "finished_at": s.finished_at,
            "finished_by": s.finished_by.username if s.finished_by else None,
            "elapsed_minutes": self.elapsed_minutes,
            "start_delay_minutes": self.start_delay_minutes,
            "overrun": self.overrun,
            "failures": s.failures,
            "note": s.note,
            "rollback": s.rollback,
            "version": s.version,
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


def runbook_board(release: Release, *, now: dt.datetime | None = None) -> RunbookBoard:
    """The board: each step with its timing, blocked steps named, the rollback proposed when a step failed."""
    moment = now or timezone.now()
    steps = list(runbook_steps(release))
    by_id = {s.pk: s for s in steps}
    rows: list[StepRow] = []
    for s in steps:
        planned_end = s.planned_start + dt.timedelta(minutes=s.planned_minutes) if s.planned_start else None
        elapsed = _minutes((s.finished_at or moment) - s.started_at) if s.started_at else None
        delay: int | None = None
        if s.planned_start is not None:
            if s.started_at is not None:
                delay = _minutes(s.started_at - s.planned_start)
            elif moment > s.planned_start:
                delay = _minutes(moment - s.planned_start)
        blocked = [by_id[d] for d in (s.depends_on or []) if d in by_id and by_id[d].status not in _FINISHED]
        rows.append(
            StepRow(s, planned_end, elapsed, delay, elapsed is not None and elapsed > s.planned_minutes, blocked)
        )
    starts = [s.planned_start for s in steps if s.planned_start]
    ends = [r.planned_end for r in rows if r.planned_end]
    planned = _minutes(max(ends) - min(starts)) if starts and ends else sum(s.planned_minutes for s in steps)
    begun = [s.started_at for s in steps if s.started_at]
    elapsed_total: int | None = None
    if begun:
        running = any(s.status in (S.EN_COURS, S.ECHEC) for s in steps) or any(s.status == S.A_FAIRE for s in steps)
        last = max((s.finished_at for s in steps if s.finished_at), default=moment)
        elapsed_total = _minutes((moment if running else last) - min(begun))
    return RunbookBoard(
        release=release,
        now=moment,
        rows=rows,
        plan=rollback_plan_of(release),
        planned_minutes=planned,
        elapsed_minutes=elapsed_total,
        done=sum(1 for s in steps if s.status in _FINISHED),
        failed=[r for r in rows if r.step.status == S.ECHEC],
        no_return_passed=any(s.point_of_no_return and s.status == S.FAIT for s in steps),
    )


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


@transaction.atomic
def runbook_step_act(
    *,
    actor: User,
    step: RunbookStep,
    action: str,
    expected_version: int | None,
    note: str = "",
    at: dt.datetime | None = None,
) -> RunbookStep:
    """Start, finish (done), fail, skip or retry a step on the day, with who and when.

    A step starts only once the steps it depends on are done or skipped; failing or skipping needs a note
    saying why. ``expected_version`` is the version the board showed: a step changed since is refused
    (no lost update when several people work the board).
    """
    require(actor, step.release.project, RUNBOOK_RUN)
    if action not in ACTIONS:
        raise ValidationFailed({"action": [_("Unknown action.")]})
    sources, target = ACTIONS[action]
    moment = at or timezone.now()
    note = note.strip()
    fresh = RunbookStep.objects.select_for_update().get(pk=step.pk)
    if expected_version is not None and fresh.version != expected_version:
        # Someone acted on the step since this board was drawn: say so rather than judge a stale action.
        raise StaleVersion(fresh.version)
    if fresh.status not in sources:
        raise DomainError(
            _("Step %(n)s is %(status)s: this action does not apply.")
            % {"n": fresh.position, "status": fresh.get_status_display()}
        )
    if action in ("fail", "skip") and not note:
        raise ValidationFailed({"note": [_("Say why (it is kept with the step).")]})
    if action == "start":
        blocking = list(
            RunbookStep.objects.filter(release_id=fresh.release_id, pk__in=fresh.depends_on or []).exclude(
                status__in=_FINISHED
            )
        )
        if blocking:
            raise DomainError(
                _("Step %(n)s waits for step(s) %(steps)s.")
                % {"n": fresh.position, "steps": ", ".join(str(s.position) for s in blocking)}
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
