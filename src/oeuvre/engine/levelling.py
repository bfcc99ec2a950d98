"""Resource levelling (RCPSP): schedule-generation heuristics, an exact CP-SAT model, and a validator.

A :class:`LevellingProblem` is a compiled network plus renewable resources: a demand per activity
and resource, and a capacity per resource that may change per period (holidays of a team, a
part-time tester). Precedence is general: every link, whatever its type and lag, is the
start-to-start constraint ``S[succ] >= S[pred] + w`` (see :mod:`oeuvre.engine.network`).

- :func:`sgs` is one pass of the serial or parallel schedule-generation scheme with a priority rule.
- :func:`level_heuristic` runs several rules, then biased random sampling, each schedule improved by
  forward-backward improvement (double justification), within a time budget.
- :func:`level` runs the heuristic, then CP-SAT with the heuristic's schedule as a hint, and returns
  the best schedule, the proven lower bound and whether it is optimal.
- :func:`validate` checks any schedule independently of the code that produced it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from oeuvre.engine import _kernels as k
from oeuvre.engine.calendar import WorkCalendar
from oeuvre.engine.errors import InfeasibleError, InputError
from oeuvre.engine.network import CompiledNetwork, Network, schedule

__all__ = [
    "PRIORITY_RULES",
    "LevellingProblem",
    "LevellingResult",
    "ValidationReport",
    "capacity_profile",
    "level",
    "level_heuristic",
    "lower_bound",
    "sgs",
    "validate",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

PRIORITY_RULES = ("LFT", "LST", "MTS", "GRPW", "SPT", "EST")
"""Priority rules understood by :func:`sgs` (smallest key first after conversion)."""


@dataclass(frozen=True, eq=False)
class LevellingProblem:
    """A network with renewable resources.

    Attributes
    ----------
    network : CompiledNetwork
    resources : tuple of str
    demands : ndarray of int, shape (n, R)
    capacity : ndarray of int, shape (R, T)
        Capacity per period; the last column holds for every later period.

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Link, Network
    >>> net = Network([Activity("A", 2), Activity("B", 2)])
    >>> p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": 1})
    >>> p.demands.tolist(), p.capacity.tolist()
    ([[1], [1]], [[1]])
    """

    network: CompiledNetwork
    resources: tuple[str, ...]
    demands: IntArray
    capacity: IntArray
    # Derived arrays for the kernels.
    _csr: tuple[IntArray, ...] = field(default=(), repr=False)
    _weights: IntArray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)

    @property
    def n(self) -> int:
        """Number of activities."""
        return self.network.n

    @classmethod
    def build(
        cls,
        network: Network | CompiledNetwork,
        demands: Mapping[str, Mapping[str, int]] | IntArray,
        capacities: Mapping[str, int | Sequence[int]],
    ) -> LevellingProblem:
        """Build a problem from plain data.

        Parameters
        ----------
        network : Network or CompiledNetwork
        demands : mapping activity id -> {resource: units}, or array (n, R) in ``capacities`` order
        capacities : mapping resource -> capacity (int) or per-period capacities (sequence of int)

        Raises
        ------
        InputError
            Unknown activity or resource, negative demand or capacity, calendar-day lags.
        InfeasibleError
            A demand exceeds its resource's capacity in every period.

        Examples
        --------
        >>> from oeuvre.engine.network import Activity, Network
        >>> LevellingProblem.build(Network([Activity("A", 2)]), {"A": {"dev": 3}}, {"dev": 2})
        Traceback (most recent call last):
        ...
        oeuvre.engine.errors.InfeasibleError: activity 'A' needs 3 'dev' but at most 2 are ever available
        """
        net = network.compile() if isinstance(network, Network) else network
        if net.calendar_lag.any():
            raise InputError("levelling does not support calendar-day lags; express them in working days", field="lag")
        resources = tuple(capacities)
        n, n_res = net.n, len(resources)
        if isinstance(demands, np.ndarray):
            q = np.asarray(demands, dtype=np.int64).reshape(n, n_res)
        else:
            q = np.zeros((n, n_res), np.int64)
            index = {a: i for i, a in enumerate(net.ids)}
            rindex = {r: i for i, r in enumerate(resources)}
            for aid, dem in demands.items():
                if aid not in index:
                    raise InputError(f"demand for unknown activity {aid!r}", field="resources")
                for res, units in dem.items():
                    if res not in rindex:
                        raise InputError(
                            f"activity {aid!r} uses resource {res!r} which has no capacity", field="resources"
                        )
                    q[index[aid], rindex[res]] = units
        if (q < 0).any():
            i, r = np.argwhere(q < 0)[0]
            raise InputError(f"negative demand for activity {net.ids[i]!r} on {resources[r]!r}", field="resources")
        profiles = [np.atleast_1d(np.asarray(capacities[r], dtype=np.int64)) for r in resources]
        length = max((len(p) for p in profiles), default=1)
        cap = np.empty((n_res, length), np.int64)
        for r, prof in enumerate(profiles):
            if len(prof) == 0 or (prof < 0).any():
                raise InputError(f"capacity of {resources[r]!r} must be non-negative", field="capacity")
            cap[r, : len(prof)] = prof
            cap[r, len(prof) :] = prof[-1]
        over = q > cap.max(axis=1)[None, :]
        over &= (net.durations > 0)[:, None]
        if over.any():
            i, r = np.argwhere(over)[0]
            raise InfeasibleError(
                f"activity {net.ids[i]!r} needs {int(q[i, r])} {resources[r]!r} "
                f"but at most {int(cap[r].max())} are ever available",
                activity=net.ids[i],
                resource=resources[r],
            )
        w = np.asarray(net.link_weights(), dtype=np.int64)
        by_succ = np.argsort(net.succ, kind="stable")
        pp = np.searchsorted(net.succ[by_succ], np.arange(n + 1)).astype(np.int64)
        by_pred = np.argsort(net.pred, kind="stable")
        sp = np.searchsorted(net.pred[by_pred], np.arange(n + 1)).astype(np.int64)
        # Mirrored problem for right-justification: link i->j (w) becomes j->i with w + d[j] - d[i].
        d = net.durations
        rw = w + d[net.succ] - d[net.pred]
        csr = (
            pp,
            net.pred[by_succ].copy(),
            w[by_succ].copy(),
            sp,
            net.succ[by_pred].copy(),
            # mirrored: predecessors of i are its original successors
            sp,
            net.succ[by_pred].copy(),
            rw[by_pred].copy(),
            pp,
            net.pred[by_succ].copy(),
        )
        return cls(net, resources, q, cap, csr, w)

    def horizon(self) -> int:
        """A horizon long enough for any schedule the heuristics build.

        Examples
        --------
        >>> from oeuvre.engine.network import Activity, Network
        >>> LevellingProblem.build(Network([Activity("A", 2)]), {}, {"dev": 1}).horizon() >= 2
        True
        """
        net = self.network
        pos = int(np.clip(self._weights, 0, None).sum()) if len(self._weights) else 0
        rel = int(net.release.max()) if net.n else 0
        return int(rel + int(net.durations.sum()) + pos + self.capacity.shape[1] + 1)

    def avail(self, horizon: int | None = None) -> IntArray:
        """Capacity per period over ``horizon`` periods (R, H), extending the last column."""
        h = self.horizon() if horizon is None else horizon
        out = np.empty((len(self.resources), h), np.int64)
        t = min(h, self.capacity.shape[1])
        out[:, :t] = self.capacity[:, :t]
        out[:, t:] = self.capacity[:, -1:]
        return out


def capacity_profile(
    calendar: WorkCalendar,
    capacity: int,
    absences: Sequence[tuple[dt.date, dt.date, int]] = (),
    periods: int | None = None,
) -> list[int]:
    """Capacity per working day: a base capacity minus absences (holidays of a team member...).

    Parameters
    ----------
    calendar : WorkCalendar
    capacity : int
        Units available on an ordinary working day.
    absences : sequence of (first day, last day, units)
        Inclusive date ranges where ``units`` are missing.
    periods : int, optional
        Length of the profile; default: up to the last absence (the base capacity holds afterwards).

    Returns
    -------
    list of int
        To pass as a capacity to :meth:`LevellingProblem.build`.

    Examples
    --------
    >>> from oeuvre.engine.calendar import WorkCalendar
    >>> cal = WorkCalendar(dt.date(2025, 1, 6))  # a Monday
    >>> capacity_profile(cal, 3, [(dt.date(2025, 1, 8), dt.date(2025, 1, 13), 1)])
    [3, 3, 2, 2, 2, 2, 3]
    """
    if absences:
        first = calendar.to_index([a[0] for a in absences])
        after = calendar.to_index([a[1] + dt.timedelta(days=1) for a in absences])
        units = np.array([a[2] for a in absences], dtype=np.int64)
    else:
        first = after = units = np.zeros(0, np.int64)
    length = int(after.max()) + 1 if periods is None and len(after) else (periods or 1)
    diff = np.zeros(length + 1, np.int64)
    keep = first < length
    np.add.at(diff, first[keep], -units[keep])
    np.add.at(diff, np.minimum(after[keep], length), units[keep])
    prof = capacity + np.cumsum(diff)[:length]
    if (prof < 0).any():
        raise InputError("absences exceed the capacity", field="absences")
    return [int(x) for x in prof]


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of :func:`validate`: ``ok`` when no precedence, release or capacity rule is broken.

    ``warnings`` lists soft problems (a finish-no-later-than date missed); they do not make ``ok`` false.

    Examples
    --------
    >>> ValidationReport(True, [], []).ok
    True
    """

    ok: bool
    violations: list[str]
    warnings: list[str]


