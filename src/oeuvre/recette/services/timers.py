"""Writes of the CCAG-TIC timers: the dated facts of the acceptance, the outages of the VSR, and the
contract's timer settings. Dates are checked by the engine before anything is saved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import ValidationFailed
from oeuvre.engine import acceptance as engine
from oeuvre.engine.errors import InputError
from oeuvre.projects.models import Project
from oeuvre.recette.models import AcceptanceTimeline, Outage, RecetteSettings
from oeuvre.recette.permissions import PV_DECIDE, RECETTE_CONFIGURE, TIMERS_RECORD
from oeuvre.recette.selectors import timers as timer_selectors
from oeuvre.recette.selectors.pv import recette_settings

__all__ = ["outage_add", "outage_delete", "timeline_update", "timer_settings_update"]

TIMELINE_FIELDS = (
    "mom_on",
    "va_decided_on",
    "va_outcome",
    "vsr_started_on",
    "vsr_ended_on",
    "vsr_outcome",
    "admission_decided_on",
    "admission_decision",
    "final_decided_on",
    "final_decision",
    "refaction_percent",
    "deprivation_days",
    "notes",
)
# The decision after the VSR (admission, réfaction, ajournement, rejet) is the buyer's.
DECISION_FIELDS = (
    "admission_decided_on",
    "admission_decision",
    "final_decided_on",
    "final_decision",
    "refaction_percent",
)
TIMER_SETTING_FIELDS = (
    "va_days",
    "vsr_days",
    "vsr_max_unavailability",
    "vsr_use_start",
    "vsr_use_end",
    "decision_days",
    "ajournement_days",
    "garantie_months",
    "shift_to_working_day",
    "alert_days",
    "correction_days",
    "max_majeures_with_reserves",
    "min_execution_rate",
    "min_pass_rate",
)

_ENGINE_FIELD = {
    "va_decision_date": "va_decided_on",
    "va_outcome": "va_outcome",
    "vsr_start": "vsr_started_on",
    "vsr_end": "vsr_ended_on",
    "vsr_decision_date": "admission_decided_on",
    "vsr_outcome": "admission_decision",
    "final_decision_date": "final_decided_on",
    "final_outcome": "final_decision",
    "refaction_percent": "refaction_percent",
    "deprivation_days": "deprivation_days",
}


def _engine_message(field: str) -> str:
    return {
        "va_decided_on": _("The VA decision cannot come before the PV de MOM; give its date and outcome together."),
        "va_outcome": _("Give the VA decision's date and outcome together."),
        "vsr_started_on": _("The VSR starts after a positive VA decision, not before it."),
        "vsr_ended_on": _("The VSR cannot end before it starts."),
        "admission_decided_on": _("The decision after the VSR comes after the VSR starts, with its outcome."),
        "admission_decision": _("Give the decision after the VSR with its date."),
        "refaction_percent": _("A price reduction is between 0 and 100 %."),
        "final_decided_on": _(
            "A decision after the extended VSR follows an ajournement after the VSR, with its outcome."
        ),
        "final_decision": _(
            "After the extended VSR the buyer admits (with or without réfaction) or rejects; no second ajournement."
        ),
    }.get(field, _("These dates are not in the order of the CCAG-TIC acceptance."))


def _check(timeline: AcceptanceTimeline, project: Project) -> None:
    try:
        timeline.full_clean(exclude=["project"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    if "refaction" in (timeline.admission_decision, timeline.final_decision) and timeline.refaction_percent is None:
        raise ValidationFailed({"refaction_percent": [_("An admission with réfaction needs its percentage.")]})
    if timeline.vsr_started_on is not None and timeline.va_outcome != "positive":
        # The engine accepts a VSR with no VA recorded yet; a project's record should show the VA first.
        raise ValidationFailed({"vsr_started_on": [_engine_message("vsr_started_on")]})
    cfg = recette_settings(project)
    try:
        engine.compute_timers(
            timer_selectors.timer_settings(cfg, project),
            timer_selectors.timer_facts(timeline, project),
            timezone.localdate(),
        )
    except InputError as exc:
        field = _ENGINE_FIELD.get(exc.field or "", "__all__")
        raise ValidationFailed({field: [_engine_message(field)]}) from exc


@transaction.atomic
def timeline_update(
    *, actor: User, project: Project, expected_version: int | None, **changes: Any
) -> AcceptanceTimeline:
    """Record acceptance facts (MOM, VA, VSR, outcomes); the decision after the VSR needs the buyer's right."""
    unknown = set(changes) - set(TIMELINE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    require(actor, project, TIMERS_RECORD)
    timeline, created = AcceptanceTimeline.objects.get_or_create(project=project)
    if not created:
        timeline = lock_for_update(timeline, expected_version)
    decision_changes = [
        name for name in DECISION_FIELDS if name in changes and changes[name] != getattr(timeline, name)
    ]
    if decision_changes:
        require(actor, project, PV_DECIDE)
    for name, value in changes.items():
        setattr(timeline, name, value)
    for name in ("va_outcome", "vsr_outcome", "admission_decision", "final_decision", "notes"):
        if getattr(timeline, name) is None:
            setattr(timeline, name, "")
    if timeline.deprivation_days is None:
        timeline.deprivation_days = 0
    _check(timeline, project)
    timeline.save()
    return timeline


@transaction.atomic
def outage_add(
    *,
    actor: User,
    project: Project,
    equipment: str,
    started_at: datetime,
    ended_at: datetime,
    description: str = "",
) -> Outage:
    """Record an unavailability of one equipment during the VSR."""
    require(actor, project, TIMERS_RECORD)
    errors: dict[str, list[str]] = {}
    equipment = equipment.strip()
    if not equipment:
        errors["equipment"] = [_("Name the equipment (e.g. serveur applicatif).")]
    if ended_at <= started_at:
        errors["ended_at"] = [_("The outage must end after it starts.")]
    if errors:
        raise ValidationFailed(errors)
    timeline, _created = AcceptanceTimeline.objects.get_or_create(project=project)
    if timeline.vsr_started_on is None:
        raise ValidationFailed({"started_at": [_("Record the start of the VSR first: outages count against it.")]})
    return Outage.objects.create(
        timeline=timeline, equipment=equipment, started_at=started_at, ended_at=ended_at, description=description
    )


@transaction.atomic
def outage_delete(*, actor: User, outage: Outage) -> None:
    require(actor, outage.timeline.project, TIMERS_RECORD)
    outage.delete()


@transaction.atomic
def timer_settings_update(
    *, actor: User, project: Project, expected_version: int | None, **changes: Any
) -> RecetteSettings:
    """Change the contract's timers and PV thresholds (the buyer or an administrator)."""
    unknown = set(changes) - set(TIMER_SETTING_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    require(actor, project, RECETTE_CONFIGURE)
    existing, created = RecetteSettings.objects.get_or_create(project=project)
    cfg = existing if created else lock_for_update(existing, expected_version)
    for name, value in changes.items():
        setattr(cfg, name, value)
    try:
        cfg.full_clean(exclude=["project"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    if cfg.vsr_use_end <= cfg.vsr_use_start:
        raise ValidationFailed({"vsr_use_end": [_("Use time must end after it starts.")]})
    cfg.save()
    return cfg
