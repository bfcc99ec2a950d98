"""Writes of the météo: the project's thresholds, the MOE's overrides and the dated snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.accounts.permissions import require
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.services import delete_with_history, full_clean, model_update, save_with_history
from oeuvre.engine.errors import InputError
from oeuvre.engine.health import HealthThresholds
from oeuvre.pilotage.models import Axis, MeteoOverride, MeteoSnapshot, SnapshotKind, SteeringSettings, Weather
from oeuvre.pilotage.permissions import METEO_CONFIGURE, METEO_PREPARE
from oeuvre.pilotage.selectors.meteo import SETTING_FIELDS, THRESHOLD_FIELDS, as_json, meteo_of, meteo_settings

__all__ = ["meteo_override_clear", "meteo_override_set", "meteo_settings_update", "snapshot_take"]


@transaction.atomic
def meteo_settings_update(
    *, actor: Any, project: Any, data: dict[str, Any], expected_version: int | None = None
) -> SteeringSettings:
    """Change the project's météo thresholds and risk scale; thresholds must stay ordered (sun ≥ cloud ≥ rain…)."""
    require(actor, project, METEO_CONFIGURE)
    cfg = meteo_settings(project)
    if cfg.pk is None:
        save_with_history(cfg, actor=actor)
        expected_version = None
    merged = {name: data.get(name, getattr(cfg, name)) for name in THRESHOLD_FIELDS}
    try:
        HealthThresholds(**merged)
    except InputError as exc:
        raise ValidationFailed(
            {exc.field or "__all__": [_("The thresholds must be ordered: sunny ≥ cloudy ≥ rainy.")]}
        ) from exc
    scale = data.get("risk_scale", cfg.risk_scale)
    from django.db.models import Q

    from oeuvre.pilotage.models import Risk

    if Risk.objects.filter(project=project).filter(Q(probability__gt=scale) | Q(impact__gt=scale)).exists():
        raise ValidationFailed({"risk_scale": [_("Some risks are scored above this scale: rescore them first.")]})
    saved, _changed = model_update(
        instance=cfg, fields=SETTING_FIELDS, data=data, actor=actor, expected_version=expected_version
    )
    return saved


@transaction.atomic
def meteo_override_set(*, actor: Any, project: Any, axis: str, verdict: str, reason: str) -> MeteoOverride:
    """Replace the computed verdict of ``axis`` (or ``overall``) by the MOE's, with a written reason."""
    require(actor, project, METEO_PREPARE)
    errors: dict[str, list[str]] = {}
    if axis not in Axis.values:
        errors["axis"] = [_("Choose an axis: overall, quality, cost, schedule or scope.")]
    if verdict not in Weather.values:
        errors["verdict"] = [_("Choose a verdict: sun, cloud, rain or storm.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the computed verdict is overridden.")]
    if errors:
        raise ValidationFailed(errors)
    override = MeteoOverride.objects.select_for_update().filter(project=project, axis=axis).first()
    if override is None:
        override = MeteoOverride(project=project, axis=axis)
    else:
        override.version += 1
    override.verdict = verdict
    override.reason = reason.strip()
    override.author = actor
    full_clean(override, exclude=["project"])
    save_with_history(override, actor=actor, reason=override.reason)
    return override


@transaction.atomic
def meteo_override_clear(*, actor: Any, project: Any, axis: str) -> None:
    """Go back to the computed verdict of ``axis``; history keeps the override that was removed."""
    require(actor, project, METEO_PREPARE)
    override = MeteoOverride.objects.select_for_update().filter(project=project, axis=axis).first()
    if override is not None:
        delete_with_history(override, actor=actor)


def _snapshot_data(project: Any, today: dt.date) -> dict[str, Any]:
    meteo = as_json(meteo_of(project, today))
    return {
        "overall": meteo["overall"],
        "computed_overall": meteo["computed_overall"],
        "axes": {
            axis: {
                "verdict": a["verdict"],
                "computed": a["computed"],
                "override_reason": a["override"]["reason"] if a["override"] else "",
                "rules": a["rules"],
            }
            for axis, a in meteo["axes"].items()
        },
        "figures": meteo["figures"],
    }


def snapshot_record(
    *, project: Any, actor: Any = None, today: dt.date | None = None, kind: str = SnapshotKind.MANUAL
) -> MeteoSnapshot:
    """Keep today's météo (a second snapshot the same day replaces the first, its history kept). No permission
    check: the weekly job and :func:`snapshot_take` (which checks) call it."""
    today = today or timezone.localdate()
    data = _snapshot_data(project, today)
    with transaction.atomic():
        snapshot = MeteoSnapshot.objects.select_for_update().filter(project=project, taken_on=today).first()
        if snapshot is None:
            snapshot = MeteoSnapshot(project=project, taken_on=today)
        else:
            snapshot.version += 1
        snapshot.kind = kind
        snapshot.overall = data["overall"]
        snapshot.computed_overall = data["computed_overall"]
        snapshot.axes = data["axes"]
        snapshot.figures = data["figures"]
        snapshot.author = actor
        save_with_history(snapshot, actor=actor)
    return snapshot


def snapshot_take(*, actor: Any, project: Any, today: dt.date | None = None) -> MeteoSnapshot:
    """A snapshot on demand (the MOE before a committee)."""
    require(actor, project, METEO_PREPARE)
    return snapshot_record(project=project, actor=actor, today=today, kind=SnapshotKind.MANUAL)
