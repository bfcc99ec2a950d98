"""QCD météo: the rules of DOMAIN.md that turn a project's figures into one verdict per axis and overall.

Plain data in (:class:`HealthFacts`, :class:`HealthThresholds`), plain data out (:class:`Health`); nothing
here imports Django. Each axis (``quality``, ``cost``, ``schedule``, ``scope``) gets a :class:`Weather`
(sun < cloud < rain < storm) and the list of :class:`Reason` that produced it: every figure examined, with
its value, the threshold it was compared with and the weather that comparison gives, so that an edge can
say *"schedule: storm — SPI 0.78 < 0.80"* in French or English. A figure that is unknown (no baseline yet,
no Monte Carlo run) gives a reason without weather: it is shown, it does not count.

Overall is the worst axis. The MOE's override is not decided here: the app keeps it beside the computed
verdict.

Examples
--------
>>> health = assess(HealthFacts(spi=0.82, cpi=0.97, landing=100.0, sold=100.0))
>>> health.axes["schedule"].weather.label, health.axes["cost"].weather.label, health.overall.label
('rain', 'sun', 'rain')
>>> [(r.code, r.weather.label) for r in health.axes["schedule"].reasons if r.weather]
[('spi', 'rain')]
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from oeuvre.engine.errors import InputError

__all__ = ["AXES", "AxisHealth", "Health", "HealthFacts", "HealthThresholds", "Reason", "Weather", "assess"]

AXES = ("quality", "cost", "schedule", "scope")


class Weather(enum.IntEnum):
    """The four verdicts, ordered so that ``max`` is the worst."""

    SUN = 0
    CLOUD = 1
    RAIN = 2
    STORM = 3

    @property
    def label(self) -> str:
        """The machine name used in JSON and the database: ``sun``, ``cloud``, ``rain`` or ``storm``."""
        return self.name.lower()

    @classmethod
    def of(cls, label: str) -> Weather:
        """The weather named ``label``; :class:`InputError` names the bad value.

        >>> Weather.of("rain")
        <Weather.RAIN: 2>
        """
        try:
            return cls[label.upper()]
        except KeyError:
            raise InputError(f"unknown weather {label!r} (sun, cloud, rain or storm)", field="weather") from None


@dataclass(frozen=True)
class HealthThresholds:
    """The thresholds of DOMAIN.md's météo table (every one configurable per project).

    Ratios (SPI, CPI) are compared with ``>=``: exactly 0.95 is sun. Day counts and percentages are limits
    that still belong to the milder verdict: a milestone slipping exactly 5 working days is cloud, 6 is rain.
    """

    spi_sun: float = 0.95
    spi_cloud: float = 0.90
    spi_rain: float = 0.80
    cpi_sun: float = 0.95
    cpi_cloud: float = 0.90
    cpi_rain: float = 0.80
    slip_cloud_days: int = 5
    slip_rain_days: int = 15
    landing_cloud_percent: float = 5.0
    landing_rain_percent: float = 15.0
    coverage_min_percent: float = 95.0
    pass_rate_min_percent: float = 90.0
    bloquante_storm_days: int = 5
    change_wait_days: int = 30
    critical_risks_cloud: int = 1

    def __post_init__(self) -> None:
        for name in ("spi", "cpi"):
            sun, cloud, rain = (getattr(self, f"{name}_{w}") for w in ("sun", "cloud", "rain"))
            if not sun >= cloud >= rain >= 0:
                raise InputError(f"{name} thresholds must decrease: sun ≥ cloud ≥ rain ≥ 0", field=f"{name}_cloud")
        if not 0 <= self.slip_cloud_days <= self.slip_rain_days:
            raise InputError("slip thresholds must grow: 0 ≤ cloud ≤ rain", field="slip_rain_days")
        if not 0 <= self.landing_cloud_percent <= self.landing_rain_percent:
            raise InputError("landing thresholds must grow: 0 ≤ cloud ≤ rain", field="landing_rain_percent")


@dataclass(frozen=True)
class HealthFacts:
    """The live figures of one project; ``None`` means unknown (not measured yet), never zero.

    Parameters
    ----------
    spi, spi_t, cpi : float or None
        Earned-value indices at the status date.
    landing, sold : float or None
        Atterrissage (consommé + RAF) and sold amount, in the same unit (euros).
    spent : float or None
        Consommé (actual cost to date), in euros: the budget consumed is ``spent / sold``. Not judged by the rules.
    milestone_slip_days : int or None
        The largest slippage, in working days, of a contractual milestone against the reference baseline.
    p50_late_days, p80_late_days : int or None
        Days between the Monte Carlo P50/P80 of the go-live milestone and its contractual date (> 0: after it).
    deadlines_overdue, deadlines_at_risk : int
        CCAG-TIC deadlines passed without their act, and deadlines within their alert window.
    critical_risks : int or None
        Open risks whose criticality (P × I) reaches the critical threshold.
    coverage_percent, pass_rate_percent : float or None
        Exigences covered by a test, and passed tests among executed ones.
    bloquante_ages : sequence of int
        Age in days of every open bloquante.
    majeures, majeures_max : int, int or None
        Open majeures and the PV threshold above which they reject the PV.
    pv_refused : bool
        The latest PV de recette is refusée or ajournée.
    reserves_open : int
        Réserves of the latest PV not lifted yet.
    change_wait_days : sequence of int
        Days each change request has been waiting for a decision.
    change_waiting_cost, change_waiting_delay_days : float, int
        Cumulated extra cost (euros) and delay (working days) of the waiting requests already analysed.
    exigences_rejected_after_validation : int
        Exigences rejected after having been validated.
    changes_without_avenant : int
        Accepted change requests that alter price or deadline and have no avenant yet.
    """

    spi: float | None = None
    spi_t: float | None = None
    cpi: float | None = None
    landing: float | None = None
    sold: float | None = None
    spent: float | None = None
    milestone_slip_days: int | None = None
    p50_late_days: int | None = None
    p80_late_days: int | None = None
    deadlines_overdue: int = 0
    deadlines_at_risk: int = 0
    critical_risks: int | None = None
    coverage_percent: float | None = None
    pass_rate_percent: float | None = None
    bloquante_ages: Sequence[int] = ()
    majeures: int = 0
    majeures_max: int | None = None
    pv_refused: bool = False
    reserves_open: int = 0
    change_wait_days: Sequence[int] = ()
    change_waiting_cost: float = 0.0
    change_waiting_delay_days: int = 0
    exigences_rejected_after_validation: int = 0
    changes_without_avenant: int = 0


@dataclass(frozen=True)
class Reason:
    """One figure examined: ``code`` names the rule, ``params`` its value and threshold, ``weather`` its verdict
    (``None`` when the figure is unknown and only shown)."""

    code: str
    params: dict[str, Any]
    weather: Weather | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "params": dict(self.params),
            "weather": self.weather.label if self.weather is not None else None,
        }


@dataclass
class AxisHealth:
    axis: str
    reasons: list[Reason] = field(default_factory=list)

    @property
    def weather(self) -> Weather:
        return max((r.weather for r in self.reasons if r.weather is not None), default=Weather.SUN)

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.weather.label, "reasons": [r.to_dict() for r in self.reasons]}


@dataclass
class Health:
    axes: dict[str, AxisHealth]

    @property
    def overall(self) -> Weather:
        return max(axis.weather for axis in self.axes.values())

    def to_dict(self) -> dict[str, Any]:
        return {"overall": self.overall.label, "axes": {k: a.to_dict() for k, a in self.axes.items()}}


def _ratio(code: str, value: float | None, sun: float, cloud: float, rain: float) -> Reason:
    if value is None:
        return Reason(f"{code}_unknown", {}, None)
    value = round(value, 4)
    if value >= sun:
        return Reason(code, {"value": value, "threshold": sun, "op": ">="}, Weather.SUN)
    if value >= cloud:
        return Reason(code, {"value": value, "threshold": cloud, "op": ">="}, Weather.CLOUD)
    if value >= rain:
        return Reason(code, {"value": value, "threshold": rain, "op": ">="}, Weather.RAIN)
    return Reason(code, {"value": value, "threshold": rain, "op": "<"}, Weather.STORM)


def _schedule(f: HealthFacts, t: HealthThresholds) -> AxisHealth:
    axis = AxisHealth("schedule")
    axis.reasons.append(_ratio("spi", f.spi, t.spi_sun, t.spi_cloud, t.spi_rain))
    if f.spi_t is not None:
        axis.reasons.append(_ratio("spi_t", f.spi_t, t.spi_sun, t.spi_cloud, t.spi_rain))
    slip = f.milestone_slip_days
    if slip is None:
        axis.reasons.append(Reason("slip_unknown", {}, None))
    elif slip <= 0:
        axis.reasons.append(Reason("slip", {"value": slip, "threshold": 0, "op": "<="}, Weather.SUN))
    elif slip <= t.slip_cloud_days:
        axis.reasons.append(Reason("slip", {"value": slip, "threshold": t.slip_cloud_days, "op": "<="}, Weather.CLOUD))
    elif slip <= t.slip_rain_days:
        axis.reasons.append(Reason("slip", {"value": slip, "threshold": t.slip_rain_days, "op": "<="}, Weather.RAIN))
    else:
        axis.reasons.append(Reason("slip", {"value": slip, "threshold": t.slip_rain_days, "op": ">"}, Weather.STORM))
    if f.p50_late_days is not None and f.p50_late_days > 0:
        axis.reasons.append(Reason("p50_late", {"value": f.p50_late_days}, Weather.STORM))
    elif f.p80_late_days is not None and f.p80_late_days > 0:
        axis.reasons.append(Reason("p80_late", {"value": f.p80_late_days}, Weather.RAIN))
    elif f.p80_late_days is not None:
        axis.reasons.append(Reason("p80_on_time", {"value": -f.p80_late_days}, Weather.SUN))
    else:
        axis.reasons.append(Reason("monte_carlo_unknown", {}, None))
    if f.deadlines_overdue:
        axis.reasons.append(Reason("deadlines_overdue", {"value": f.deadlines_overdue}, Weather.RAIN))
    if f.deadlines_at_risk:
        axis.reasons.append(Reason("deadlines_at_risk", {"value": f.deadlines_at_risk}, Weather.CLOUD))
    if f.critical_risks is not None and t.critical_risks_cloud and f.critical_risks >= t.critical_risks_cloud:
        axis.reasons.append(
            Reason("critical_risks", {"value": f.critical_risks, "threshold": t.critical_risks_cloud}, Weather.CLOUD)
        )
    return axis


def _cost(f: HealthFacts, t: HealthThresholds) -> AxisHealth:
    axis = AxisHealth("cost")
    axis.reasons.append(_ratio("cpi", f.cpi, t.cpi_sun, t.cpi_cloud, t.cpi_rain))
    if f.landing is None or not f.sold:
        axis.reasons.append(Reason("landing_unknown", {}, None))
        return axis
    gap = round(100.0 * (f.landing - f.sold) / f.sold, 2)
    params: dict[str, Any] = {"value": gap, "landing": round(f.landing, 2), "sold": round(f.sold, 2)}
    if gap <= 0:
        axis.reasons.append(Reason("landing", {**params, "threshold": 0.0, "op": "<="}, Weather.SUN))
    elif gap <= t.landing_cloud_percent:
        axis.reasons.append(
            Reason("landing", {**params, "threshold": t.landing_cloud_percent, "op": "<="}, Weather.CLOUD)
        )
    elif gap <= t.landing_rain_percent:
        axis.reasons.append(
            Reason("landing", {**params, "threshold": t.landing_rain_percent, "op": "<="}, Weather.RAIN)
        )
    else:
        axis.reasons.append(
            Reason("landing", {**params, "threshold": t.landing_rain_percent, "op": ">"}, Weather.STORM)
        )
    return axis


def _quality(f: HealthFacts, t: HealthThresholds) -> AxisHealth:
    """One criterion missed is cloud, two are rain (DOMAIN.md); the storm rules stand on their own."""
    checks: list[Reason] = []
    blocking = list(f.bloquante_ages)
    if blocking:
        checks.append(Reason("bloquantes", {"value": len(blocking), "oldest": max(blocking)}, Weather.CLOUD))
    else:
        checks.append(Reason("bloquantes", {"value": 0}, Weather.SUN))
    if f.majeures_max is not None:
        over = f.majeures > f.majeures_max
        checks.append(
            Reason(
                "majeures",
                {"value": f.majeures, "threshold": f.majeures_max, "op": ">" if over else "<="},
                Weather.CLOUD if over else Weather.SUN,
            )
        )
    for code, value, minimum in (
        ("coverage", f.coverage_percent, t.coverage_min_percent),
        ("pass_rate", f.pass_rate_percent, t.pass_rate_min_percent),
    ):
        if value is None:
            checks.append(Reason(f"{code}_unknown", {}, None))
            continue
        ok = value >= minimum
        checks.append(
            Reason(
                code,
                {"value": round(value, 1), "threshold": minimum, "op": ">=" if ok else "<"},
                Weather.SUN if ok else Weather.CLOUD,
            )
        )
    missed = sum(1 for r in checks if r.weather is Weather.CLOUD)
    axis = AxisHealth("quality", checks)
    if missed >= 2:
        axis.reasons.append(Reason("missed", {"value": missed}, Weather.RAIN))
    if blocking:
        oldest = max(blocking)
        if oldest >= t.bloquante_storm_days:
            axis.reasons.append(
                Reason("bloquante_old", {"value": oldest, "threshold": t.bloquante_storm_days}, Weather.STORM)
            )
        else:
            axis.reasons.append(
                Reason("bloquante_new", {"value": oldest, "threshold": t.bloquante_storm_days}, Weather.RAIN)
            )
    if f.pv_refused:
        axis.reasons.append(Reason("pv_refused", {}, Weather.STORM))
    if f.reserves_open:
        axis.reasons.append(Reason("reserves_open", {"value": f.reserves_open}, Weather.CLOUD))
    return axis


def _scope(f: HealthFacts, t: HealthThresholds) -> AxisHealth:
    axis = AxisHealth("scope")
    late = [d for d in f.change_wait_days if d > t.change_wait_days]
    if late:
        axis.reasons.append(
            Reason(
                "changes_waiting",
                {"value": len(late), "oldest": max(late), "threshold": t.change_wait_days},
                Weather.RAIN,
            )
        )
    else:
        axis.reasons.append(
            Reason(
                "changes_waiting",
                {"value": 0, "waiting": len(f.change_wait_days), "threshold": t.change_wait_days},
                Weather.SUN,
            )
        )
    if f.change_wait_days:
        # Shown, not judged: what the waiting requests would cost if accepted as analysed.
        axis.reasons.append(
            Reason(
                "changes_impact",
                {
                    "value": len(f.change_wait_days),
                    "cost": f.change_waiting_cost,
                    "delay": f.change_waiting_delay_days,
                },
                None,
            )
        )
    if f.exigences_rejected_after_validation:
        axis.reasons.append(
            Reason("exigences_rejected", {"value": f.exigences_rejected_after_validation}, Weather.CLOUD)
        )
    if f.changes_without_avenant:
        axis.reasons.append(Reason("changes_without_avenant", {"value": f.changes_without_avenant}, Weather.STORM))
    return axis


def assess(facts: HealthFacts, thresholds: HealthThresholds | None = None) -> Health:
    """Apply the météo rules to ``facts``.

    Parameters
    ----------
    facts : HealthFacts
        The project's live figures.
    thresholds : HealthThresholds, optional
        The project's thresholds (DOMAIN.md's defaults when omitted).

    Returns
    -------
    Health
        One :class:`AxisHealth` per axis of :data:`AXES`, and ``overall`` (the worst).

    Examples
    --------
    >>> assess(HealthFacts(bloquante_ages=[6])).axes["quality"].weather.label
    'storm'
    >>> assess(HealthFacts(milestone_slip_days=5)).axes["schedule"].weather.label
    'cloud'
    """
    t = thresholds or HealthThresholds()
    return Health(
        {
            "quality": _quality(facts, t),
            "cost": _cost(facts, t),
            "schedule": _schedule(facts, t),
            "scope": _scope(facts, t),
        }
    )
