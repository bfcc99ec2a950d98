"""Monte Carlo schedule risk analysis, vectorised across iterations.

Durations are drawn from three-point estimates (triangular or PERT-beta), risk events add a
delay to given activities with some probability, and the CPM forward and backward passes of
:mod:`oeuvre.engine.network` run on 2-D arrays (iterations x activities), one chunk of
iterations at a time to bound memory.

Outputs: finish percentiles, probability of meeting a date, criticality index per activity,
sensitivity (correlation of each duration with the finish, for a tornado chart), and the
standard error of the P80.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from oeuvre.engine.errors import InputError
from oeuvre.engine.network import CompiledNetwork, Network, forward_pass, schedule

__all__ = ["RiskEvent", "RiskResult", "monte_carlo"]

FloatArray = npt.NDArray[np.float64]

PERCENTILES = (10, 20, 30, 40, 50, 60, 70, 80, 90)


@dataclass(frozen=True)
class RiskEvent:
    """A risk: with ``probability``, every activity in ``activities`` takes ``delay`` more working days.

    ``delay`` is a number or a three-point ``(low, most_likely, high)`` drawn from a triangular law.

    Examples
    --------
    >>> RiskEvent("supplier late", 0.3, (2.0, 5.0, 10.0), ("B",)).probability
    0.3
    """

    name: str
    probability: float
    delay: float | tuple[float, ...]
    activities: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class RiskResult:
    """Result of :func:`monte_carlo`.

    Attributes
    ----------
    ids : tuple of str
    finish : ndarray of float, shape (iterations,)
        Project finish (working-day index) of every iteration.
    percentiles : dict of int to float
        P10 ... P90 of the finish.
    criticality : ndarray of float
        Share of iterations in which each activity is critical (zero total float).
    sensitivity : ndarray of float
        Pearson correlation between each activity's duration and the finish (0 when constant).
    p80_standard_error : float
        Standard error of the P80 estimate, in working days.
    deterministic_finish : float
        Finish with the most likely durations and no risk event.
    """

    ids: tuple[str, ...]
    finish: FloatArray
    percentiles: dict[int, float]
    criticality: FloatArray
    sensitivity: FloatArray
    p80_standard_error: float
    deterministic_finish: float

    def probability_of(self, target: float) -> float:
        """Probability that the project finishes by finish index ``target``.

        Examples
        --------
        >>> from oeuvre.engine.network import Activity
        >>> net = Network([Activity("A", 5)])
        >>> r = monte_carlo(net, [4], [5], [6], iterations=1000, seed=1)
        >>> r.probability_of(5.0) == float(np.mean(r.finish <= 5.0))
        True
        """
        return float(np.mean(self.finish <= target))

    def to_dict(self, target: float | None = None) -> dict[str, object]:
        """Plain dict with the CLI's JSON field names."""
        out: dict[str, object] = {
            "iterations": len(self.finish),
            "deterministic_finish": self.deterministic_finish,
            "mean": float(self.finish.mean()),
            "percentiles": {f"P{p}": v for p, v in self.percentiles.items()},
            "criticality": {self.ids[i]: float(self.criticality[i]) for i in range(len(self.ids))},
            "sensitivity": {self.ids[i]: float(self.sensitivity[i]) for i in range(len(self.ids))},
            "p80_standard_error": self.p80_standard_error,
        }
        if target is not None:
            out["target"] = target
            out["probability"] = self.probability_of(target)
        return out


def _sample(
    rng: np.random.Generator,
    lo: FloatArray,
    ml: FloatArray,
    hi: FloatArray,
    size: int,
    distribution: str,
) -> FloatArray:
    """Durations, shape (n, size): one row per activity, iterations contiguous.

    Random numbers are drawn iteration by iteration (shape (size, n)), so the stream, and the
    result, do not depend on the chunk size.
    """
    from oeuvre.engine import _kernels  # compiled kernels: imported when a simulation runs

    n = len(ml)
    out = np.empty((n, size))
    if distribution == "triangular":
        _kernels.triangular_inverse_cdf(rng.random((size, n)), lo, ml, hi, out)
        return out
    out[:] = ml[:, None]
    var = np.flatnonzero(hi > lo)
    if len(var):
        a, m, b = lo[var], ml[var], hi[var]
        alpha = 1 + 4 * (m - a) / (b - a)
        beta = 1 + 4 * (b - m) / (b - a)
        draws = rng.beta(alpha, beta, size=(size, len(var)))
        out[var] = (a + (b - a) * draws).T
    return out


