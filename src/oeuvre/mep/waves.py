"""A release's deployment plan in waves (by site or population): reads and writes.

Each wave has its sites or population, a planned (and actual) date, its number of users, its prerequisites, a
status, a link to its own runbook or checklist, and its own go/no-go, decided by the buyer (MOA) with a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.services import full_clean, model_update, save_with_history
from oeuvre.mep.models import DeploymentWave, GoNoGoVerdict, Release, WaveStatus
from oeuvre.mep.permissions import GONOGO_DECIDE, MEP_MANAGE

__all__ = [
    "WAVE_FIELDS",
    "WavePlan",
    "wave_create",
    "wave_decide",
    "wave_detail",
    "wave_plan",
    "wave_update",
    "waves_of",
]

WAVE_FIELDS = ("name", "sites", "planned_date", "actual_date", "users", "prerequisites", "status", "runbook_link")


def waves_of(release: Release) -> QuerySet[DeploymentWave]:
    return DeploymentWave.objects.filter(release=release).select_related("gonogo_by").order_by("position", "pk")


def wave_detail(release: Release, pk: int) -> DeploymentWave:
    return get_object_or_404(waves_of(release), pk=pk)


@dataclass(frozen=True)
class WavePlan:
    """The waves of a release with their totals: users to deploy, users reached by the waves deployed."""

    waves: list[DeploymentWave]

    @property
    def users(self) -> int:
        return sum(w.users for w in self.waves)

    @property
    def users_deployed(self) -> int:
        return sum(w.users for w in self.waves if w.status == WaveStatus.DEPLOYEE)

    def as_dict(self) -> dict[str, Any]:
        return {
            "users": self.users,
            "users_deployed": self.users_deployed,
            "waves": [
                {
                    "id": w.pk,
                    "position": w.position,
                    "name": w.name,
                    "sites": w.sites,
                    "planned_date": w.planned_date,
                    "actual_date": w.actual_date,
                    "users": w.users,
                    "prerequisites": w.prerequisite_lines,
                    "status": w.status,
                    "gonogo": w.gonogo or None,
                    "gonogo_note": w.gonogo_note,
                    "gonogo_by": w.gonogo_by.username if w.gonogo_by else None,
                    "gonogo_at": w.gonogo_at,
                    "runbook_link": w.runbook_link,
                    "version": w.version,
                }
                for w in self.waves
            ],
        }


def wave_plan(release: Release) -> WavePlan:
    return WavePlan(list(waves_of(release)))


def _check(wave: DeploymentWave) -> None:
    if not wave.name.strip():
        raise ValidationFailed({"name": [_("Name the wave.")]})
    if not wave.sites.strip():
        raise ValidationFailed({"sites": [_("Say which sites or which population the wave reaches.")]})
    if wave.status == WaveStatus.DEPLOYEE and wave.actual_date is None:
        raise ValidationFailed({"actual_date": [_("A deployed wave needs its actual date.")]})
    if wave.status in (WaveStatus.EN_COURS, WaveStatus.DEPLOYEE) and wave.gonogo != GoNoGoVerdict.GO:
        raise ValidationFailed({"status": [_("The wave starts only after its go.")]})


@transaction.atomic
def wave_create(*, actor: User, release: Release, **data: Any) -> DeploymentWave:
    require(actor, release.project, MEP_MANAGE)
    unknown = set(data) - set(WAVE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    # Lock the release so that two waves added at once do not take the same position.
    Release.objects.select_for_update().filter(pk=release.pk).first()
    last = DeploymentWave.objects.filter(release=release).aggregate(n=Max("position"))["n"] or 0
    wave = DeploymentWave(release=release, position=last + 1, **data)
    wave.name, wave.sites = wave.name.strip(), wave.sites.strip()
    full_clean(wave, exclude=["release"])
    _check(wave)
    save_with_history(wave, actor=actor)
    return wave


@transaction.atomic
def wave_update(*, actor: User, wave: DeploymentWave, expected_version: int | None, **data: Any) -> DeploymentWave:
    require(actor, wave.release.project, MEP_MANAGE)
    updated, _changed = model_update(
        instance=wave, fields=WAVE_FIELDS, data=data, actor=actor, expected_version=expected_version
    )
    try:
        _check(updated)
    except ValidationFailed:
        transaction.set_rollback(True)
        raise
    return updated


@transaction.atomic
def wave_decide(
    *, actor: User, wave: DeploymentWave, decision: str, note: str, expected_version: int | None
) -> DeploymentWave:
    """The buyer's go or no go on one wave; a no go needs its reason, and a wave rolling out is not re-decided."""
    require(actor, wave.release.project, GONOGO_DECIDE)
    if decision not in GoNoGoVerdict.values:
        raise ValidationFailed({"decision": [_("Choose go or no go.")]})
    note = note.strip()
    if decision == GoNoGoVerdict.NO_GO and not note:
        raise ValidationFailed({"note": [_("Say why the wave does not go.")]})
    current = DeploymentWave.objects.select_for_update().get(pk=wave.pk)
    if current.status in (WaveStatus.EN_COURS, WaveStatus.DEPLOYEE):
        raise ValidationFailed({"decision": [_("This wave is already rolling out or deployed.")]})
    data: dict[str, Any] = {
        "gonogo": decision,
        "gonogo_note": note,
        "gonogo_by": actor,
        "gonogo_at": timezone.now(),
        "status": WaveStatus.PRETE if decision == GoNoGoVerdict.GO else WaveStatus.SUSPENDUE,
    }
    updated, _changed = model_update(
        instance=wave, fields=tuple(data), data=data, actor=actor, expected_version=expected_version
    )
    return updated


def parse_day(raw: str, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({field: [_("« %(value)s » is not a date.") % {"value": raw}]}) from None