@dataclass(frozen=True, eq=False)
class LevellingResult:
    """Best schedule found, with its makespan and the proven lower bound.

    Attributes
    ----------
    ids : tuple of str
    start : ndarray of int
        Start index of every activity.
    makespan : int
    lower_bound : int
        Proven lower bound on the optimal makespan.
    optimal : bool
        ``makespan == lower_bound``.
    method : str
        What produced the schedule (rule name, "sampling", "cp-sat").
    heuristic_makespan : int
        Makespan of the heuristic schedule (the CP-SAT hint).
    validation : ValidationReport
    elapsed : float
        Wall-clock seconds.
    """

    ids: tuple[str, ...]
    start: IntArray
    makespan: int
    lower_bound: int
    optimal: bool
    method: str
    heuristic_makespan: int
    validation: ValidationReport
    elapsed: float

    def to_dict(self) -> dict[str, object]:
        """Plain dict with the CLI's JSON field names.

        Examples
        --------
        >>> from oeuvre.engine.network import Activity, Network
        >>> p = LevellingProblem.build(Network([Activity("A", 2)]), {}, {"dev": 1})
        >>> level_heuristic(p).to_dict()["makespan"]
        2
        """
        return {
            "makespan": self.makespan,
            "lower_bound": self.lower_bound,
            "optimal": self.optimal,
            "start": {self.ids[i]: int(self.start[i]) for i in range(len(self.ids))},
            "method": self.method,
            "valid": self.validation.ok,
        }


