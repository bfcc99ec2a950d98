"""Every write on anomalies: creation (also pre-filled from a KO), edits, the workflow, severity labels.

Workflow (DOMAIN.md): nouvelle → qualifiée → en correction → livrée → vérifiée → close; rejetée from
nouvelle or qualifiée (with a reason); reclassification as a demande d'évolution (kind ``evolution``: it
leaves the defect counts); reopening from livrée or vérifiée back to en correction when verification fails.
Each step has its own permission, checked here: the edges only call these functions.

The testbook slice calls :func:`anomaly_create` and :func:`anomaly_create_from_execution` from its execution
screen and its JUnit import: keep their names and keyword-only signatures stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.events import declare_event, emit
from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    Anomaly,
    AnomalyKind,
    AnomalyPriority,
    AnomalyStatus,
    Campaign,
    Execution,
    ExecutionStatus,
    RecetteSettings,
    Severity,
    StepResult,
    TestCase,
    TestStep,
)
from oeuvre.recette.permissions import (
    ANOMALY_FIX,
    ANOMALY_QUALIFY,
    ANOMALY_REPORT,
    ANOMALY_VERIFY,
    RECETTE_CONFIGURE,
)

__all__ = [
    "TRANSITIONS",
    "Transition",
    "anomaly_close",
    "anomaly_create",
    "anomaly_create_from_execution",
    "anomaly_deliver",
    "anomaly_qualify",
    "anomaly_reclassify",
    "anomaly_reject",
    "anomaly_reopen",
    "anomaly_start_fix",
    "anomaly_transition",
    "anomaly_update",
    "anomaly_verify",
    "available_transitions",
    "severity_labels_update",
]

S = AnomalyStatus
# Fields a qualifier may edit directly; the status and kind only move through the transitions below.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "severity",
        "priority",
        "blocks_step_start",
        "test_case",
        "exigence",
        "campaign",
        "release_found",
        "release_fixed",
        "assignee",
        "due_on",
    }
)


@dataclass(frozen=True)
class Transition:
    """One move of the workflow: who may make it, from which states, to which state."""

    action: str
    label: Any
    permission: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (reclassification changes the kind)
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("qualify", gettext_lazy("Qualify"), ANOMALY_QUALIFY, frozenset({S.NOUVELLE}), S.QUALIFIEE),
        Transition(
            "reject",
            gettext_lazy("Reject"),
            ANOMALY_QUALIFY,
            frozenset({S.NOUVELLE, S.QUALIFIEE}),
            S.REJETEE,
            needs_reason=True,
        ),
        Transition(
            "reclassify",
            gettext_lazy("Reclassify as change request"),
            ANOMALY_QUALIFY,
            frozenset({S.NOUVELLE, S.QUALIFIEE}),
            None,
            needs_reason=True,
        ),
        Transition("start_fix", gettext_lazy("Start the fix"), ANOMALY_FIX, frozenset({S.QUALIFIEE}), S.EN_CORRECTION),
        Transition("deliver", gettext_lazy("Deliver the fix"), ANOMALY_FIX, frozenset({S.EN_CORRECTION}), S.LIVREE),
        Transition("verify", gettext_lazy("Verify the fix"), ANOMALY_VERIFY, frozenset({S.LIVREE}), S.VERIFIEE),
        Transition("close", pgettext_lazy("anomaly action", "Close"), ANOMALY_VERIFY, frozenset({S.VERIFIEE}), S.CLOSE),
        Transition(
            "reopen",
            gettext_lazy("Reopen (verification failed)"),
            ANOMALY_VERIFY,
            frozenset({S.LIVREE, S.VERIFIEE}),
            S.EN_CORRECTION,
            needs_reason=True,
        ),
    )
}


def available_transitions(anomaly: Anomaly, granted: set[str]) -> list[Transition]:
    """The moves open from the anomaly's state for someone holding ``granted`` permissions."""
    result = []
    for t in TRANSITIONS.values():
        if anomaly.status not in t.sources or t.permission not in granted:
            continue
        if t.action == "reclassify" and anomaly.kind == AnomalyKind.EVOLUTION:
            continue
        result.append(t)
    return result


# --- helpers --------------------------------------------------------------------------------------------


def _save(instance: Any, actor: User | None, reason: str = "") -> None:
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason[:100]
    instance.save()


def _full_clean(instance: Any) -> None:
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


def settings_for(project: Project) -> RecetteSettings:
    found, _created = RecetteSettings.objects.get_or_create(project=project)
    return found


def _settings_locked(project: Project) -> RecetteSettings:
    RecetteSettings.objects.get_or_create(project=project)
    return RecetteSettings.objects.select_for_update().get(project=project)


