"""Writes of change requests (demandes de modification): draft, submit, the MOE's impact analysis, the MOA's
decision, the avenant.

DOMAIN.md: a change to the contracted scope is requested in writing (by the MOA, or proposed by the MOE), analysed
by the MOE for its impact on QCD, then decided by the MOA. An accepted change that alters price or deadlines needs
an avenant before it is built. Workflow: brouillon → soumise → analysée → acceptée / refusée / ajournée; retirée from
any state before the decision and from ajournée; an ajournée request is submitted again (→ soumise) when its time
comes. Accepting takes a new plan baseline and a new CDC baseline (the requirements stage's frozen version), both
linked to the change; a committee decision naming the change records the MOA's decision (see
:func:`oeuvre.pilotage.services.committees.decision_record`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.accounts.permissions import require
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.references import allocate_references, reference_number
from oeuvre.core.services import check_fields, delete_with_history, full_clean, model_update, save_with_history
from oeuvre.pilotage.models import (
    ChangeItem,
    ChangeItemKind,
    ChangeRequest,
    ChangeStatus,
    ChangeTaskImpact,
)
from oeuvre.pilotage.permissions import CHANGES_ANALYSE, CHANGES_DECIDE, CHANGES_REQUEST

__all__ = [
    "CHANGE_FIELDS",
    "TaskImpactIn",
    "change_analyse",
    "change_avenant_record",
    "change_create",
    "change_decide",
    "change_defer",
    "change_item_add",
    "change_item_remove",
    "change_resubmit",
    "change_submit",
    "change_update",
    "change_withdraw",
    "impacts_from_rows",
    "parse_impact_lines",
]

CHANGE_FIELDS = ("title", "justification", "origin")
WITHDRAWABLE = (ChangeStatus.BROUILLON, ChangeStatus.SOUMISE, ChangeStatus.ANALYSEE, ChangeStatus.AJOURNEE)


@dataclass(frozen=True)
class TaskImpactIn:
    """One line of the MOE's estimate: a task of the plan, extra working days, extra effort in days."""

    task_id: int
    extra_days: int
    extra_effort: Decimal


def _status_label(status: str) -> str:
    return str(dict(ChangeStatus.choices).get(status, status))


def _refuse_from(change: ChangeRequest, action: str) -> DomainError:
    return DomainError(
        _("A change request « %(status)s » cannot be %(action)s.")
        % {"status": _status_label(change.status), "action": action}
    )


def _check(change: ChangeRequest) -> None:
    if not change.title.strip():
        raise ValidationFailed({"title": [_("Say what the change is.")]})
    full_clean(change, exclude=["project", "reference", "number", "baseline", "cdc_version", "requested_by"])


@transaction.atomic
def change_create(*, actor: Any, project: Any, data: dict[str, Any]) -> ChangeRequest:
    require(actor, project, CHANGES_REQUEST)
    check_fields(data, CHANGE_FIELDS)
    change = ChangeRequest(project=project, requested_by=actor, **data)
    _check(change)
    (change.reference,) = allocate_references(
        project=project,
        key="pilotage.change",
        prefix="DM",
        digits=3,
        taken=ChangeRequest.objects.filter(project=project),
    )
    change.number = reference_number(change.reference)
    save_with_history(change, actor=actor)
    return change


@transaction.atomic
def change_update(*, actor: Any, change: ChangeRequest, data: dict[str, Any], expected_version: int | None) -> Any:
    require(actor, change.project, CHANGES_REQUEST)
    check_fields(data, CHANGE_FIELDS)
    if change.status != ChangeStatus.BROUILLON:
        raise _refuse_from(change, _("edited (only a draft is)"))
    if "title" in data and not str(data["title"]).strip():
        raise ValidationFailed({"title": [_("Say what the change is.")]})
    saved, _changed = model_update(
        instance=change, fields=CHANGE_FIELDS, data=data, actor=actor, expected_version=expected_version
    )
    return saved