def monte_carlo(
    network: Network | CompiledNetwork,
    optimistic: Sequence[float] | FloatArray,
    most_likely: Sequence[float] | FloatArray,
    pessimistic: Sequence[float] | FloatArray,
    *,
    iterations: int = 10_000,
    seed: int | None = 0,
    distribution: str = "triangular",
    risks: Sequence[RiskEvent] = (),
    chunk: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> RiskResult:
    """Monte Carlo simulation of the project finish.

    Parameters
    ----------
    network : Network or CompiledNetwork
        Links (all types, lags in working or calendar days) and start constraints are honoured.
        With calendar-day lags, each sampled duration is rounded to a whole slot, so that the
        lags convert exactly on the calendar (see :mod:`oeuvre.engine.timemodel`).
    optimistic, most_likely, pessimistic : array of float, shape (n,)
        Three-point estimates in working days.
    iterations : int
    seed : int or None
        Same seed, same result.
    distribution : {"triangular", "pert"}
    risks : sequence of RiskEvent
    chunk : int, optional
        Iterations per vectorised batch (default: sized to about 48 MB of work arrays).
    progress : callable, optional
        Called with the fraction of iterations done after each batch (for a job's progress bar).

    Returns
    -------
    RiskResult

    Raises
    ------
    InputError
        Inconsistent estimates, unknown activity in a risk, calendar-day lags without a calendar.

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Link
    >>> net = Network([Activity("A", 3), Activity("B", 4), Activity("C", 2)],
    ...               [Link("A", "C"), Link("B", "C")])
    >>> r = monte_carlo(net, [2, 2, 1], [3, 4, 2], [6, 9, 4], iterations=2000, seed=7)
    >>> r.percentiles[10] <= r.percentiles[50] <= r.percentiles[90]
    True
    >>> bool(r.criticality[2] == 1.0)  # C closes every path
    True
    """
    net = network.compile() if isinstance(network, Network) else network
    n = net.n
    lo, ml, hi = (np.asarray(x, dtype=np.float64).reshape(-1) for x in (optimistic, most_likely, pessimistic))
    if not (len(lo) == len(ml) == len(hi) == n):
        raise InputError(f"expected {n} three-point estimates")
    bad = np.flatnonzero(~((lo >= 0) & (lo <= ml) & (ml <= hi)) | ~np.isfinite(hi))
    if len(bad):
        j = int(bad[0])
        raise InputError(
            f"activity {net.ids[j]!r}: need 0 <= optimistic <= most likely <= pessimistic, "
            f"got {lo[j]:g}, {ml[j]:g}, {hi[j]:g}",
            field="optimistic",
        )
    if distribution not in ("triangular", "pert"):
        raise InputError(f"unknown distribution {distribution!r}; use triangular or pert", field="distribution")
    if iterations < 1:
        raise InputError("iterations must be at least 1", field="iterations")
    index = {a: i for i, a in enumerate(net.ids)}
    events: list[tuple[float, tuple[float, ...], npt.NDArray[np.int64]]] = []
    for ev in risks:
        if not 0 <= ev.probability <= 1:
            raise InputError(f"risk {ev.name!r}: probability must be within 0..1", field="probability")
        missing = [a for a in ev.activities if a not in index]
        if missing:
            raise InputError(f"risk {ev.name!r}: unknown activity {missing[0]!r}", field="activities")
        delay = (ev.delay,) if isinstance(ev.delay, int | float) else tuple(ev.delay)
        if len(delay) not in (1, 3) or min(delay) < 0 or (len(delay) == 3 and not delay[0] <= delay[1] <= delay[2]):
            raise InputError(f"risk {ev.name!r}: delay must be >= 0 or a (low, likely, high) triple", field="delay")
        events.append((ev.probability, delay, np.array([index[a] for a in ev.activities], np.int64)))

    from oeuvre.engine import _kernels  # compiled kernels: imported when a simulation runs

    rng = np.random.default_rng(seed)
    if chunk is None:
        chunk = max(16, min(iterations, (48 * 2**20) // (8 * 4 * max(n, 1))))
    topo = np.argsort(net.level, kind="stable")
    by_succ = np.argsort(net.succ, kind="stable")
    by_pred = np.argsort(net.pred, kind="stable")
    ip = np.searchsorted(net.succ[by_succ], np.arange(n + 1))
    op = np.searchsorted(net.pred[by_pred], np.arange(n + 1))
    kind = net.kind.astype(np.int64)
    slots = bool(net.calendar_lag.any())
    tab, inv, tid = _calendar_rows(net, hi, events) if slots else (_NO_ROWS, _NO_ROWS, np.full(len(kind), -1))
    csr = (
        ip,
        net.pred[by_succ],
        kind[by_succ],
        net.lag[by_succ],
        tid[by_succ],
        op,
        net.succ[by_pred],
        kind[by_pred],
        net.lag[by_pred],
        tid[by_pred],
        tab,
        inv,
    )
    debug = _debug()
    finish = np.empty(iterations, np.float64)
    crit_count = np.zeros(n, np.float64)
    s_d = np.zeros(n)
    s_dd = np.zeros(n)
    s_df = np.zeros(n)
    done = 0
    while done < iterations:
        c = min(chunk, iterations - done)
        d = _sample(rng, lo, ml, hi, c, distribution)
        for prob, delay, acts in events:
            hit = rng.random(c) < prob
            if len(delay) == 1:
                extra = np.full(c, delay[0])
            elif delay[2] > delay[0]:
                extra = rng.triangular(delay[0], delay[1], delay[2], size=c)
            else:
                extra = np.full(c, delay[1])
            d[acts] += hit * extra
        if slots:
            # Calendar-day lags are exact on whole slots: each sampled duration is rounded to one.
            np.rint(d, out=d)
        es = np.empty_like(d)
        ls = np.empty_like(d)
        fin = np.empty(c)
        _kernels.cpm_many(d, topo, *csr, net.release, es, ls, fin, crit_count, s_d, s_dd, s_df)
        if debug:
            _validate_samples(net, d, es)
        finish[done : done + c] = fin
        done += c
        if progress is not None:
            progress(done / iterations)
    cov = s_df / iterations - (s_d / iterations) * finish.mean()
    var_d = np.maximum(s_dd / iterations - (s_d / iterations) ** 2, 0.0)
    sd_f = float(finish.std())
    with np.errstate(invalid="ignore", divide="ignore"):
        sens = np.where((var_d > 1e-12) & (sd_f > 1e-12), cov / np.sqrt(var_d) / sd_f, 0.0)
    pct = np.percentile(finish, PERCENTILES)
    if slots:
        det_net = dataclasses.replace(net, durations=np.rint(ml).astype(np.int64))
        det_finish = float(schedule(det_net).finish)
    else:
        det = np.asarray(ml, np.float64)[:, None]
        es0 = net.release.astype(np.float64)[:, None].copy()
        forward_pass(net, det, net.link_weights(det), es0)
        det_finish = float((es0 + det).max()) if n else 0.0
    return RiskResult(
        ids=net.ids,
        finish=finish,
        percentiles={p: float(v) for p, v in zip(PERCENTILES, pct, strict=True)},
        criticality=crit_count / iterations,
        sensitivity=np.clip(sens, -1.0, 1.0),
        p80_standard_error=_quantile_se(finish, 0.8),
        deterministic_finish=det_finish,
    )


_NO_ROWS = np.zeros((0, 1), np.int64)


def _calendar_rows(
    net: CompiledNetwork, hi: FloatArray, events: Sequence[tuple[float, tuple[float, ...], npt.NDArray[np.int64]]]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Exact shift tables of the calendar-day links, one row per (lag, kind), and their inverses.

    Row ``t`` maps the predecessor's start or finish boundary ``x`` to the successor's earliest
    start or finish boundary (:meth:`TimeModel.shift`); the horizon covers the longest sample.
    """
    tm = net.time_model
    links = np.flatnonzero(net.calendar_lag)
    combos, tid_of = np.unique(
        np.stack([net.lag[links], net.kind[links].astype(np.int64)], axis=1), axis=0, return_inverse=True
    )
    plain_lags = np.where(net.calendar_lag, 0, np.clip(net.lag, 0, None))
    worst_delay = sum(max(delay) for _, delay, _ in events)
    base = int(np.ceil(hi).sum() + plain_lags.sum() + worst_delay + (net.release.max() if net.n else 0)) + 2

    def rows(h: int) -> npt.NDArray[np.int64]:
        x = np.arange(h + 1)
        return np.stack(
            [tm.shift(x, int(lag), from_finish=kind % 2 == 0, to_finish=kind >= 2) for lag, kind in combos.tolist()]
        )

    probe = rows(2 * base)
    extra = np.clip(probe - np.arange(2 * base + 1)[None, :], 0, None).max(axis=1)
    horizon = base + int(extra[tid_of.ravel()].sum())
    tab = rows(horizon)
    ys = np.arange(horizon + 1)
    inv = np.stack([np.searchsorted(row, ys, side="right") - 1 for row in tab]).astype(np.int64)
    tid = np.full(len(net.pred), -1, np.int64)
    tid[links] = tid_of.ravel()
    return tab, inv, tid


def _debug() -> bool:
    return os.environ.get("OEUVRE_ENGINE_DEBUG", "") not in ("", "0")


def _validate_samples(net: CompiledNetwork, d: FloatArray, es: FloatArray) -> None:
    """Debug mode: every sample's early schedule goes through the independent validator."""
    from oeuvre.engine.validation import check_schedule

    for i in range(d.shape[1]):
        report = check_schedule(net, es[:, i], durations=d[:, i])
        if not report.ok:
            raise AssertionError(f"Monte Carlo sample {i} breaks the rules: {report.violations[:3]}")


def _quantile_se(x: FloatArray, p: float) -> float:
    """Distribution-free standard error of the ``p`` quantile.

    The rank of the sample quantile is binomial with standard deviation ``sqrt(n p (1-p))``; the
    order statistics that far on each side of the quantile span about two standard errors.
    """
    n = len(x)
    if n < 2:
        return math.inf
    xs = np.sort(x)
    k = p * (n - 1)
    half = math.sqrt(n * p * (1 - p))
    lo = int(max(0, math.floor(k - half)))
    hi = int(min(n - 1, math.ceil(k + half)))
    return float((xs[hi] - xs[lo]) / 2.0)