def validate(problem: LevellingProblem, start: Sequence[int] | IntArray) -> ValidationReport:
    """Check a schedule: precedence with lags, release dates, and capacity in every period.

    Written independently of the schedule generators (numpy difference arrays, no shared code).

    Parameters
    ----------
    problem : LevellingProblem
    start : array of int, shape (n,)

    Returns
    -------
    ValidationReport

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Network
    >>> p = LevellingProblem.build(Network([Activity("A", 2), Activity("B", 2)]),
    ...                            {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": 1})
    >>> validate(p, [0, 2]).ok, validate(p, [0, 1]).violations
    (True, ["capacity of 'dev' exceeded in period 1: 2 > 1"])
    """
    net = problem.network
    s = np.asarray(start, dtype=np.int64)
    violations: list[str] = []
    warnings: list[str] = []
    if s.shape != (net.n,):
        return ValidationReport(False, [f"expected {net.n} start times, got shape {s.shape}"], [])
    d = net.durations
    bad = np.flatnonzero(s < net.release)
    violations += [f"{net.ids[j]} starts at {s[j]} before its release {net.release[j]}" for j in bad[:20]]
    if len(net.pred):
        w = np.asarray(net.link_weights(), dtype=np.int64)
        broken = np.flatnonzero(s[net.succ] < s[net.pred] + w)
        for li in broken[:20]:
            p, q = int(net.pred[li]), int(net.succ[li])
            violations.append(
                f"link {net.ids[p]} -> {net.ids[q]} broken: {net.ids[q]} starts at {s[q]}, needs >= {int(s[p] + w[li])}"
            )
    end = int((s + d).max()) if net.n else 0
    horizon = max(end, problem.capacity.shape[1]) + 1
    usage = np.zeros((len(problem.resources), horizon + 1), np.int64)
    active = d > 0
    for r in range(len(problem.resources)):
        qr = problem.demands[:, r] * active
        np.add.at(usage[r], s, qr)
        np.add.at(usage[r], s + d, -qr)
    usage = np.cumsum(usage, axis=1)[:, :horizon]
    cap = problem.avail(horizon)
    over = np.argwhere(usage > cap)
    for r, t in over[:20]:
        violations.append(f"capacity of {problem.resources[r]!r} exceeded in period {t}: {usage[r, t]} > {cap[r, t]}")
    late = np.flatnonzero(s + d > net.latest_finish)
    warnings += [f"{net.ids[j]} finishes at {int(s[j] + d[j])} after its deadline {net.latest_finish[j]}" for j in late]
    return ValidationReport(not violations, violations, warnings)