@transaction.atomic
def change_item_add(
    *, actor: Any, change: ChangeRequest, kind: str, exigence: Any = None, text: str = ""
) -> ChangeItem:
    """Add what changes: an exigence added (its statement), changed or removed (a link to an existing one)."""
    require(actor, change.project, CHANGES_REQUEST)
    if change.status != ChangeStatus.BROUILLON:
        raise _refuse_from(change, _("edited (only a draft is)"))
    errors: dict[str, list[str]] = {}
    if kind not in ChangeItemKind.values:
        errors["kind"] = [_("Choose added, changed or removed.")]
    if kind in (ChangeItemKind.MODIFICATION, ChangeItemKind.SUPPRESSION) and exigence is None:
        errors["exigence"] = [_("Name the exigence that is changed or removed.")]
    if exigence is not None and exigence.project_id != change.project_id:
        errors["exigence"] = [_("This exigence belongs to another project.")]
    if kind in (ChangeItemKind.AJOUT, ChangeItemKind.MODIFICATION) and not text.strip():
        errors["text"] = [_("Write the new or changed statement.")]
    if errors:
        raise ValidationFailed(errors)
    item = ChangeItem(change=change, kind=kind, exigence=exigence, text=text.strip())
    save_with_history(item, actor=actor)
    return item


@transaction.atomic
def change_item_remove(*, actor: Any, item: ChangeItem) -> None:
    change = item.change
    require(actor, change.project, CHANGES_REQUEST)
    if change.status != ChangeStatus.BROUILLON:
        raise _refuse_from(change, _("edited (only a draft is)"))
    delete_with_history(item, actor=actor)


@transaction.atomic
def change_submit(*, actor: Any, change: ChangeRequest, expected_version: int | None) -> ChangeRequest:
    """The request is sent to the MOE for analysis; its age (the météo's scope axis) counts from here."""
    require(actor, change.project, CHANGES_REQUEST)
    fresh = lock_for_update(change, expected_version)
    if fresh.status != ChangeStatus.BROUILLON:
        raise _refuse_from(fresh, _("submitted"))
    if not fresh.items.exists():
        raise ValidationFailed({"items": [_("Say what changes: add at least one exigence added, changed or removed.")]})
    fresh.status = ChangeStatus.SOUMISE
    fresh.submitted_at = timezone.now()
    save_with_history(fresh, actor=actor, reason=_("submitted"))
    return fresh


def _reach(change: ChangeRequest) -> dict[str, Any]:
    """What the change reaches, from the requirements stage's impact analysis of the exigences it names."""
    from oeuvre.requirements.selectors import impact_of

    ids = [i for i in change.items.values_list("exigence_id", flat=True) if i is not None]
    if not ids:
        return {"exigences": [], "specifications": [], "components": [], "hanging": {}}
    impact = impact_of(change.project, ids)
    return {
        "exigences": [e.reference for e in impact.exigences],
        "specifications": [s.reference for s in impact.specifications],
        "components": [c.reference for c in impact.components],
        "hanging": {group: [f"{h.reference} {h.title}" for h in items] for group, items in impact.hanging.items()},
    }