def _allocate_reference(project: Project) -> tuple[str, int]:
    """The next free ``ANO-012`` under the settings' row lock (two reporters never get the same one)."""
    conf = _settings_locked(project)
    number = conf.next_anomaly_number
    taken = set(
        Anomaly.objects.filter(project=project, reference__startswith=f"{conf.anomaly_prefix}-").values_list(
            "reference", flat=True
        )
    )
    while (reference := f"{conf.anomaly_prefix}-{number:0{conf.reference_digits}d}") in taken:
        number += 1
    conf.next_anomaly_number = number + 1
    conf.save(update_fields=["next_anomaly_number"])
    return reference, number


def _check_choice(field: str, value: Any, choices: Any) -> None:
    if value not in choices.values:
        raise ValidationFailed({field: [_("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)}]})


def _check_links(project: Project, values: dict[str, Any]) -> None:
    """Every linked item must belong to the anomaly's project (and the assignee be a member)."""
    errors: dict[str, list[str]] = {}
    for field in ("execution", "test_case", "exigence", "campaign"):
        obj = values.get(field)
        if obj is not None and obj.project_id != project.pk:
            errors[field] = [_("This item belongs to another project.")]
    assignee = values.get("assignee")
    if assignee is not None and not project.memberships.filter(user=assignee).exists():
        errors["assignee"] = [_("This person is not a member of the project.")]
    execution = values.get("execution")
    step = values.get("step_position")
    if step is not None:
        if execution is None:
            errors["step_position"] = [_("A failed step needs the execution it belongs to.")]
        elif step < 1 or not _step_exists(execution, step):
            errors["step_position"] = [_("Step %(n)s does not exist in this execution.") % {"n": step}]
    if errors:
        raise ValidationFailed(errors)


def _revision_steps(execution: Execution) -> list[dict[str, Any]]:
    """The steps as they were run (frozen in the revision), falling back to the case's current steps."""
    content = execution.test_case_revision.content if execution.test_case_revision_id else None
    steps = content.get("steps") if isinstance(content, dict) else None
    if isinstance(steps, list) and steps:
        result = []
        for index, step in enumerate(steps, start=1):
            if isinstance(step, dict):
                result.append(
                    {
                        "position": int(step.get("position") or index),
                        "action": str(step.get("action", "")),
                        "expected": str(step.get("expected", "")),
                    }
                )
        if result:
            return result
    return [
        {"position": s.position, "action": s.action, "expected": s.expected}
        for s in TestStep.objects.filter(test_case_id=execution.test_case_id).order_by("position")
    ]


def _step_exists(execution: Execution, position: int) -> bool:
    return any(s["position"] == position for s in _revision_steps(execution))


def _now_stamp(anomaly: Anomaly) -> None:
    now = timezone.now()
    anomaly.status_changed_at = now
    anomaly.closed_at = now if anomaly.status in {S.CLOSE, S.REJETEE} else None


# --- creation and edits ---------------------------------------------------------------------------------


@transaction.atomic
def anomaly_create(
    *,
    actor: User,
    project: Project,
    title: str,
    description: str = "",
    severity: str = Severity.MAJEURE,
    priority: str = AnomalyPriority.P3,
    kind: str = AnomalyKind.ANOMALIE,
    blocks_step_start: bool = False,
    execution: Execution | None = None,
    step_position: int | None = None,
    test_case: TestCase | None = None,
    exigence: Any | None = None,
    campaign: Campaign | None = None,
    release_found: str = "",
    assignee: User | None = None,
    due_on: date | None = None,
) -> Anomaly:
    """Report an anomaly (status nouvelle) with the next ``ANO-nnn`` reference of the project."""
    require(actor, project, ANOMALY_REPORT)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed({"title": [_("Give a title.")]})
    _check_choice("severity", severity, Severity)
    _check_choice("priority", priority, AnomalyPriority)
    _check_choice("kind", kind, AnomalyKind)
    links = {
        "execution": execution,
        "step_position": step_position,
        "test_case": test_case,
        "exigence": exigence,
        "campaign": campaign,
        "assignee": assignee,
    }
    _check_links(project, links)
    if execution is not None:
        test_case = test_case or execution.test_case
        campaign = campaign or execution.iteration.campaign
    anomaly = Anomaly(
        project=project,
        title=title[:300],
        description=description,
        severity=severity,
        priority=priority,
        kind=kind,
        blocks_step_start=blocks_step_start,
        execution=execution,
        step_position=step_position,
        test_case=test_case,
        exigence=exigence,
        campaign=campaign,
        release_found=release_found,
        reported_by=actor,
        assignee=assignee,
        due_on=due_on,
        status=S.NOUVELLE,
        status_changed_at=timezone.now(),
    )
    anomaly.reference, anomaly.number = "-", 0
    _full_clean(anomaly)
    anomaly.reference, anomaly.number = _allocate_reference(project)
    _save(anomaly, actor)
    if anomaly.assignee_id:
        _announce(ANOMALY_ASSIGNED, anomaly, actor)
    return anomaly


def _first_failed_step(execution: Execution) -> int | None:
    return (
        StepResult.objects.filter(execution=execution, status__in=[ExecutionStatus.KO, ExecutionStatus.BLOQUE])
        .order_by("position")
        .values_list("position", flat=True)
        .first()
    )


def prefill_from_execution(execution: Execution, step_position: int | None = None) -> dict[str, Any]:
    """What a KO suggests: title and description from the failed step, the case, its first exigence,
    the campaign and the release under test (also used by forms to show the suggestion)."""
    if step_position is None:
        step_position = _first_failed_step(execution)
    steps = {s["position"]: s for s in _revision_steps(execution)}
    step = steps.get(step_position) if step_position is not None else None
    actual = ""
    if step_position is not None:
        actual = (
            StepResult.objects.filter(execution=execution, position=step_position)
            .values_list("actual", flat=True)
            .first()
            or ""
        )
    case = execution.test_case
    iteration = execution.iteration
    campaign = iteration.campaign
    if step is not None:
        title = _("%(case)s, step %(n)s: %(action)s") % {
            "case": case.reference,
            "n": step_position,
            "action": step["action"].splitlines()[0][:200] if step["action"] else "",
        }
        lines = [
            _("Test case: %(ref)s — %(title)s") % {"ref": case.reference, "title": case.title},
            _("Step %(n)s") % {"n": step_position},
            _("Action: %(text)s") % {"text": step["action"]},
            _("Expected result: %(text)s") % {"text": step["expected"]},
            _("Actual result: %(text)s") % {"text": actual or execution.message or "—"},
        ]
    else:
        title = _("%(case)s failed: %(title)s") % {"case": case.reference, "title": case.title}
        lines = [
            _("Test case: %(ref)s — %(title)s") % {"ref": case.reference, "title": case.title},
            _("Actual result: %(text)s") % {"text": execution.message or execution.comment or "—"},
        ]
    lines.append(_("Campaign: %(campaign)s, iteration %(n)s") % {"campaign": campaign.name, "n": iteration.number})
    exigence = case.exigences.order_by("number", "reference").first()
    return {
        "title": title[:300],
        "description": "\n".join(lines),
        "step_position": step_position if step is not None else None,
        "test_case": case,
        "exigence": exigence,
        "campaign": campaign,
        "release_found": iteration.release or campaign.release,
    }


@transaction.atomic
def anomaly_create_from_execution(
    *, actor: User, execution: Execution, step_position: int | None = None, **overrides: Any
) -> Anomaly:
    """Quick creation from a KO (or bloqué) execution, pre-filled from its failed step.

    ``step_position=None`` takes the first failed step; ``overrides`` (title, severity, priority…) win over
    the suggestion.
    """
    require(actor, execution.project, ANOMALY_REPORT)
    if execution.status not in {ExecutionStatus.KO, ExecutionStatus.BLOQUE}:
        raise DomainError(_("Only a failed or blocked execution suggests an anomaly."))
    if step_position is not None and not _step_exists(execution, step_position):
        raise ValidationFailed(
            {"step_position": [_("Step %(n)s does not exist in this execution.") % {"n": step_position}]}
        )
    values = prefill_from_execution(execution, step_position)
    unknown = set(overrides) - (EDITABLE_FIELDS | {"kind"})
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    values.update(overrides)
    return anomaly_create(actor=actor, project=execution.project, execution=execution, **values)


@transaction.atomic
def anomaly_update(*, actor: User, anomaly: Anomaly, expected_version: int | None, **changes: Any) -> Anomaly:
    """Edit the description, severity, priority, links… (the status moves only through transitions)."""
    require(actor, anomaly.project, ANOMALY_QUALIFY)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise ValidationFailed({"title": [_("Give a title.")]})
    if "severity" in changes:
        _check_choice("severity", changes["severity"], Severity)
    if "priority" in changes:
        _check_choice("priority", changes["priority"], AnomalyPriority)
    _check_links(anomaly.project, changes)
    fresh = lock_for_update(anomaly, expected_version)
    assignee_before = fresh.assignee_id
    for name, value in changes.items():
        setattr(fresh, name, value)
    _full_clean(fresh)
    _save(fresh, actor)
    if fresh.assignee_id and fresh.assignee_id != assignee_before:
        _announce(ANOMALY_ASSIGNED, fresh, actor)
    return fresh


# --- workflow -------------------------------------------------------------------------------------------


@transaction.atomic
def anomaly_transition(
    *,
    actor: User,
    anomaly: Anomaly,
    action: str,
    expected_version: int | None,
    reason: str = "",
    **fields: Any,
) -> Anomaly:
    """Move the anomaly along the workflow; refuses an illegal move with a message naming both states."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationFailed({"action": [_("Unknown action %(action)s.") % {"action": action}]})
    require(actor, anomaly.project, transition.permission)
    allowed_fields = {"qualify": {"severity", "priority", "assignee", "due_on"}, "deliver": {"release_fixed"}}.get(
        action, set()
    ) | ({"assignee"} if action == "start_fix" else set())
    unknown = set(fields) - allowed_fields
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set by this action.")] for name in sorted(unknown)})
    fresh = lock_for_update(anomaly, expected_version)
    assignee_before, status_before = fresh.assignee_id, fresh.status
    if fresh.status not in transition.sources:
        raise DomainError(
            _("%(ref)s is “%(status)s”: “%(action)s” is only possible from %(sources)s.")
            % {
                "ref": fresh.reference,
                "status": fresh.get_status_display(),
                "action": transition.label,
                "sources": ", ".join(f"“{S(s).label}”" for s in sorted(transition.sources)),
            }
        )
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationFailed({"reason": [_("Give the reason.")]})
    if "severity" in fields:
        _check_choice("severity", fields["severity"], Severity)
    if "priority" in fields:
        _check_choice("priority", fields["priority"], AnomalyPriority)
    _check_links(fresh.project, fields)
    for name, value in fields.items():
        setattr(fresh, name, value)
    if action == "reclassify":
        if fresh.kind == AnomalyKind.EVOLUTION:
            raise DomainError(_("%(ref)s is already a change request.") % {"ref": fresh.reference})
        fresh.kind = AnomalyKind.EVOLUTION
    else:
        assert transition.target is not None
        fresh.status = transition.target
        _now_stamp(fresh)
    if reason:
        note = f"[{timezone.localdate():%Y-%m-%d}] {transition.label}: {reason}"
        fresh.resolution = f"{fresh.resolution}\n{note}".strip() if fresh.resolution else note
    _full_clean(fresh)
    _save(fresh, actor, reason=reason or str(transition.label))
    if fresh.status != status_before:
        _announce(ANOMALY_STATUS_CHANGED, fresh, actor)
    if fresh.assignee_id and fresh.assignee_id != assignee_before:
        _announce(ANOMALY_ASSIGNED, fresh, actor)
    return fresh


ANOMALY_ASSIGNED = declare_event("anomaly.assigned", gettext_lazy("Anomaly assigned"))
ANOMALY_STATUS_CHANGED = declare_event("anomaly.status_changed", gettext_lazy("Anomaly status changed"))


def _announce(name: str, anomaly: Anomaly, actor: User) -> None:
    emit(
        name, project=anomaly.project, obj=anomaly, actor=actor,
        data={
            "title": anomaly.title[:200], "status": anomaly.status, "severity": anomaly.severity,
            "assignee_id": anomaly.assignee_id, "reported_by_id": anomaly.reported_by_id,
        },
    )  # fmt: skip


def _named(action: str) -> Any:
    def move(
        *, actor: User, anomaly: Anomaly, expected_version: int | None, reason: str = "", **fields: Any
    ) -> Anomaly:
        return anomaly_transition(
            actor=actor, anomaly=anomaly, action=action, expected_version=expected_version, reason=reason, **fields
        )

    move.__name__ = f"anomaly_{action}"
    move.__doc__ = f"The ``{action}`` move of the workflow (see :data:`TRANSITIONS`)."
    return move


anomaly_qualify = _named("qualify")
anomaly_reject = _named("reject")
anomaly_reclassify = _named("reclassify")
anomaly_start_fix = _named("start_fix")
anomaly_deliver = _named("deliver")
anomaly_verify = _named("verify")
anomaly_close = _named("close")
anomaly_reopen = _named("reopen")


# --- severity labels ------------------------------------------------------------------------------------


@transaction.atomic
def severity_labels_update(
    *,
    actor: User,
    project: Project,
    expected_version: int | None,
    label_bloquante: str = "",
    label_majeure: str = "",
    label_mineure: str = "",
) -> RecetteSettings:
    """Relabel the three severities for this project (e.g. "Sévérité 1/2/3"); blank restores the default."""
    require(actor, project, RECETTE_CONFIGURE)
    labels = {
        "label_bloquante": (label_bloquante or "").strip(),
        "label_majeure": (label_majeure or "").strip(),
        "label_mineure": (label_mineure or "").strip(),
    }
    errors = {name: [_("Use at most 40 characters.")] for name, value in labels.items() if len(value) > 40}
    used = [v.casefold() for v in labels.values() if v]
    if len(used) != len(set(used)):
        errors["__all__"] = [_("Two severities cannot have the same label.")]
    if errors:
        raise ValidationFailed(errors)
    current = settings_for(project)
    fresh = lock_for_update(current, expected_version)
    for name, value in labels.items():
        setattr(fresh, name, value)
    _save(fresh, actor)
    return fresh