def lower_bound(problem: LevellingProblem) -> int:
    """Simple proven lower bound: max of the critical path and, per resource, ceil(energy / capacity).

    The energy bound is used only when the resource's capacity is constant.

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Network
    >>> p = LevellingProblem.build(Network([Activity("A", 2), Activity("B", 3)]),
    ...                            {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": 1})
    >>> lower_bound(p)
    5
    """
    net = problem.network
    lb = schedule(net).finish
    cap = problem.capacity
    for r in range(len(problem.resources)):
        if (cap[r] == cap[r, 0]).all() and cap[r, 0] > 0:
            energy = int((problem.demands[:, r] * net.durations).sum())
            lb = max(lb, math.ceil(energy / int(cap[r, 0])))
    return int(lb)


def _priority_keys(problem: LevellingProblem, rule: str) -> FloatArray:
    """Keys for a priority rule; the smallest key goes first."""
    net = problem.network
    d = net.durations.astype(np.float64)
    cpm = schedule(net)
    if rule == "LFT":
        return cpm.lf.astype(np.float64) + 1e-3 * cpm.ls
    if rule == "LST":
        return cpm.ls.astype(np.float64) + 1e-3 * cpm.lf
    if rule == "EST":
        return cpm.es.astype(np.float64) + 1e-3 * cpm.lf
    if rule == "SPT":
        return d + 1e-3 * cpm.lf
    if rule == "GRPW":
        grpw = d.copy()
        np.add.at(grpw, net.pred, d[net.succ])
        return -grpw + 1e-3 * cpm.lf
    if rule == "MTS":
        return -_total_successors(net).astype(np.float64) + 1e-3 * cpm.lf
    raise InputError(f"unknown priority rule {rule!r}; use one of {', '.join(PRIORITY_RULES)}", field="rule")