@transaction.atomic
def change_analyse(
    *,
    actor: Any,
    change: ChangeRequest,
    impacts: list[TaskImpactIn],
    note: str = "",
    day_rate: Decimal | None = None,
    expected_version: int | None,
) -> ChangeRequest:
    """The MOE's impact analysis: the estimate per task is typed, everything else is computed.

    Effort is the sum of the tasks' extra effort, cost is effort × day rate (given, or each task's resources'
    TJM, or the plan's default TJM), the delay comes from rescheduling a copy of the plan with the tasks
    lengthened (the real plan is not touched), and the exigences, specifications, components, tasks and
    tests reached come from the requirements stage's impact analysis. May be run again while the request
    waits for its decision.
    """
    from oeuvre.planning.models import Assignment, Task, TaskKind
    from oeuvre.planning.scheduling import what_if
    from oeuvre.planning.selectors import plan_of

    require(actor, change.project, CHANGES_ANALYSE)
    fresh = lock_for_update(change, expected_version)
    if fresh.status not in (ChangeStatus.SOUMISE, ChangeStatus.ANALYSEE):
        raise _refuse_from(fresh, _("analysed (submit it first)"))
    tasks = {t.pk: t for t in Task.objects.filter(project=fresh.project, pk__in=[i.task_id for i in impacts])}
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for line, impact in enumerate(impacts, start=1):
        task = tasks.get(impact.task_id)
        if task is None:
            errors.setdefault("impacts", []).append(_("line %(line)s: no such task in this project") % {"line": line})
        elif impact.task_id in seen:
            errors.setdefault("impacts", []).append(
                _("line %(line)s: task %(task)s is given twice") % {"line": line, "task": task.code}
            )
        elif task.kind == TaskKind.MILESTONE and impact.extra_days:
            errors.setdefault("impacts", []).append(
                _("line %(line)s: %(task)s is a milestone, it cannot be lengthened") % {"line": line, "task": task.code}
            )
        if impact.extra_days < 0 or impact.extra_effort < 0:
            errors.setdefault("impacts", []).append(
                _("line %(line)s: days and effort cannot be negative") % {"line": line}
            )
        seen.add(impact.task_id)
    if day_rate is not None and day_rate < 0:
        errors["day_rate"] = [_("The day rate cannot be negative.")]
    if errors:
        raise ValidationFailed(errors)
    effort = sum((Decimal(i.extra_effort) for i in impacts), Decimal(0))
    if day_rate is not None:
        cost = effort * day_rate
    else:
        # Each task's extra effort at the day rate of the resources on it (weighted by their units), else the
        # plan's default TJM.
        default = Decimal(plan_of(fresh.project).default_tjm or 0)
        rates: dict[int, list[tuple[Decimal, Decimal]]] = {}
        for task_id, tjm, units in Assignment.objects.filter(task_id__in=list(tasks)).values_list(
            "task_id", "resource__tjm", "units"
        ):
            rates.setdefault(task_id, []).append((Decimal(tjm or 0), Decimal(units or 0)))

        def rate_of(task_id: int) -> Decimal:
            pairs = [(t, u) for t, u in rates.get(task_id, []) if u > 0]
            weight = sum((u for _t, u in pairs), Decimal(0))
            return sum((t * u for t, u in pairs), Decimal(0)) / weight if weight else default

        cost = sum((Decimal(i.extra_effort) * rate_of(i.task_id) for i in impacts), Decimal(0))
    rate = day_rate if day_rate is not None else ((cost / effort) if effort else Decimal(0))
    trial = what_if(fresh.project, {i.task_id: int(i.extra_days) for i in impacts if i.extra_days})
    for old in fresh.task_impacts.all():
        delete_with_history(old, actor=actor, reason=_("impact analysed again"))
    for impact in impacts:
        save_with_history(
            ChangeTaskImpact(
                change=fresh,
                task=tasks[impact.task_id],
                extra_days=int(impact.extra_days),
                extra_effort=Decimal(impact.extra_effort),
            ),
            actor=actor,
        )
    fresh.status = ChangeStatus.ANALYSEE
    fresh.analysed_at = timezone.now()
    fresh.analysed_by = actor
    fresh.analysis_note = note
    fresh.extra_effort = effort
    fresh.day_rate = rate.quantize(Decimal("0.01"))
    fresh.extra_cost = cost.quantize(Decimal("0.01"))
    fresh.delay_days = trial.delay_days
    fresh.finish_before = trial.finish_before
    fresh.finish_after = trial.finish_after
    fresh.reach = {**_reach(fresh), "critical_tasks": trial.critical_tasks}
    save_with_history(fresh, actor=actor, reason=_("impact analysed"))
    return fresh


