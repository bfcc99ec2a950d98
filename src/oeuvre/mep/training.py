"""A release's training sessions: reads and writes, and the users trained per deployment wave.

Who prepares the deployment (MOE, AMOE, exploitation) plans the sessions and records their attendance; everybody
on the project reads them. The go/no-go's training criterion stays attested by a person; the sessions give its
evidence the count of users trained against the users of the waves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.services import full_clean, model_update, save_with_history
from oeuvre.mep.models import DeploymentWave, Release, TrainingSession
from oeuvre.mep.permissions import MEP_MANAGE

__all__ = [
    "SESSION_FIELDS",
    "TrainingPlan",
    "attendance_record",
    "session_create",
    "session_detail",
    "session_update",
    "sessions_of",
    "training_plan",
]

SESSION_FIELDS = ("wave", "audience", "trainer", "date", "place", "capacity")


def sessions_of(release: Release) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(release=release).select_related("wave").order_by("date", "pk")


def session_detail(release: Release, pk: int) -> TrainingSession:
    return get_object_or_404(sessions_of(release), pk=pk)


@dataclass(frozen=True)
class WaveTraining:
    """Users trained for one wave (or for no wave: ``wave`` is None) against the wave's users."""

    wave: DeploymentWave | None
    sessions: int
    trained: int

    @property
    def users(self) -> int:
        return self.wave.users if self.wave is not None else 0


@dataclass(frozen=True)
class TrainingPlan:
    sessions: list[TrainingSession]
    waves: list[WaveTraining]

    @property
    def trained(self) -> int:
        return sum(s.attended or 0 for s in self.sessions)

    @property
    def users(self) -> int:
        return sum(w.users for w in self.waves)

    def as_dict(self) -> dict[str, Any]:
        return {
            "trained": self.trained,
            "users": self.users,
            "waves": [
                {
                    "wave": w.wave.pk if w.wave else None,
                    "name": w.wave.name if w.wave else None,
                    "users": w.users,
                    "trained": w.trained,
                    "sessions": w.sessions,
                }
                for w in self.waves
            ],
            "sessions": [
                {
                    "id": s.pk,
                    "wave": s.wave_id,
                    "audience": s.audience,
                    "trainer": s.trainer,
                    "date": s.date,
                    "place": s.place,
                    "capacity": s.capacity,
                    "attended": s.attended,
                    "version": s.version,
                }
                for s in self.sessions
            ],
        }


def training_plan(release: Release) -> TrainingPlan:
    """The sessions of ``release`` and, for each of its waves (then for sessions without a wave), users trained."""
    sessions = list(sessions_of(release))
    rows: list[WaveTraining] = []
    for wave in DeploymentWave.objects.filter(release=release).order_by("position", "pk"):
        mine = [s for s in sessions if s.wave_id == wave.pk]
        rows.append(WaveTraining(wave, len(mine), sum(s.attended or 0 for s in mine)))
    loose = [s for s in sessions if s.wave_id is None]
    if loose:
        rows.append(WaveTraining(None, len(loose), sum(s.attended or 0 for s in loose)))
    return TrainingPlan(sessions, rows)


def _check(session: TrainingSession) -> None:
    if not session.audience.strip():
        raise ValidationFailed({"audience": [_("Say who the session trains.")]})
    if not session.trainer.strip():
        raise ValidationFailed({"trainer": [_("Name the trainer.")]})
    if session.wave is not None and session.wave.release_id != session.release_id:
        raise ValidationFailed({"wave": [_("This wave belongs to another release.")]})
    if session.attended is not None and session.capacity and session.attended > session.capacity:
        raise ValidationFailed({"attended": [_("More users attended than the session holds.")]})


def _wave(release: Release, data: dict[str, Any]) -> None:
    """Accept a wave given by its id (API, CLI) and check it is one of the release's."""
    raw = data.get("wave")
    if raw is None or isinstance(raw, DeploymentWave):
        return
    wave = DeploymentWave.objects.filter(release=release, pk=raw).first()
    if wave is None:
        raise ValidationFailed({"wave": [_("This wave belongs to another release.")]})
    data["wave"] = wave


@transaction.atomic
def session_create(*, actor: User, release: Release, **data: Any) -> TrainingSession:
    require(actor, release.project, MEP_MANAGE)
    unknown = set(data) - set(SESSION_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    _wave(release, data)
    session = TrainingSession(release=release, **data)
    session.audience, session.trainer = session.audience.strip(), session.trainer.strip()
    _check(session)
    full_clean(session, exclude=["release"])
    save_with_history(session, actor=actor)
    return session


@transaction.atomic
def session_update(
    *, actor: User, session: TrainingSession, expected_version: int | None, **data: Any
) -> TrainingSession:
    require(actor, session.release.project, MEP_MANAGE)
    _wave(session.release, data)
    updated, _changed = model_update(
        instance=session, fields=SESSION_FIELDS, data=data, actor=actor, expected_version=expected_version
    )
    try:
        _check(updated)
    except ValidationFailed:
        transaction.set_rollback(True)
        raise
    return updated


@transaction.atomic
def attendance_record(
    *, actor: User, session: TrainingSession, attended: int, expected_version: int | None
) -> TrainingSession:
    """Record how many users the session trained (from its sign-in sheet)."""
    require(actor, session.release.project, MEP_MANAGE)
    if attended < 0:
        raise ValidationFailed({"attended": [_("Give a number of users, zero or more.")]})
    updated, _changed = model_update(
        instance=session,
        fields=("attended",),
        data={"attended": attended},
        actor=actor,
        expected_version=expected_version,
    )
    try:
        _check(updated)
    except ValidationFailed:
        transaction.set_rollback(True)
        raise
    return updated
