"""Writes of the risk register: create and edit a risk, move it through its statuses, its mitigation actions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.accounts.permissions import require
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.references import allocate_references, reference_number
from oeuvre.core.services import check_fields, full_clean, model_update, save_with_history
from oeuvre.pilotage.models import Risk, RiskAction, RiskActionStatus, RiskStatus
from oeuvre.pilotage.permissions import RISKS_MANAGE
from oeuvre.pilotage.selectors.meteo import meteo_settings

__all__ = ["RISK_FIELDS", "risk_action_add", "risk_action_update", "risk_create", "risk_transition", "risk_update"]

RISK_FIELDS = (
    "kind",
    "title",
    "cause",
    "event",
    "consequence",
    "probability",
    "impact",
    "residual_probability",
    "residual_impact",
    "owner",
    "review_on",
    "schedule_days_min",
    "schedule_days_likely",
    "schedule_days_max",
    "schedule_scope",
    "schedule_probability",
    "cost_impact",
)
ACTION_FIELDS = ("title", "owner", "due_on", "status")

# DOMAIN.md's workflow: a risk is treated then closed, or it happens (survenu); a closed one may be reopened.
TRANSITIONS: dict[str, set[str]] = {
    RiskStatus.IDENTIFIE: {RiskStatus.EN_TRAITEMENT, RiskStatus.CLOS, RiskStatus.SURVENU},
    RiskStatus.EN_TRAITEMENT: {RiskStatus.IDENTIFIE, RiskStatus.CLOS, RiskStatus.SURVENU},
    RiskStatus.CLOS: {RiskStatus.IDENTIFIE},
    RiskStatus.SURVENU: {RiskStatus.CLOS},
}


def _check(risk: Risk) -> None:
    """Scores within the project's scale, a member as owner, a coherent schedule impact."""
    scale = int(meteo_settings(risk.project).risk_scale)
    errors: dict[str, list[str]] = {}
    for name in ("probability", "impact", "residual_probability", "residual_impact"):
        value = getattr(risk, name)
        if value is not None and not 1 <= value <= scale:
            errors[name] = [_("Give a score from 1 to %(max)s.") % {"max": scale}]
    days = [risk.schedule_days_min, risk.schedule_days_likely, risk.schedule_days_max]
    given = [d for d in days if d is not None]
    if given and len(given) != 3:
        errors["schedule_days_likely"] = [_("Give the three durations of the schedule impact, or none.")]
    elif given and not (0 <= days[0] <= days[1] <= days[2]):  # type: ignore[operator]
        errors["schedule_days_likely"] = [_("The schedule impact must satisfy 0 ≤ minimum ≤ most likely ≤ maximum.")]
    if risk.owner_id is not None and not risk.project.memberships.filter(user_id=risk.owner_id).exists():
        errors["owner"] = [_("The owner must be a member of the project.")]
    if errors:
        raise ValidationFailed(errors)
    full_clean(risk, exclude=["project", "reference", "number"])


@transaction.atomic
def risk_create(*, actor: Any, project: Any, data: dict[str, Any]) -> Risk:
    require(actor, project, RISKS_MANAGE)
    check_fields(data, RISK_FIELDS)
    risk = Risk(project=project, **data)
    _check(risk)
    (risk.reference,) = allocate_references(
        project=project, key="pilotage.risk", prefix="RSK", digits=3, taken=Risk.objects.filter(project=project)
    )
    risk.number = reference_number(risk.reference)
    save_with_history(risk, actor=actor)
    return risk


@transaction.atomic
def risk_update(*, actor: Any, risk: Risk, data: dict[str, Any], expected_version: int | None) -> Risk:
    require(actor, risk.project, RISKS_MANAGE)
    check_fields(data, RISK_FIELDS)
    candidate = Risk.objects.get(pk=risk.pk)
    for name, value in data.items():
        setattr(candidate, name, value)
    _check(candidate)
    saved, _changed = model_update(
        instance=risk, fields=RISK_FIELDS, data=data, actor=actor, expected_version=expected_version
    )
    return saved


@transaction.atomic
def risk_transition(*, actor: Any, risk: Risk, status: str, expected_version: int | None, reason: str = "") -> Risk:
    """Move ``risk`` to ``status`` along the workflow; the reason is kept in history."""
    require(actor, risk.project, RISKS_MANAGE)
    fresh = lock_for_update(risk, expected_version)
    if status not in TRANSITIONS.get(fresh.status, set()):
        raise DomainError(
            _("A risk cannot go from « %(from)s » to « %(to)s ».")
            % {"from": fresh.get_status_display(), "to": dict(RiskStatus.choices).get(status, status)}
        )
    fresh.status = status
    save_with_history(fresh, actor=actor, reason=reason)
    return fresh


def _check_action(action: RiskAction) -> None:
    if action.owner_id is not None and not action.risk.project.memberships.filter(user_id=action.owner_id).exists():
        raise ValidationFailed({"owner": [_("The owner must be a member of the project.")]})
    if not action.title.strip():
        raise ValidationFailed({"title": [_("Say what the action is.")]})
    full_clean(action, exclude=["risk"])


@transaction.atomic
def risk_action_add(*, actor: Any, risk: Risk, data: dict[str, Any]) -> RiskAction:
    require(actor, risk.project, RISKS_MANAGE)
    check_fields(data, ACTION_FIELDS)
    action = RiskAction(risk=risk, **data)
    if action.status == RiskActionStatus.FAIT:
        action.done_on = timezone.localdate()
    _check_action(action)
    save_with_history(action, actor=actor)
    if risk.status == RiskStatus.IDENTIFIE:
        # A risk with a mitigation action is being treated.
        fresh = lock_for_update(risk, None)
        fresh.status = RiskStatus.EN_TRAITEMENT
        save_with_history(fresh, actor=actor, reason=_("mitigation action added"))
    return action


@transaction.atomic
def risk_action_update(
    *, actor: Any, action: RiskAction, data: dict[str, Any], expected_version: int | None
) -> RiskAction:
    require(actor, action.risk.project, RISKS_MANAGE)
    check_fields(data, ACTION_FIELDS)
    data = dict(data)
    if data.get("status") == RiskActionStatus.FAIT and action.status != RiskActionStatus.FAIT:
        data["done_on"] = timezone.localdate()
    elif "status" in data and data["status"] != RiskActionStatus.FAIT:
        data["done_on"] = None
    candidate = RiskAction.objects.select_related("risk__project").get(pk=action.pk)
    for name, value in data.items():
        setattr(candidate, name, value)
    _check_action(candidate)
    saved, _changed = model_update(
        instance=action, fields=(*ACTION_FIELDS, "done_on"), data=data, actor=actor, expected_version=expected_version
    )
    return saved