def _next_avenant(project: Any) -> int:
    top = ChangeRequest.objects.filter(project=project).aggregate(top=Max("avenant_number"))["top"]
    return int(top or 0) + 1


@transaction.atomic
def change_decide(
    *,
    actor: Any,
    change: ChangeRequest,
    accept: bool,
    reason: str,
    expected_version: int | None,
    avenant_signed_on: Any = None,
) -> ChangeRequest:
    """The MOA's decision, with its reason. Accepting needs the impact analysis; it lengthens the plan's tasks
    as analysed and takes a new reference baseline linked to the change, and numbers the avenant when its
    signature date is given (or later with :func:`change_avenant_record`)."""
    from oeuvre.planning.services import plan_change_apply

    require(actor, change.project, CHANGES_DECIDE)
    fresh = lock_for_update(change, expected_version)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Give the reason of the decision.")]})
    if accept and fresh.status != ChangeStatus.ANALYSEE:
        raise _refuse_from(fresh, _("accepted before its impact is analysed"))
    if not accept and fresh.status not in (ChangeStatus.SOUMISE, ChangeStatus.ANALYSEE):
        raise _refuse_from(fresh, _("refused"))
    fresh.status = ChangeStatus.ACCEPTEE if accept else ChangeStatus.REFUSEE
    fresh.decided_at = timezone.now()
    fresh.decided_by = actor
    fresh.decision_reason = reason.strip()
    if avenant_signed_on is not None and avenant_signed_on > timezone.localdate():
        raise ValidationFailed({"avenant_signed_on": [_("The signature date cannot be in the future.")]})
    if accept:
        if avenant_signed_on is not None:
            fresh.avenant_number = _next_avenant(fresh.project)
            fresh.avenant_signed_on = avenant_signed_on
        extra = dict(fresh.task_impacts.values_list("task_id", "extra_days"))
        name = _("%(ref)s accepted") % {"ref": fresh.reference}
        if fresh.avenant_number:
            name = _("%(ref)s — avenant no. %(n)s") % {"ref": fresh.reference, "n": fresh.avenant_number}
        fresh.baseline = plan_change_apply(
            actor=actor, project=fresh.project, extra_days=extra, baseline_name=name, description=fresh.title
        )
        fresh.applied = _apply_items(actor, fresh)
        fresh.cdc_version = _cdc_baseline(actor, fresh, name)
    fresh.review_on = None
    save_with_history(fresh, actor=actor, reason=_("accepted") if accept else _("refused"))
    return fresh


