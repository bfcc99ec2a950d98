"""Incidents after go-live: reads (the list with its GTI/GTR clocks) and writes (report, workflow, contract).

The clocks are computed by :mod:`oeuvre.engine.service_levels` on the project's service hours, French public
holidays included (Alsace-Moselle when the project is there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.events import declare_event, emit
from oeuvre.core.references import allocate_references
from oeuvre.core.services import full_clean, model_update, save_with_history
from oeuvre.engine import service_levels as engine
from oeuvre.mep.models import Environment, Incident, IncidentPause, IncidentStatus, ServiceLevelSettings
from oeuvre.mep.permissions import INCIDENT_HANDLE, INCIDENT_REPORT, MEP_CONFIGURE
from oeuvre.projects.models import HolidayZone, Project
from oeuvre.requirements.models import Component

__all__ = [
    "DEFAULT_LEVELS",
    "TRANSITIONS",
    "IncidentRow",
    "StatusChange",
    "incident_create",
    "incident_detail",
    "incident_status_history",
    "incident_transition",
    "incidents_board",
    "incidents_for",
    "service_hours_of",
    "service_level_settings",
    "service_levels_update",
]

#: Default contract: per priority, minutes of service time to take charge (GTI) and to restore (GTR).
DEFAULT_LEVELS: dict[int, tuple[int, int]] = {
    1: (30, 240),
    2: (60, 480),
    3: (240, 1200),
    4: (480, 3000),
    5: (1200, 6000),
}

#: action → (statuses it starts from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "take": ((IncidentStatus.NOUVEAU, IncidentStatus.EN_ATTENTE), IncidentStatus.PRIS_EN_CHARGE),
    "wait": ((IncidentStatus.PRIS_EN_CHARGE,), IncidentStatus.EN_ATTENTE),
    "resolve": (
        (IncidentStatus.NOUVEAU, IncidentStatus.PRIS_EN_CHARGE, IncidentStatus.EN_ATTENTE),
        IncidentStatus.RESOLU,
    ),
    "reopen": ((IncidentStatus.RESOLU,), IncidentStatus.PRIS_EN_CHARGE),
    "close": ((IncidentStatus.RESOLU,), IncidentStatus.CLOS),
    "reject": ((IncidentStatus.NOUVEAU, IncidentStatus.PRIS_EN_CHARGE), IncidentStatus.REJETE),
}


# --- reads -------------------------------------------------------------------------------------------------------


def service_level_settings(project: Project) -> ServiceLevelSettings:
    found = ServiceLevelSettings.objects.filter(project=project).first()
    return found if found is not None else ServiceLevelSettings(project=project)


def _levels(cfg: ServiceLevelSettings) -> dict[int, engine.ServiceLevel]:
    merged = dict(DEFAULT_LEVELS)
    for key, value in (cfg.levels or {}).items():
        merged[int(key)] = (int(value[0]), int(value[1]))
    return engine.levels_from(merged)


def _as_time(value: Any) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def service_hours_of(project: Project, cfg: ServiceLevelSettings, years: range) -> engine.ServiceHours:
    department = "57" if project.holiday_zone == HolidayZone.ALSACE_MOSELLE else None
    return engine.ServiceHours(
        start=_as_time(cfg.service_start),
        end=_as_time(cfg.service_end),
        holidays=engine.holidays_for(years, department),
        tz=timezone.get_current_timezone(),
        always=cfg.always,
    )


def incidents_for(project: Project) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(project=project)
        .select_related("environment", "component", "anomaly")
        .prefetch_related("pauses")
    )


@dataclass(frozen=True)
class IncidentRow:
    incident: Incident
    take_charge: engine.Timer
    restore: engine.Timer

    @property
    def breached(self) -> bool:
        return self.take_charge.breached or self.restore.breached


def incidents_board(
    project: Project, *, now: dt.datetime | None = None, rows: QuerySet[Incident] | list[Incident] | None = None
) -> list[IncidentRow]:
    """Each incident with its GTI clock (stopped when taken in charge) and GTR clock (stopped when resolved).

    The GTR clock stands still while the incident waits on the client (« en attente »): its pauses.
    """
    moment = now or timezone.now()
    incidents = list(rows if rows is not None else incidents_for(project))
    cfg = service_level_settings(project)
    levels = _levels(cfg)
    first_year = min((i.opened_at.year for i in incidents), default=moment.year)
    hours = service_hours_of(project, cfg, range(first_year - 1, moment.year + 2))
    board = []
    for incident in incidents:
        level = levels.get(incident.priority, levels[max(levels)])
        stop_restore = incident.resolved_at or (
            incident.closed_at if incident.status == IncidentStatus.REJETE else None
        )
        stop_take = incident.taken_at or incident.resolved_at or stop_restore
        board.append(
            IncidentRow(
                incident,
                engine.timer(incident.opened_at, level.take_charge, stop_take, moment, hours),
                engine.timer(
                    incident.opened_at,
                    level.restore,
                    stop_restore,
                    moment,
                    hours,
                    [(p.started_at, p.ended_at) for p in incident.pauses.all()],
                ),
            )
        )
    return board


def incident_detail(project: Project, pk: int) -> Incident:
    return get_object_or_404(incidents_for(project), pk=pk)


@dataclass(frozen=True)
class StatusChange:
    status: str
    label: str
    when: dt.datetime
    who: str


def incident_status_history(incident: Incident) -> list[StatusChange]:
    """The incident's statuses in order, each with when and by whom it was set (read from its history, one
    query)."""
    changes: list[StatusChange] = []
    previous = None
    for record in incident.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.status != previous:
            changes.append(
                StatusChange(
                    record.status,
                    str(IncidentStatus(record.status).label)
                    if record.status in IncidentStatus.values
                    else record.status,
                    record.history_date,
                    str(record.history_user) if record.history_user else "—",
                )
            )
            previous = record.status
    return changes


# --- writes ------------------------------------------------------------------------------------------------------


def _scale(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise ValidationFailed({field: [_("Give a value from 1 to 5.")]})
    return number


@transaction.atomic
def incident_create(
    *,
    actor: User,
    project: Project,
    title: str,
    impact: Any,
    urgency: Any,
    description: str = "",
    environment: Environment | None = None,
    component: Component | None = None,
    opened_at: dt.datetime | None = None,
) -> Incident:
    """Report an incident; its priority comes from the impact × urgency matrix."""
    require(actor, project, INCIDENT_REPORT)
    errors: dict[str, list[str]] = {}
    for field, value in (("impact", impact), ("urgency", urgency)):
        try:
            _scale(value, field)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if environment is not None and environment.project_id != project.pk:
        errors["environment"] = [_("This environment belongs to another project.")]
    if component is not None and component.project_id != project.pk:
        errors["component"] = [_("This component belongs to another project.")]
    if errors:
        raise ValidationFailed(errors)
    impact_n, urgency_n = int(impact), int(urgency)
    incident = Incident(
        project=project,
        title=title.strip(),
        description=description,
        environment=environment,
        component=component,
        impact=impact_n,
        urgency=urgency_n,
        priority=engine.priority_of(impact_n, urgency_n),
        reporter=actor,
        opened_at=opened_at or timezone.now(),
    )
    full_clean(incident, exclude=["project", "reference"])
    incident.reference = allocate_references(
        project=project, key="mep.incident", prefix="INC", digits=3, taken=Incident.objects.filter(project=project)
    )[0]
    incident.number = int(incident.reference.split("-")[-1])
    save_with_history(incident, actor=actor)
    return incident


@transaction.atomic
def incident_transition(
    *, actor: User, incident: Incident, action: str, expected_version: int | None, at: dt.datetime | None = None
) -> Incident:
    """Move an incident along the workflow; the clocks stop when it is taken in charge and when it is resolved.

    Waiting on the client opens a pause of the GTR clock; leaving « en attente » closes it.
    """
    require(actor, incident.project, INCIDENT_HANDLE)
    if action not in TRANSITIONS:
        raise ValidationFailed({"action": [_("Unknown action.")]})
    sources, target = TRANSITIONS[action]
    moment = at or timezone.now()
    fresh = Incident.objects.select_for_update().get(pk=incident.pk)
    if fresh.status not in sources:
        raise DomainError(
            _("%(ref)s is %(status)s: this action does not apply.")
            % {"ref": fresh.reference, "status": fresh.get_status_display()}
        )
    data: dict[str, Any] = {"status": target}
    if target in (IncidentStatus.PRIS_EN_CHARGE, IncidentStatus.RESOLU) and fresh.taken_at is None:
        data["taken_at"] = moment
    if target == IncidentStatus.RESOLU:
        data["resolved_at"] = moment
    if action == "reopen":
        data["resolved_at"] = None
    if target in (IncidentStatus.CLOS, IncidentStatus.REJETE):
        data["closed_at"] = moment
    if target == IncidentStatus.EN_ATTENTE:
        save_with_history(IncidentPause(incident=fresh, started_at=moment), actor=actor)
    elif fresh.status == IncidentStatus.EN_ATTENTE:
        for pause in IncidentPause.objects.select_for_update().filter(incident=fresh, ended_at__isnull=True):
            pause.ended_at = max(moment, pause.started_at)
            pause.version += 1
            save_with_history(pause, actor=actor)
    updated, _changed = model_update(
        instance=fresh,
        fields=("status", "taken_at", "resolved_at", "closed_at"),
        data=data,
        actor=actor,
        expected_version=expected_version,
    )
    emit(
        INCIDENT_STATUS_CHANGED, project=updated.project, obj=updated, actor=actor,
        data={"title": updated.title[:200], "status": updated.status, "reporter_id": updated.reporter_id},
    )  # fmt: skip
    return updated


INCIDENT_STATUS_CHANGED = declare_event("incident.status_changed", gettext_lazy("Incident status changed"))


@transaction.atomic
def service_levels_update(
    *, actor: User, project: Project, expected_version: int | None, **data: Any
) -> ServiceLevelSettings:
    require(actor, project, MEP_CONFIGURE)
    levels = data.get("levels")
    if levels is not None:
        clean: dict[str, list[int]] = {}
        for key, value in dict(levels).items():
            try:
                priority, gti, gtr = int(key), int(value[0]), int(value[1])
            except (TypeError, ValueError, IndexError):
                raise ValidationFailed({"levels": [_("Give whole minutes for each priority.")]}) from None
            if priority not in range(1, 6) or gti <= 0 or gtr < gti:
                raise ValidationFailed(
                    {
                        "levels": [
                            _("Priority %(p)s: the time to restore must be at least the time to take charge.")
                            % {"p": key}
                        ]
                    }
                )
            clean[str(priority)] = [gti, gtr]
        data["levels"] = clean
    cfg, created = ServiceLevelSettings.objects.get_or_create(project=project)
    updated, _changed = model_update(
        instance=cfg,
        fields=("service_start", "service_end", "always", "levels"),
        data=data,
        actor=actor,
        expected_version=None if created else expected_version,
    )
    return updated
