"""Earned value management (EVM), earned schedule, and the French effort vocabulary.

The functions work in any unit: money (euros) or effort (jours-homme, j.h). Multiply an effort
by the TJM (taux journalier moyen, day rate) to get money.

French names used by the MOE, as documented aliases:

=====================  ==========================  ======================================
French                 English                     here
=====================  ==========================  ======================================
charge vendue          budget at completion        ``bac``
consommé               actual cost / effort        ``ac`` (:attr:`EarnedValue.consomme`)
reste à faire (RAF)    estimate to complete        ``etc`` (:attr:`EarnedValue.raf`)
atterrissage           estimate at completion      ``eac`` (:attr:`EarnedValue.atterrissage`)
écart                  atterrissage − vendu        ``-vac`` (:attr:`EarnedValue.ecart`)
=====================  ==========================  ======================================

Formulas (PMI, *Practice Standard for Earned Value Management*, 2nd ed.; earned schedule from
W. Lipke, "Schedule is Different", *The Measurable News*, 2003):
SV = EV − PV, CV = EV − AC, SPI = EV / PV, CPI = EV / AC; EAC = BAC / CPI (``eac_cpi``),
EAC = AC + ETC bottom-up (``eac_bottom_up``), EAC = AC + (BAC − EV) / (CPI × SPI)
(``eac_composite``); ETC = EAC − AC; VAC = BAC − EAC; TCPI = (BAC − EV) / (BAC − AC).
Earned schedule ES = C + (EV − PV_C) / (PV_{C+1} − PV_C), SPI(t) = ES / AT, SV(t) = ES − AT,
forecast duration IEAC(t) = PD / SPI(t).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from oeuvre.engine.errors import InputError

__all__ = [
    "EarnedValue",
    "EarnedValueSeries",
    "Landing",
    "earned_schedule",
    "earned_value",
    "earned_value_series",
    "landing",
    "planned_value_curve",
]

FloatArray = npt.NDArray[np.float64]


def _div(a: float, b: float) -> float:
    return a / b if b != 0 else math.nan


@dataclass(frozen=True)
class EarnedValue:
    """Earned-value indicators at one status date. Undefined ratios are ``nan``.

    Attributes
    ----------
    bac, pv, ev, ac : float
    sv, cv, spi, cpi : float
    eac : float
        Bottom-up EAC when an ETC was given, else BAC / CPI.
    eac_cpi, eac_composite : float
    eac_bottom_up : float or None
    etc, vac, tcpi : float
    es, at, spi_t, sv_t, forecast_duration : float or None
        Earned schedule indicators, when the schedule is known.
    """

    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float
    cpi: float
    eac: float
    eac_cpi: float
    eac_composite: float
    eac_bottom_up: float | None
    etc: float
    vac: float
    tcpi: float
    es: float | None = None
    at: float | None = None
    spi_t: float | None = None
    sv_t: float | None = None
    forecast_duration: float | None = None

    @property
    def consomme(self) -> float:
        """Consommé: the actual cost or effort (AC)."""
        return self.ac

    @property
    def raf(self) -> float:
        """Reste à faire: estimate to complete (ETC)."""
        return self.etc

    @property
    def atterrissage(self) -> float:
        """Atterrissage: estimate at completion (EAC)."""
        return self.eac

    @property
    def ecart(self) -> float:
        """Écart: atterrissage − charge vendue (= −VAC); positive means an overrun."""
        return self.eac - self.bac

    def to_dict(self) -> dict[str, float | None]:
        """Every indicator by its English name (the CLI's JSON output).

        Examples
        --------
        >>> earned_value(bac=100, pv=50, ev=40, ac=45).to_dict()["cpi"]
        0.8888888888888888
        """
        return asdict(self)


def earned_value(
    *,
    bac: float,
    pv: float,
    ev: float,
    ac: float,
    etc: float | None = None,
    duration: float | None = None,
    pv_curve: Sequence[float] | FloatArray | None = None,
    at: float | None = None,
) -> EarnedValue:
    """Earned-value indicators at a status date.

    Parameters
    ----------
    bac, pv, ev, ac : float
        Budget at completion, planned value, earned value, actual cost (cumulative).
    etc : float, optional
        Bottom-up estimate to complete (the RAF); gives ``eac_bottom_up`` and is used as ``eac``.
    duration : float, optional
        Planned duration PD (periods). Without ``pv_curve``, PV is taken as linear over it, so
        the actual time is ``AT = PD × PV / BAC`` unless ``at`` is given.
    pv_curve : array of float, optional
        Cumulative PV at the end of periods 1, 2, ... (the baseline); enables earned schedule.
    at : float, optional
        Actual time (periods elapsed); default from the linear baseline.

    Returns
    -------
    EarnedValue

    Raises
    ------
    InputError
        Negative amounts.

    Examples
    --------
    >>> r = earned_value(bac=4000, pv=3000, ev=2500, ac=2800)
    >>> round(r.cpi, 3), round(r.spi, 3), round(r.eac), round(r.vac)
    (0.893, 0.833, 4480, -480)
    >>> r = earned_value(bac=4000, pv=3000, ev=2500, ac=2800, duration=4)
    >>> r.es, r.at, round(r.spi_t, 3), round(r.forecast_duration, 2)
    (2.5, 3.0, 0.833, 4.8)
    """
    for name, value in (("bac", bac), ("pv", pv), ("ev", ev), ("ac", ac)):
        if value < 0 or not math.isfinite(value):
            raise InputError(f"{name} must be a non-negative number, got {value}", field=name)
    if etc is not None and etc < 0:
        raise InputError(f"etc must be non-negative, got {etc}", field="etc")
    sv, cv = ev - pv, ev - ac
    spi, cpi = _div(ev, pv), _div(ev, ac)
    eac_cpi = _div(bac, cpi) if not math.isnan(cpi) else math.nan
    eac_composite = ac + _div(bac - ev, cpi * spi) if not (math.isnan(cpi) or math.isnan(spi)) else math.nan
    eac_bu = ac + etc if etc is not None else None
    eac = eac_bu if eac_bu is not None else eac_cpi
    es = at_v = spi_t = sv_t = fd = None
    if pv_curve is not None or duration is not None:
        if pv_curve is not None:
            curve = np.asarray(pv_curve, dtype=np.float64)
            pd = float(len(curve)) if duration is None else float(duration)
        else:
            assert duration is not None
            if duration <= 0:
                raise InputError("duration must be positive", field="duration")
            pd = float(duration)
            steps = max(1, math.ceil(pd))
            curve = bac * np.minimum(np.arange(1, steps + 1) / pd, 1.0)
        es = float(earned_schedule(curve, np.array([ev]))[0])
        at_v = float(at) if at is not None else (pd * pv / bac if bac > 0 else math.nan)
        spi_t = _div(es, at_v)
        sv_t = es - at_v
        fd = _div(pd, spi_t)
    return EarnedValue(
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        sv=sv,
        cv=cv,
        spi=spi,
        cpi=cpi,
        eac=eac,
        eac_cpi=eac_cpi,
        eac_composite=eac_composite,
        eac_bottom_up=eac_bu,
        etc=eac - ac,
        vac=bac - eac,
        tcpi=_div(bac - ev, bac - ac),
        es=es,
        at=at_v,
        spi_t=spi_t,
        sv_t=sv_t,
        forecast_duration=fd,
    )


def earned_schedule(pv_curve: Sequence[float] | FloatArray, ev: Sequence[float] | FloatArray) -> FloatArray:
    """Earned schedule of each EV value against a cumulative PV curve (vectorised).

    ``pv_curve[k]`` is the cumulative PV at the end of period ``k + 1``. ES is the number C of
    whole periods whose PV the EV covers plus the interpolated fraction of the next one.

    Examples
    --------
    >>> earned_schedule([100, 200, 300, 400], [250, 400, 0])
    array([2.5, 4. , 0. ])
    """
    pv = np.concatenate([[0.0], np.asarray(pv_curve, dtype=np.float64)])
    e = np.asarray(ev, dtype=np.float64)
    if (np.diff(pv) < 0).any():
        raise InputError("the PV curve must be cumulative (non-decreasing)", field="pv")
    c = np.searchsorted(pv, e, side="right") - 1
    c = np.clip(c, 0, len(pv) - 1)
    nxt = np.minimum(c + 1, len(pv) - 1)
    step = pv[nxt] - pv[c]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(step > 0, (e - pv[c]) / step, 0.0)
    return np.asarray(c + np.clip(frac, 0.0, 1.0), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class EarnedValueSeries:
    """Time-phased indicators, one value per status period (arrays of equal length)."""

    pv: FloatArray
    ev: FloatArray
    ac: FloatArray
    sv: FloatArray
    cv: FloatArray
    spi: FloatArray
    cpi: FloatArray
    eac: FloatArray
    es: FloatArray
    spi_t: FloatArray
    sv_t: FloatArray
    forecast_duration: FloatArray


def earned_value_series(
    pv: Sequence[float] | FloatArray,
    ev: Sequence[float] | FloatArray,
    ac: Sequence[float] | FloatArray,
    *,
    bac: float | None = None,
) -> EarnedValueSeries:
    """Indicators for every period from cumulative PV (baseline, full length) and EV/AC to date.

    Parameters
    ----------
    pv : array of float
        Cumulative planned value per period over the whole baseline (its length is PD).
    ev, ac : array of float
        Cumulative earned value and actual cost per elapsed period (may be shorter or longer than ``pv``).
    bac : float, optional
        Default: the last PV value.

    Examples
    --------
    >>> s = earned_value_series([10, 30, 60, 100], [8, 24], [10, 30])
    >>> s.spi.round(2).tolist(), s.es.round(2).tolist(), s.forecast_duration.round(2).tolist()
    ([0.8, 0.8], [0.8, 1.7], [5.0, 4.71])
    """
    pv_c = np.asarray(pv, dtype=np.float64)
    ev_c = np.asarray(ev, dtype=np.float64)
    ac_c = np.asarray(ac, dtype=np.float64)
    if len(ev_c) != len(ac_c):
        raise InputError("ev and ac must have one value per elapsed period", field="ac")
    b = float(pv_c[-1]) if bac is None else float(bac)
    at = np.arange(1, len(ev_c) + 1, dtype=np.float64)
    pv_at = pv_c[np.minimum(at.astype(np.int64), len(pv_c)) - 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        spi = ev_c / pv_at
        cpi = ev_c / ac_c
        es = earned_schedule(pv_c, ev_c)
        spi_t = es / at
        return EarnedValueSeries(
            pv=pv_at,
            ev=ev_c,
            ac=ac_c,
            sv=ev_c - pv_at,
            cv=ev_c - ac_c,
            spi=spi,
            cpi=cpi,
            eac=b / cpi,
            es=es,
            spi_t=spi_t,
            sv_t=es - at,
            forecast_duration=len(pv_c) / spi_t,
        )


def planned_value_curve(
    start: Sequence[int] | npt.NDArray[np.int64],
    duration: Sequence[int] | npt.NDArray[np.int64],
    budget: Sequence[float] | FloatArray,
    periods: int | None = None,
) -> FloatArray:
    """Cumulative PV per working day from a baseline schedule, each budget spread evenly.

    Milestones (zero duration) earn their budget on their start day.

    Examples
    --------
    >>> planned_value_curve([0, 2], [2, 1], [100.0, 50.0]).tolist()
    [50.0, 100.0, 150.0]
    """
    s = np.asarray(start, dtype=np.int64)
    d = np.asarray(duration, dtype=np.int64)
    b = np.asarray(budget, dtype=np.float64)
    end = int((s + np.maximum(d, 1)).max()) if len(s) else 0
    t = end if periods is None else periods
    rate = b / np.maximum(d, 1)
    diff = np.zeros(max(t, end) + 1)
    np.add.at(diff, s, rate)
    np.add.at(diff, s + np.maximum(d, 1), -rate)
    return np.asarray(np.cumsum(np.cumsum(diff)[:-1])[:t], dtype=np.float64)


@dataclass(frozen=True)
class Landing:
    """Effort landing in the MOE's words (all in j.h, or in euros when a TJM is given).

    Attributes
    ----------
    charge_vendue : float
        Sold effort (BAC in effort).
    consomme : float
        Effort spent (AC).
    raf : float
        Re-estimated remaining effort (ETC).
    atterrissage : float
        consommé + RAF (EAC).
    ecart : float
        atterrissage − charge vendue (−VAC); positive is an overrun.
    """

    charge_vendue: float
    consomme: float
    raf: float
    atterrissage: float
    ecart: float


def landing(*, charge_vendue: float, consomme: float, raf: float, tjm: float | None = None) -> Landing:
    """Atterrissage and écart from the sold effort, the consommé and the RAF.

    Parameters
    ----------
    charge_vendue, consomme, raf : float
        In j.h.
    tjm : float, optional
        Day rate: when given, every figure is converted to money.

    Examples
    --------
    >>> landing(charge_vendue=100, consomme=60, raf=50)
    Landing(charge_vendue=100.0, consomme=60.0, raf=50.0, atterrissage=110.0, ecart=10.0)
    >>> landing(charge_vendue=100, consomme=60, raf=50, tjm=650).ecart
    6500.0
    """
    for name, value in (("charge_vendue", charge_vendue), ("consomme", consomme), ("raf", raf)):
        if value < 0:
            raise InputError(f"{name} must be non-negative", field=name)
    k = 1.0 if tjm is None else float(tjm)
    att = consomme + raf
    return Landing(charge_vendue * k, consomme * k, raf * k, att * k, (att - charge_vendue) * k)
