"""Writes of the committees: prepare one with an agenda built from live data, record decisions and actions,
close it (the MOA signs: its decisions join the project's hash chain and become immutable)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from oeuvre.accounts.permissions import can, require
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.events import declare_event, emit
from oeuvre.core.services import check_fields, full_clean, model_update, save_with_history
from oeuvre.pilotage.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    ChangeRequest,
    Committee,
    CommitteeStatus,
    Decision,
    Risk,
)
from oeuvre.pilotage.permissions import ACTIONS_FOLLOW, CHANGES_DECIDE, COMMITTEES_PREPARE, COMMITTEES_SIGN

__all__ = [
    "action_create",
    "action_set_status",
    "committee_agenda",
    "committee_close",
    "committee_create",
    "decision_record",
]

COMMITTEE_FIELDS = ("kind", "title", "held_on", "location", "attendees", "agenda")


def committee_agenda(project: Any, today: dt.date | None = None) -> str:
    """The agenda drawn from live data: météo and trend, critical risks, actions due (overdue first), the change
    requests and deliverables waiting for a decision, the coming contractual milestones. Budget and acceptance
    status are in the météo's axes (cost, quality) with their main reason."""
    from oeuvre.pilotage.selectors.meteo import meteo_of, trend_of
    from oeuvre.pilotage.selectors.risks import RiskFilters, risks_for
    from oeuvre.pilotage.words import weather_label

    today = today or timezone.localdate()
    meteo = meteo_of(project, today)
    trend = trend_of(project, meteo["overall"])
    arrows = {"up": _("improving"), "down": _("worsening"), "flat": _("stable")}
    lines = [
        _("1. Project météo: %(overall)s (%(trend)s)")
        % {
            "overall": weather_label(meteo["overall"]),
            "trend": arrows[trend["arrow"]],
        }
    ]
    for axis in meteo["axes"].values():
        first = axis["reasons"][0]["text"] if axis["reasons"] else ""
        lines.append(f"   - {axis['label']} : {weather_label(axis['verdict'])} — {first}")
    lines.append(_("2. Critical risks"))
    critical = list(risks_for(project, RiskFilters(open_only=True, critical_only=True)))
    lines.extend(f"   - {r.reference} {r.title} (P×I {r.criticality})" for r in critical)
    if not critical:
        lines.append("   - " + _("none"))
    lines.append(_("3. Actions to review"))
    actions = list(Action.objects.filter(project=project, status__in=OPEN_ACTION_STATUSES).order_by("due_on", "number"))
    for a in actions:
        late = a.due_on is not None and a.due_on < today
        due = date_format(a.due_on, "SHORT_DATE_FORMAT") if a.due_on else "—"
        lines.append(f"   - A{a.number} {a.title} ({due}){' — ' + pgettext('action', 'overdue') if late else ''}")
    if not actions:
        lines.append("   - " + _("none"))
    lines.append(_("4. Decisions to take"))
    # The change requests waiting for the MOA (analysed ones are ready to decide).
    from oeuvre.pilotage.models import WAITING_CHANGE_STATUSES, ChangeRequest

    waiting = list(ChangeRequest.objects.filter(project=project, status__in=WAITING_CHANGE_STATUSES).order_by("number"))
    lines.extend(f"   - {c.reference} {c.title} ({c.get_status_display()})" for c in waiting)
    # The deliverables submitted for validation (the requirements stage's selector).
    from oeuvre.requirements.models import DeliverableStatus
    from oeuvre.requirements.selectors import deliverables_for

    submitted = list(deliverables_for(project).filter(status=DeliverableStatus.SOUMIS).order_by("due_date", "pk"))
    lines.extend(
        "   - " + _("Deliverable to validate: %(title)s") % {"title": f"{d.reference} {d.title}".strip()}
        for d in submitted
    )
    if not waiting and not submitted:
        lines.append("   - " + _("none"))
    lines.append(_("5. Contractual milestones"))
    from oeuvre.planning.selectors import contractual_milestones

    coming = [m for m in contractual_milestones(project) if not m["reached"]][:5]
    for m in coming:
        forecast = date_format(m["forecast"], "SHORT_DATE_FORMAT") if m["forecast"] else "—"
        slip = " — " + _("%(days)+d days against the baseline") % {"days": m["slip_days"]} if m["slip_days"] else ""
        lines.append(f"   - {m['code']} {m['name']} ({forecast}){slip}")
    if not coming:
        lines.append("   - " + _("none"))
    return "\n".join(lines)


@transaction.atomic
def committee_create(*, actor: Any, project: Any, data: dict[str, Any]) -> Committee:
    require(actor, project, COMMITTEES_PREPARE)
    check_fields(data, COMMITTEE_FIELDS)
    committee = Committee(project=project, **data)
    if not committee.agenda.strip():
        committee.agenda = committee_agenda(project)
    full_clean(committee, exclude=["project"])
    save_with_history(committee, actor=actor)
    return committee


def _open(committee: Committee) -> None:
    if committee.is_closed:
        raise DomainError(_("This committee is closed: its decisions can no longer change."))