def _total_successors(net: CompiledNetwork) -> IntArray:
    """Number of (transitive) successors of each activity, with packed bit sets per topological level.

    Above 4,000 activities the bit sets would take too much memory (n^2 / 8 bytes): the count of
    immediate successors is used instead.
    """
    n = net.n
    if n > 4000:
        return np.bincount(net.pred, minlength=n).astype(np.int64)
    words = (n + 63) // 64
    reach = np.zeros((n, words), np.uint64)
    order = np.argsort(-net.level, kind="stable")
    succ_lists: list[list[int]] = [[] for _ in range(n)]
    for p, s in zip(net.pred.tolist(), net.succ.tolist(), strict=True):
        succ_lists[p].append(s)
    bit = np.uint64(1)
    for j in order.tolist():
        for s in succ_lists[j]:
            reach[j] |= reach[s]
            reach[j, s // 64] |= bit << np.uint64(s % 64)
    return np.asarray(np.unpackbits(reach.view(np.uint8), axis=1).sum(axis=1), dtype=np.int64)


def _run_sgs(problem: LevellingProblem, keys: FloatArray, mode: str) -> tuple[int, IntArray]:
    net = problem.network
    pp, pi, pw, sp, si = problem._csr[:5]
    start = np.zeros(net.n, np.int64)
    fn = k.parallel_sgs if mode == "parallel" else k.serial_sgs
    mk = int(fn(keys, net.durations, problem.demands, problem.avail(), pp, pi, pw, sp, si, net.release, start))
    if mk < 0:
        raise InfeasibleError("no schedule fits the resource capacities within the horizon")
    return mk, start


def sgs(problem: LevellingProblem, rule: str = "LFT", mode: str = "serial") -> LevellingResult:
    """One pass of a schedule-generation scheme with a priority rule (no improvement).

    Parameters
    ----------
    problem : LevellingProblem
    rule : str
        One of :data:`PRIORITY_RULES`.
    mode : {"serial", "parallel"}

    Returns
    -------
    LevellingResult

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Link, Network
    >>> net = Network([Activity("A", 2), Activity("B", 3), Activity("C", 1)], [Link("A", "C")])
    >>> p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": 1})
    >>> r = sgs(p, "LFT", "parallel")
    >>> r.makespan, r.validation.ok
    (5, True)
    """
    if mode not in ("serial", "parallel"):
        raise InputError(f"unknown mode {mode!r}; use serial or parallel", field="mode")
    t0 = time.perf_counter()
    mk, start = _run_sgs(problem, _priority_keys(problem, rule), mode)
    lb = lower_bound(problem)
    return LevellingResult(
        problem.network.ids,
        start,
        mk,
        lb,
        mk == lb,
        f"{mode}-{rule}",
        mk,
        validate(problem, start),
        time.perf_counter() - t0,
    )


def _justify_loop(problem: LevellingProblem, start: IntArray, mk: int) -> tuple[int, IntArray]:
    net = problem.network
    avail = problem.avail()
    cur = start.copy()
    out = np.empty_like(cur)
    while True:
        nk = int(k.justify(cur, mk, net.durations, problem.demands, avail, *problem._csr, net.release, out))
        if nk < 0 or nk >= mk:
            return mk, cur
        mk = nk
        cur = out.copy()


def level_heuristic(
    problem: LevellingProblem,
    *,
    time_limit: float = 0.2,
    iterations: int | None = None,
    seed: int = 0,
    noise: float = 0.08,
) -> LevellingResult:
    """Heuristic levelling: priority rules x {serial, parallel} SGS, then biased random sampling.

    Every schedule is improved by iterated double justification (forward-backward improvement).

    Parameters
    ----------
    problem : LevellingProblem
    time_limit : float
        Wall-clock budget in seconds; sampling stops at 90 % of it (the deterministic passes
        always run once).
    iterations : int, optional
        Number of samples instead of a time limit (reproducible across machines).
    seed : int
    noise : float
        Standard deviation of the key perturbation, as a fraction of the key spread.

    Returns
    -------
    LevellingResult

    Raises
    ------
    InfeasibleError
        No schedule fits the capacities.

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Link, Network
    >>> net = Network([Activity("A", 2), Activity("B", 2), Activity("C", 2)], [Link("A", "C")])
    >>> p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}, "C": {"dev": 1}}, {"dev": 2})
    >>> r = level_heuristic(p, iterations=10)
    >>> r.makespan, r.optimal, r.validation.ok
    (4, True, True)
    """
    # Sampling stops at 90 % of the budget, leaving the rest for the final validation.
    return _heuristic(problem, time_limit=0.9 * time_limit, iterations=iterations, seed=seed, noise=noise)


def _heuristic(
    problem: LevellingProblem,
    *,
    time_limit: float,
    iterations: int | None = None,
    seed: int = 0,
    noise: float = 0.08,
    incumbent: IntArray | None = None,
    lb: int | None = None,
) -> LevellingResult:
    t0 = time.perf_counter()
    net = problem.network
    lb = lower_bound(problem) if lb is None else lb
    best_mk, best_start, best_method = -1, np.zeros(net.n, np.int64), ""
    if incumbent is not None:
        best_start = np.asarray(incumbent, dtype=np.int64).copy()
        best_mk = int((best_start + net.durations).max()) if net.n else 0
        best_method = "incumbent"
    base: FloatArray | None = None
    for rule in ("LFT", "LST", "MTS", "GRPW"):
        keys = _priority_keys(problem, rule)
        if base is None:
            base = keys
        for mode in ("serial", "parallel"):
            mk, start = _run_sgs(problem, keys, mode)
            mk, start = _justify_loop(problem, start, mk)
            if best_mk < 0 or mk < best_mk:
                best_mk, best_start, best_method = mk, start, f"{mode}-{rule}+FBI"
            if best_mk <= lb:
                break
        if best_mk <= lb:
            break
    assert base is not None or net.n == 0
    if base is not None and best_mk > lb:
        avail = problem.avail()
        batch = 16
        done = 0
        rng = np.random.default_rng(seed)
        last = 0.0
        rounds = 0
        while True:
            if iterations is not None:
                if done >= iterations:
                    break
                todo = min(batch, iterations - done)
            else:
                # Stop when even a small batch would likely overrun the budget; near the end, run
                # smaller batches so a busy machine overshoots less.
                per_sample = last / batch
                remaining = time_limit - (time.perf_counter() - t0)
                if remaining <= 2 * per_sample:
                    break
                todo = max(1, min(batch, int(remaining / (2 * per_sample)))) if per_sample > 0 else batch
            # Alternate diversification (around the priority rule) and intensification (around
            # the incumbent's start times: a perturbed activity list of the best schedule).
            intensify = rounds % 2 == 1
            keys = best_start.astype(np.float64) + 1e-3 * base if intensify else base
            cand = best_start.copy()
            tb = time.perf_counter()
            mk = int(
                k.sample(
                    keys,
                    noise * (0.2 if intensify else 1.0),
                    todo,
                    int(rng.integers(2**31 - 1)),
                    True,
                    net.durations,
                    problem.demands,
                    avail,
                    *problem._csr,
                    net.release,
                    cand,
                    best_mk if intensify else -1,
                    intensify,
                )
            )
            last = (time.perf_counter() - tb) * batch / todo
            done += todo
            rounds += 1
            if mk >= 0 and mk < best_mk:
                best_mk, best_start, best_method = mk, cand, "sampling+FBI"
            elif intensify and mk == best_mk:
                best_start = cand
            if best_mk <= lb:
                break
    report = validate(problem, best_start)
    return LevellingResult(
        net.ids,
        best_start,
        best_mk,
        lb,
        best_mk == lb,
        best_method,
        best_mk,
        report,
        time.perf_counter() - t0,
    )


def level(
    problem: LevellingProblem,
    *,
    time_limit: float = 10.0,
    heuristic_time: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> LevellingResult:
    """Level resources: heuristic first, then CP-SAT with the heuristic schedule as a hint.

    Parameters
    ----------
    problem : LevellingProblem
    time_limit : float
        Total seconds (heuristic + CP-SAT).
    heuristic_time : float, optional
        Seconds for the heuristic; default ``min(0.2, time_limit / 10)``.
    seed : int
    workers : int, optional
        CP-SAT workers; default: the number of CPU cores (at most 8).
    progress : callable, optional
        Called as ``progress(fraction_of_time_used, phase)`` after each phase (for a job's progress bar).

    Returns
    -------
    LevellingResult
        ``lower_bound`` is CP-SAT's proven bound (at least the critical path and energy bounds);
        ``optimal`` tells whether the makespan is proven optimal.

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Link, Network
    >>> net = Network([Activity("A", 3), Activity("B", 2), Activity("C", 2)], [Link("A", "C", lag=1)])
    >>> p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}, "C": {"dev": 1}}, {"dev": 1})
    >>> r = level(p, time_limit=5)
    >>> r.makespan, r.optimal, r.validation.ok
    (7, True, True)
    """
    t0 = time.perf_counter()
    h_time = min(0.2, time_limit / 10) if heuristic_time is None else heuristic_time

    def report(phase: str) -> None:
        if progress is not None:
            progress(min(1.0, (time.perf_counter() - t0) / time_limit), phase)

    heur = _heuristic(problem, time_limit=h_time, seed=seed)
    report("heuristic")
    if heur.optimal:
        return _replace_elapsed(heur, time.perf_counter() - t0)
    start, mk, method, lb = heur.start, heur.makespan, heur.method, heur.lower_bound

    def left() -> float:
        return time_limit - (time.perf_counter() - t0)

    # Phase 1: a short exact run settles small problems (proof included) quickly.
    phase1 = min(1.0, 0.15 * left()) if left() > 3.0 else max(0.05, left())
    res = _solve_cpsat(problem, start, mk, lb, phase1, seed, workers)
    if res.start is not None and res.makespan < mk:
        start, mk, method = res.start, res.makespan, "cp-sat"
    lb = max(lb, res.lower_bound)
    report("cp-sat")
    if mk > lb and left() > 1.0:
        # Phase 2: intensified sampling around the incumbent (cheap, strong on highly
        # resource-constrained plans where the solver's neighbourhoods stall) ...
        improved = _heuristic(problem, time_limit=0.25 * left(), seed=seed + 1, incumbent=start, lb=lb)
        if improved.makespan < mk:
            start, mk, method = improved.start, improved.makespan, improved.method
        report("sampling")
        # ... then the solver again, hinted with the best schedule, for the rest of the time.
        if mk > lb:
            res = _solve_cpsat(problem, start, mk, lb, max(0.05, left()), seed + 1, workers)
            if res.start is not None and res.makespan < mk:
                start, mk, method = res.start, res.makespan, "cp-sat"
            lb = max(lb, res.lower_bound)
    report("done")
    checked = validate(problem, start)
    return LevellingResult(
        problem.network.ids, start, mk, lb, mk <= lb, method, heur.makespan, checked, time.perf_counter() - t0
    )


def _replace_elapsed(r: LevellingResult, elapsed: float) -> LevellingResult:
    return LevellingResult(
        r.ids,
        r.start,
        r.makespan,
        r.lower_bound,
        r.optimal,
        r.method,
        r.heuristic_makespan,
        r.validation,
        elapsed,
    )


@dataclass(frozen=True)
class _CpResult:
    start: IntArray | None
    makespan: int
    lower_bound: int


def _solve_cpsat(
    problem: LevellingProblem,
    hint: IntArray,
    ub: int,
    lb: int,
    time_limit: float,
    seed: int,
    workers: int | None,
) -> _CpResult:
    """CP-SAT model: interval per activity, one cumulative per resource, precedence with lags.

    Domains are cut by the critical-path bounds under the heuristic makespan (``ub``), so the
    search only looks at schedules at least as good as the hint.
    """
    # Imported here: OR-Tools pulls in pandas and takes seconds to import, which the CPM, Monte
    # Carlo and heuristic paths (and the CLI's other commands) do not need.
    from ortools.sat.python import cp_model

    net = problem.network
    d = net.durations
    cpm = schedule(net, deadline=ub)
    model = cp_model.CpModel()
    starts = [model.new_int_var(int(cpm.es[j]), int(max(cpm.es[j], cpm.ls[j])), f"s{j}") for j in range(net.n)]
    intervals = [model.new_fixed_size_interval_var(starts[j], int(d[j]), f"i{j}") for j in range(net.n)]
    w = problem._weights
    for li in range(len(net.pred)):
        model.add(starts[int(net.succ[li])] >= starts[int(net.pred[li])] + int(w[li]))
    makespan = model.new_int_var(lb, ub, "makespan")
    # The makespan as an interval [makespan, ub + 1) that takes every resource whole: the cumulative
    # propagators then reason on the makespan directly (no energy is left after the last activity).
    tail_size = model.new_int_var(1, ub + 1 - lb, "tail_size")
    tail = model.new_interval_var(makespan, tail_size, model.new_constant(ub + 1), "tail")
    for r in range(len(problem.resources)):
        users = [j for j in range(net.n) if problem.demands[j, r] > 0 and d[j] > 0]
        if not users:
            continue
        prof = problem.avail(ub + 1)[r]
        cap_max = int(prof.max())
        ivs = [intervals[j] for j in users]
        dem = [int(problem.demands[j, r]) for j in users]
        # Periods with less capacity are blocked by fixed intervals.
        t = 0
        while t < ub:
            if prof[t] < cap_max:
                t2 = t
                while t2 < ub and prof[t2] == prof[t]:
                    t2 += 1
                ivs.append(model.new_fixed_size_interval_var(t, t2 - t, f"block{r}_{t}"))
                dem.append(cap_max - int(prof[t]))
                t = t2
            else:
                t += 1
        if len(ivs) == len(users):  # constant capacity: nothing after the makespan
            ivs.append(tail)
            dem.append(cap_max)
        model.add_cumulative(ivs, dem, cap_max)
        # Activities that need more than half the capacity can never overlap: a redundant disjunction.
        big = [intervals[j] for j in users if 2 * problem.demands[j, r] > cap_max]
        if len(big) > 1:
            model.add_no_overlap(big)
    # Activities followed by no finish-to-start link could finish last.
    has_succ = np.zeros(net.n, bool)
    has_succ[net.pred[(net.kind == 0) & (net.lag >= 0)]] = True
    for j in range(net.n):
        if not has_succ[j]:
            model.add(makespan >= starts[j] + int(d[j]))
    model.minimize(makespan)
    for j in range(net.n):
        model.add_hint(starts[j], int(hint[j]))
    model.add_hint(makespan, ub)
    model.add_hint(tail_size, 1)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers if workers is not None else min(8, os.cpu_count() or 1)
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status == cp_model.OPTIMAL:
        start = np.array([solver.value(v) for v in starts], dtype=np.int64)
        mk = int((start + d).max()) if net.n else 0
        return _CpResult(start, mk, mk)
    if status == cp_model.FEASIBLE:
        start = np.array([solver.value(v) for v in starts], dtype=np.int64)
        mk = int((start + d).max()) if net.n else 0
        return _CpResult(start, mk, max(lb, int(solver.best_objective_bound)))
    # UNKNOWN (time out before any solution): no new information. INFEASIBLE cannot happen,
    # since the hint is a valid schedule within the bounds; claim nothing in that case either.
    return _CpResult(None, ub, lb)