def _apply_items(actor: Any, change: ChangeRequest) -> list[dict[str, Any]]:
    """Apply what the accepted change says to the exigences, through the requirements stage's services (so each
    exigence's history shows the change, by the MOA who accepted it), before the CDC baseline is frozen.

    - *changed*: the exigence's statement becomes the item's text; a validated exigence stays validated (the MOA
      accepted the new statement by accepting the change);
    - *removed*: the exigence is rejected, never deleted (earlier baselines and its history keep it);
    - *added*: a new exigence, validated, its title the statement's first line, its source the change's
      reference; the item then names it.

    An item that lacks what is needed (the exigence it names was deleted since, or no statement) is not guessed:
    its line says so. Returns one line per item: ``{"item", "kind", "exigence", "outcome"}``.
    """
    from oeuvre.requirements.models import ExigenceStatus
    from oeuvre.requirements.services import (
        exigence_create,
        exigence_submit,
        exigence_update,
        exigence_validate,
        exigence_withdraw_by_change,
    )

    why = _("%(ref)s accepted: %(title)s") % {"ref": change.reference, "title": change.title}
    why = why[:500]
    lines: list[dict[str, Any]] = []
    for item in change.items.select_related("exigence").order_by("pk"):
        exigence = item.exigence
        text = item.text.strip()
        outcome = ""
        if item.kind in (ChangeItemKind.MODIFICATION, ChangeItemKind.AJOUT) and not text:
            outcome = "missing_text"
        elif item.kind in (ChangeItemKind.MODIFICATION, ChangeItemKind.SUPPRESSION) and exigence is None:
            outcome = "missing_exigence"
        elif item.kind == ChangeItemKind.MODIFICATION and exigence is not None:
            if exigence.text.strip() == text:
                outcome = "unchanged"
            else:
                was_validated = exigence.status == ExigenceStatus.VALIDEE
                exigence = exigence_update(actor=actor, exigence=exigence, expected_version=None, text=text)
                if was_validated and exigence.status == ExigenceStatus.MODIFIEE:
                    exigence = exigence_validate(actor=actor, exigence=exigence, expected_version=None, comment=why)
                outcome = "updated"
        elif item.kind == ChangeItemKind.SUPPRESSION and exigence is not None:
            if exigence.status == ExigenceStatus.REJETEE:
                outcome = "already_removed"
            else:
                exigence = exigence_withdraw_by_change(actor=actor, exigence=exigence, comment=why)
                outcome = "removed"
        elif item.kind == ChangeItemKind.AJOUT:
            title = text.splitlines()[0].strip()[:300]
            exigence = exigence_create(
                actor=actor, project=change.project, title=title, text=text, source=change.reference
            )
            exigence = exigence_submit(actor=actor, exigence=exigence, expected_version=None, comment=why)
            exigence = exigence_validate(actor=actor, exigence=exigence, expected_version=None, comment=why)
            item.exigence = exigence
            save_with_history(item, actor=actor, reason=_("exigence added by the accepted change"))
            outcome = "created"
        lines.append(
            {
                "item": item.pk,
                "kind": item.kind,
                "exigence": exigence.reference if exigence is not None else None,
                "outcome": outcome,
            }
        )
    return lines


def _cdc_baseline(actor: Any, change: ChangeRequest, title: str) -> Any:
    """A new frozen version of the CDC (the requirements stage's baseline), named after the change."""
    from oeuvre.requirements.models import CdcVersion
    from oeuvre.requirements.services import cdc_version_freeze

    taken = set(CdcVersion.objects.filter(project=change.project).values_list("label", flat=True))
    label, n = change.reference, 1
    while label in taken:
        n += 1
        label = f"{change.reference}-{n}"
    return cdc_version_freeze(
        actor=actor,
        project=change.project,
        label=label,
        title=title[:200],
        description=change.title,
        issued_on=timezone.localdate(),
    )


@transaction.atomic
def change_defer(
    *, actor: Any, change: ChangeRequest, reason: str, review_on: Any = None, expected_version: int | None
) -> ChangeRequest:
    """The MOA defers (ajourne) the request: not now, for a written reason, to be reviewed on ``review_on``."""
    require(actor, change.project, CHANGES_DECIDE)
    fresh = lock_for_update(change, expected_version)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Give the reason of the decision.")]})
    if fresh.status not in (ChangeStatus.SOUMISE, ChangeStatus.ANALYSEE):
        raise _refuse_from(fresh, _("deferred"))
    if review_on is not None and review_on < timezone.localdate():
        raise ValidationFailed({"review_on": [_("The review date cannot be in the past.")]})
    fresh.status = ChangeStatus.AJOURNEE
    fresh.decided_at = timezone.now()
    fresh.decided_by = actor
    fresh.decision_reason = reason.strip()
    fresh.review_on = review_on
    save_with_history(fresh, actor=actor, reason=_("deferred"))
    return fresh


@transaction.atomic
def change_resubmit(*, actor: Any, change: ChangeRequest, expected_version: int | None) -> ChangeRequest:
    """A deferred request comes back: submitted again, its waiting time counts afresh; the MOE analyses it again
    (the plan has moved since) before the MOA decides."""
    require(actor, change.project, CHANGES_REQUEST)
    fresh = lock_for_update(change, expected_version)
    if fresh.status != ChangeStatus.AJOURNEE:
        raise _refuse_from(fresh, _("submitted again (only a deferred one is)"))
    fresh.status = ChangeStatus.SOUMISE
    fresh.submitted_at = timezone.now()
    fresh.decided_at = None
    fresh.decided_by = None
    fresh.review_on = None
    save_with_history(fresh, actor=actor, reason=_("submitted again"))
    return fresh