CHANGE_OUTCOMES = ("accept", "refuse", "defer")


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    committee: Committee,
    text: str,
    risk: Risk | None = None,
    subject: str = "",
    change: ChangeRequest | None = None,
    outcome: str = "",
    review_on: dt.date | None = None,
    avenant_signed_on: dt.date | None = None,
) -> Decision:
    """Add the next numbered decision (numbers run through the project, committee after committee).

    A decision may name the change request it is about. With an ``outcome`` (``accept``, ``refuse`` or ``defer``)
    the committee decides the request: the MOA's decision is recorded on it through the change requests' service
    (the decision's text is its reason), so only who may decide change requests can record it.
    """
    from oeuvre.pilotage.services.changes import change_decide, change_defer

    require(actor, committee.project, COMMITTEES_PREPARE)
    committee = lock_for_update(committee, None)  # serialises numbering and closing
    _open(committee)
    if not text.strip():
        raise ValidationFailed({"text": [_("Write the decision.")]})
    if risk is not None and risk.project_id != committee.project_id:
        raise ValidationFailed({"risk": [_("This risk belongs to another project.")]})
    if change is not None and change.project_id != committee.project_id:
        raise ValidationFailed({"change": [_("This change request belongs to another project.")]})
    if outcome and outcome not in CHANGE_OUTCOMES:
        raise ValidationFailed({"outcome": [_("Choose accepted, refused or deferred.")]})
    if outcome and change is None:
        raise ValidationFailed({"change": [_("Name the change request this decision decides.")]})
    if change is not None and outcome:
        require(actor, committee.project, CHANGES_DECIDE)
        if outcome == "defer":
            change_defer(actor=actor, change=change, reason=text, review_on=review_on, expected_version=None)
        else:
            change_decide(
                actor=actor,
                change=change,
                accept=outcome == "accept",
                reason=text,
                expected_version=None,
                avenant_signed_on=avenant_signed_on if outcome == "accept" else None,
            )
    if change is not None and not subject:
        subject = f"{change.reference} {change.title}"[:200]
    last = Decision.objects.filter(project=committee.project).aggregate(n=Max("number"))["n"] or 0
    decision = Decision(
        project=committee.project,
        committee=committee,
        number=last + 1,
        text=text.strip(),
        risk=risk,
        subject=subject,
        change=change,
    )
    full_clean(decision, exclude=["project", "committee", "change"])
    save_with_history(decision, actor=actor)
    return decision


@transaction.atomic
def committee_close(*, actor: Any, committee: Committee, expected_version: int | None) -> Committee:
    """The MOA closes the committee: each decision is written to the project's hash chain, then frozen."""
    from oeuvre.pilotage.selectors.committees import decision_snapshot
    from oeuvre.recette.services.ledger import ledger_append

    require(actor, committee.project, COMMITTEES_SIGN)
    fresh = lock_for_update(committee, expected_version)
    _open(fresh)
    decisions = list(Decision.objects.filter(committee=fresh).order_by("number"))
    if not decisions:
        raise DomainError(_("Record at least one decision before closing the committee."))
    for decision in decisions:
        entry = ledger_append(
            project=fresh.project,
            kind="pilotage.decision",
            subject_type="pilotage.decision",
            subject_id=decision.pk,
            payload=decision_snapshot(decision, fresh, actor),
            actor=actor,
        )
        decision.chain_sequence = entry.sequence
        decision.chain_hash = entry.entry_hash
        decision.version += 1
        save_with_history(decision, actor=actor, update_fields=["chain_sequence", "chain_hash"])
    fresh.status = CommitteeStatus.CLOS
    fresh.closed_at = timezone.now()
    fresh.closed_by = actor
    save_with_history(fresh, actor=actor)
    return fresh


@transaction.atomic
def action_create(
    *,
    actor: Any,
    project: Any,
    title: str,
    owner: Any = None,
    due_on: dt.date | None = None,
    committee: Committee | None = None,
    decision: Decision | None = None,
) -> Action:
    require(actor, project, COMMITTEES_PREPARE)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Say what the action is.")]
    if owner is not None and not project.memberships.filter(user=owner).exists():
        errors["owner"] = [_("The owner must be a member of the project.")]
    if committee is not None and committee.project_id != project.pk:
        errors["committee"] = [_("This committee belongs to another project.")]
    if errors:
        raise ValidationFailed(errors)
    from oeuvre.projects.models import Project

    Project.objects.select_for_update().filter(pk=project.pk).first()  # serialises numbering
    last = Action.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
    action = Action(
        project=project,
        number=last + 1,
        title=title.strip(),
        owner=owner,
        due_on=due_on,
        committee=committee,
        decision=decision,
    )
    full_clean(action, exclude=["project"])
    save_with_history(action, actor=actor)
    if action.owner_id:
        emit(
            ACTION_ASSIGNED, project=project, obj=action, actor=actor,
            data={"title": action.title[:200], "owner_id": action.owner_id, "due_on": str(action.due_on or "")},
        )  # fmt: skip
    return action


ACTION_ASSIGNED = declare_event("action.assigned", gettext_lazy("Action assigned"))


@transaction.atomic
def action_set_status(*, actor: Any, action: Action, status: str, expected_version: int | None) -> Action:
    """The owner follows their action; preparers follow any."""
    require(actor, action.project, ACTIONS_FOLLOW)
    if action.owner_id != getattr(actor, "pk", None) and not can(actor, action.project, COMMITTEES_PREPARE):
        raise DomainError(_("Only the owner of this action, or who prepares the committees, can update it."))
    if status not in ActionStatus.values:
        raise ValidationFailed({"status": [_("Unknown status.")]})
    done_on = timezone.localdate() if status == ActionStatus.FAIT else None
    saved, _changed = model_update(
        instance=action,
        fields=("status", "done_on"),
        data={"status": status, "done_on": done_on if status == ActionStatus.FAIT else None},
        actor=actor,
        expected_version=expected_version,
    )
    return saved