@transaction.atomic
def change_avenant_record(
    *, actor: Any, change: ChangeRequest, signed_on: Any, expected_version: int | None
) -> ChangeRequest:
    """The avenant of an accepted change is signed: it gets the project's next avenant number."""
    require(actor, change.project, CHANGES_DECIDE)
    fresh = lock_for_update(change, expected_version)
    if fresh.status != ChangeStatus.ACCEPTEE:
        raise _refuse_from(fresh, _("given an avenant (only an accepted one is)"))
    if fresh.avenant_number is not None:
        raise DomainError(_("This change already has its avenant no. %(n)s.") % {"n": fresh.avenant_number})
    if signed_on is None:
        raise ValidationFailed({"avenant_signed_on": [_("Give the date the avenant was signed.")]})
    if signed_on > timezone.localdate():
        raise ValidationFailed({"avenant_signed_on": [_("The signature date cannot be in the future.")]})
    fresh.avenant_number = _next_avenant(fresh.project)
    fresh.avenant_signed_on = signed_on
    save_with_history(fresh, actor=actor, reason=_("avenant recorded"))
    return fresh


@transaction.atomic
def change_withdraw(*, actor: Any, change: ChangeRequest, reason: str, expected_version: int | None) -> ChangeRequest:
    require(actor, change.project, CHANGES_REQUEST)
    fresh = lock_for_update(change, expected_version)
    if fresh.status not in WITHDRAWABLE:
        raise _refuse_from(fresh, _("withdrawn"))
    fresh.status = ChangeStatus.RETIREE
    save_with_history(fresh, actor=actor, reason=reason.strip() or _("withdrawn"))
    return fresh


def impacts_from_rows(project: Any, rows: list[tuple[str, int, Decimal]]) -> list[TaskImpactIn]:
    """The estimate sent through the API, one ``(task code, extra days, extra effort)`` a row.

    A code the plan does not know is refused with the row's position (``tasks[2]``), nothing is kept.
    """
    from oeuvre.planning.selectors import task_ids_by_code

    ids = task_ids_by_code(project)
    missing = [
        _("tasks[%(n)s]: no task %(code)s in the plan") % {"n": n, "code": code}
        for n, (code, _days, _effort) in enumerate(rows)
        if code not in ids
    ]
    if missing:
        raise ValidationFailed({"tasks": missing})
    return [TaskImpactIn(ids[code], days, effort) for code, days, effort in rows]


def parse_impact_lines(project: Any, text: str) -> list[TaskImpactIn]:
    """The page's estimate, one task a line: ``CODE; extra working days; extra effort (days)``.

    Decimal commas are accepted (``1,5``). A bad line is refused with its number, nothing is kept.
    """
    from decimal import InvalidOperation

    from oeuvre.planning.selectors import task_ids_by_code

    ids = task_ids_by_code(project)
    out: list[TaskImpactIn] = []
    errors: list[str] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split(";")]
        if len(parts) not in (2, 3):
            errors.append(_("line %(line)s: write « task code; days; effort »") % {"line": line})
            continue
        code = parts[0]
        if code not in ids:
            errors.append(_("line %(line)s: no task %(code)s in the plan") % {"line": line, "code": code})
            continue
        try:
            days = int(parts[1] or 0)
            effort = Decimal((parts[2] if len(parts) == 3 else "").replace(",", ".") or "0")
        except (ValueError, InvalidOperation):
            errors.append(_("line %(line)s: days must be a whole number and effort a number") % {"line": line})
            continue
        out.append(TaskImpactIn(ids[code], days, effort))
    if errors:
        raise ValidationFailed({"impacts": errors})
    return out
