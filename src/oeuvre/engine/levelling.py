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

import dataclasses
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
from oeuvre.engine.validation import ValidationReport, check_schedule, explain_constraint

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
    # Exact bounds of calendar-day links: row t of _tab is S[succ] >= _tab[t, S[pred]], _inv its inverse.
    _tab: IntArray = field(default_factory=lambda: np.zeros((0, 1), np.int64), repr=False)
    _inv: IntArray = field(default_factory=lambda: np.zeros((0, 1), np.int64), repr=False)
    _horizon: int = field(default=0, repr=False)

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
            Unknown activity or resource, negative demand or capacity, calendar-day lags without a calendar.
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
        horizon, tab, inv, tid = _calendar_tables(net, w, cap.shape[1])
        csr = (
            pp,
            net.pred[by_succ].copy(),
            w[by_succ].copy(),
            tid[by_succ].copy(),
            sp,
            net.succ[by_pred].copy(),
            # mirrored: predecessors of i are its original successors
            sp,
            net.succ[by_pred].copy(),
            rw[by_pred].copy(),
            tid[by_pred].copy(),
            pp,
            net.pred[by_succ].copy(),
        )
        return cls(net, resources, q, cap, csr, w, tab, inv, horizon)

    def horizon(self) -> int:
        """A horizon long enough for any schedule the heuristics build.

        Examples
        --------
        >>> from oeuvre.engine.network import Activity, Network
        >>> LevellingProblem.build(Network([Activity("A", 2)]), {}, {"dev": 1}).horizon() >= 2
        True
        """
        return self._horizon

    def avail(self, horizon: int | None = None) -> IntArray:
        """Capacity per period over ``horizon`` periods (R, H), extending the last column."""
        h = self.horizon() if horizon is None else horizon
        out = np.empty((len(self.resources), h), np.int64)
        t = min(h, self.capacity.shape[1])
        out[:, :t] = self.capacity[:, :t]
        out[:, t:] = self.capacity[:, -1:]
        return out


def _calendar_tables(net: CompiledNetwork, w: IntArray, periods: int) -> tuple[int, IntArray, IntArray, IntArray]:
    """Horizon, and the exact bound tables of the calendar-day links (one row per link).

    Row ``t`` holds, for every start ``x`` of the predecessor in ``0..horizon``, the earliest start
    the link allows its successor (from :meth:`TimeModel.shift`); the inverse row holds, for every
    successor start ``y``, the latest predecessor start it allows (-1: none).
    """
    pos = int(np.clip(np.where(net.calendar_lag, 0, w), 0, None).sum()) if len(w) else 0
    rel = int(net.release.max()) if net.n else 0
    base = rel + int(net.durations.sum()) + pos + periods + 1
    links = np.flatnonzero(net.calendar_lag)
    tid = np.full(len(w), -1, np.int64)
    if not len(links):
        return base, np.zeros((0, 1), np.int64), np.zeros((0, 1), np.int64), tid
    tm = net.time_model
    d = net.durations
    kind = net.kind[links]
    from_finish = kind % 2 == 0  # FS (0) and FF (2) start counting at the predecessor's finish
    to_finish = kind >= 2  # FF (2) and SF (3) bound the successor's finish
    a = np.where(from_finish, d[net.pred[links]], 0)
    b = np.where(to_finish, d[net.succ[links]], 0)

    def rows(h: int) -> IntArray:
        x = np.arange(h + 1)[None, :] + a[:, None]
        lags = np.broadcast_to(net.lag[links][:, None], x.shape)
        ff = np.broadcast_to(from_finish[:, None], x.shape)
        tf = np.broadcast_to(to_finish[:, None], x.shape)
        shifted = tm.shift(x.ravel(), lags.ravel(), from_finish=ff.ravel(), to_finish=tf.ravel())
        return np.asarray(shifted.reshape(x.shape) - b[:, None], dtype=np.int64)

    # What a calendar-day link may add beyond its working days (weekends, closures) goes on top.
    probe = rows(2 * base)
    extra = np.clip(probe - np.arange(2 * base + 1)[None, :], 0, None).max(axis=1)
    horizon = base + int(extra.sum())
    tab = rows(horizon)
    inv = np.empty_like(tab)
    ys = np.arange(horizon + 1)
    for t in range(len(links)):
        inv[t] = np.searchsorted(tab[t], ys, side="right") - 1
    tid[links] = np.arange(len(links))
    return horizon, tab, inv, tid


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
        The independent validator's verdict (:func:`oeuvre.engine.validation.check_schedule`).
    elapsed : float
        Wall-clock seconds.
    lateness : int
        Slots past the deadlines (FNLT, MFO, SNLT, MSO), summed over activities; always 0 with
        hard deadlines.
    deadlines : str
        ``"hard"`` or ``"soft"``.
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
    lateness: int = 0
    deadlines: str = "hard"

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
            "lateness": self.lateness,
            "warnings": list(self.validation.warnings),
        }


def validate(
    problem: LevellingProblem, start: Sequence[int] | IntArray, *, deadlines: str = "hard"
) -> ValidationReport:
    """Check a schedule with the independent validator: links (calendar-day lags on dates),
    date constraints (late ones as violations with hard deadlines, warnings with soft ones) and
    capacity in every slot. See :func:`oeuvre.engine.validation.check_schedule`.

    Parameters
    ----------
    problem : LevellingProblem
    start : array of int, shape (n,)
    deadlines : {"hard", "soft"}

    Returns
    -------
    ValidationReport

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Network
    >>> p = LevellingProblem.build(Network([Activity("A", 2), Activity("B", 2)]),
    ...                            {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": 1})
    >>> validate(p, [0, 2]).ok, validate(p, [0, 1]).violations
    (True, ["capacity of 'dev' exceeded in slot 1: 2 > 1"])
    """
    return check_schedule(
        problem.network,
        start,
        demands=problem.demands,
        capacity=problem.capacity,
        resources=problem.resources,
        deadlines=deadlines,
    )


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


def priority_keys(problem: LevellingProblem, rule: str) -> FloatArray:
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


DEADLINE_MODES = ("hard", "soft")


def check_mode(deadlines: str, penalty: int) -> None:
    if deadlines not in DEADLINE_MODES:
        raise InputError(f"unknown deadline mode {deadlines!r}; use hard or soft", field="deadlines")
    if penalty < 0:
        raise InputError("the lateness penalty must not be negative", field="penalty")


def _weight(problem: LevellingProblem, deadlines: str, penalty: int) -> int:
    """Weight of one slot of lateness in the kernels' objective (makespan + weight x lateness).

    Hard deadlines weigh more than any makespan can, so a schedule that meets them always wins.
    """
    return problem.horizon() + 1 if deadlines == "hard" else int(penalty)


def _lateness(problem: LevellingProblem, start: IntArray) -> int:
    finish = start + problem.network.durations
    return int(np.clip(finish - problem.network.latest_finish, 0, None).sum())


def _objective(problem: LevellingProblem, start: IntArray, weight: int) -> int:
    return int(k.objective(start, problem.network.durations, problem.network.latest_finish, weight))


def run_sgs(problem: LevellingProblem, keys: FloatArray, mode: str) -> tuple[int, IntArray]:
    net = problem.network
    pp, pi, pw, pt, sp, si = problem._csr[:6]
    start = np.zeros(net.n, np.int64)
    d, q, avail = net.durations, problem.demands, problem.avail()
    tab, inv = problem._tab, problem._inv
    if mode == "parallel":
        mk = int(k.parallel_sgs(keys, d, q, avail, pp, pi, pw, pt, sp, si, tab, inv, net.release, start))
    else:
        mk = int(k.serial_sgs(keys, d, q, avail, pp, pi, pw, pt, sp, si, tab, inv, net.release, start, -1))
    if mk < 0:
        raise InfeasibleError("no schedule fits the resource capacities within the horizon")
    return mk, start


def sgs(problem: LevellingProblem, rule: str = "LFT", mode: str = "serial") -> LevellingResult:
    """One pass of a schedule-generation scheme with a priority rule (no improvement, deadlines as warnings).

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
    mk, start = run_sgs(problem, priority_keys(problem, rule), mode)
    lb = lower_bound(problem)
    return LevellingResult(
        problem.network.ids,
        start,
        mk,
        lb,
        mk == lb,
        f"{mode}-{rule}",
        mk,
        validate(problem, start, deadlines="soft"),
        time.perf_counter() - t0,
        _lateness(problem, start),
        "soft",
    )


def _justify_loop(problem: LevellingProblem, start: IntArray, mk: int, weight: int) -> tuple[int, IntArray]:
    net = problem.network
    cur = start.copy()
    nxt = np.empty_like(cur)
    mk = int(
        k.improve(
            cur,
            mk,
            nxt,
            net.durations,
            problem.demands,
            problem.avail(),
            *problem._csr,
            problem._tab,
            problem._inv,
            net.release,
            net.latest_finish,
            weight,
        )
    )
    return mk, cur


def level_heuristic(
    problem: LevellingProblem,
    *,
    time_limit: float = 0.2,
    iterations: int | None = None,
    seed: int = 0,
    noise: float = 0.08,
    deadlines: str = "hard",
    penalty: int = 1,
) -> LevellingResult:
    """Heuristic levelling: priority rules x {serial, parallel} SGS, then biased random sampling.

    Every schedule is improved by iterated double justification (forward-backward improvement).
    Schedules are compared on makespan plus lateness: with hard deadlines any lateness loses
    against any makespan; with soft ones each slot late costs ``penalty`` slots of makespan.

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
    deadlines : {"hard", "soft"}
        Late constraints (FNLT, MFO, SNLT, MSO) as hard deadlines or soft ones with ``penalty``.
    penalty : int
        With soft deadlines, slots of makespan one slot of lateness is worth.

    Returns
    -------
    LevellingResult

    Raises
    ------
    InfeasibleError
        No schedule fits the capacities, or (hard deadlines) none found that meets them; the error
        names the constraint and the chain of activities when they explain it.

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Link, Network
    >>> net = Network([Activity("A", 2), Activity("B", 2), Activity("C", 2)], [Link("A", "C")])
    >>> p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}, "C": {"dev": 1}}, {"dev": 2})
    >>> r = level_heuristic(p, iterations=10)
    >>> r.makespan, r.optimal, r.validation.ok
    (4, True, True)
    """
    check_mode(deadlines, penalty)
    if deadlines == "hard":
        precheck_deadlines(problem)
    # Sampling stops at 90 % of the budget, leaving the rest for the final validation.
    res = _heuristic(
        problem,
        time_limit=0.9 * time_limit,
        iterations=iterations,
        seed=seed,
        noise=noise,
        deadlines=deadlines,
        penalty=penalty,
    )
    if deadlines == "hard" and res.lateness > 0:
        raise deadline_error(problem, res.start, proven=False)
    return res


def _heuristic(
    problem: LevellingProblem,
    *,
    time_limit: float,
    iterations: int | None = None,
    seed: int = 0,
    noise: float = 0.08,
    incumbent: IntArray | None = None,
    lb: int | None = None,
    deadlines: str = "hard",
    penalty: int = 1,
) -> LevellingResult:
    t0 = time.perf_counter()
    net = problem.network
    lb = lower_bound(problem) if lb is None else lb
    weight = _weight(problem, deadlines, penalty)
    best_obj, best_start, best_method = -1, np.zeros(net.n, np.int64), ""
    if incumbent is not None:
        best_start = np.asarray(incumbent, dtype=np.int64).copy()
        best_obj = _objective(problem, best_start, weight)
        best_method = "incumbent"
    base: FloatArray | None = None
    for rule in ("LFT", "LST", "MTS", "GRPW"):
        keys = priority_keys(problem, rule)
        if base is None:
            base = keys
        for mode in ("serial", "parallel"):
            mk, start = run_sgs(problem, keys, mode)
            mk, start = _justify_loop(problem, start, mk, weight)
            obj = _objective(problem, start, weight)
            if best_obj < 0 or obj < best_obj:
                best_obj, best_start, best_method = obj, start, f"{mode}-{rule}+FBI"
            if best_obj <= lb:
                break
        if best_obj <= lb:
            break
    assert base is not None or net.n == 0
    if base is not None and best_obj > lb:
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
            obj = int(
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
                    problem._tab,
                    problem._inv,
                    net.release,
                    net.latest_finish,
                    weight,
                    cand,
                    best_obj if intensify else -1,
                    intensify,
                )
            )
            last = (time.perf_counter() - tb) * batch / todo
            done += todo
            rounds += 1
            if obj >= 0 and obj < best_obj:
                best_obj, best_start, best_method = obj, cand, "sampling+FBI"
            elif intensify and obj == best_obj:
                best_start = cand
            if best_obj <= lb:
                break
    best_mk = int((best_start + net.durations).max()) if net.n else 0
    report = validate(problem, best_start, deadlines="soft")
    if _debug():
        assert report.ok, report.violations
    return LevellingResult(
        net.ids,
        best_start,
        best_mk,
        lb,
        best_obj == lb,
        best_method,
        best_mk,
        report,
        time.perf_counter() - t0,
        _lateness(problem, best_start),
        deadlines,
    )


def _late_activities(problem: LevellingProblem) -> IntArray:
    return np.flatnonzero(problem.network.latest_finish < 2**49)


def precheck_deadlines(problem: LevellingProblem) -> None:
    """Raise a proven infeasibility when links alone, or the work before a deadline, rule it out."""
    net = problem.network
    for j in _late_activities(problem).tolist():
        issue = explain_constraint(
            net,
            j,
            int(net.latest_finish[j]),
            demands=problem.demands,
            capacity=problem.capacity,
            resources=problem.resources,
        )
        if issue is not None:
            raise InfeasibleError(
                f"deadline cannot be met: {issue.message}",
                activity=net.ids[j],
                resource=issue.resource,
                chain=issue.chain,
                proven=True,
            )


def deadline_error(problem: LevellingProblem, start: IntArray | None, *, proven: bool) -> InfeasibleError:
    """The error for hard deadlines that no schedule found meets: which ones, and what competes for them."""
    net = problem.network
    late = _late_activities(problem)
    if start is not None:
        finish = start + net.durations
        missed = late[finish[late] > net.latest_finish[late]]
        if len(missed):
            late = missed
    names = [net.ids[j] for j in late[:5].tolist()]
    first = int(late[0]) if len(late) else None
    chain: tuple[str, ...] = ()
    if first is not None and start is not None:
        # the activities sharing a resource with the late one and running before its deadline
        uses = problem.demands[first] > 0
        running = (start < net.latest_finish[first]) & (problem.demands[:, uses] > 0).any(axis=1)
        chain = tuple(net.ids[j] for j in np.flatnonzero(running).tolist())
    what = "proven impossible with these capacities" if proven else "not met by any schedule found in the time"
    return InfeasibleError(
        f"deadline of {', '.join(names)} {what}"
        + (f"; competing for the same resources: {', '.join(chain[:10])}" if chain else "")
        + ("" if proven else "; give more time or use soft deadlines"),
        activity=names[0] if names else None,
        chain=chain,
        proven=proven,
    )


def level(
    problem: LevellingProblem,
    *,
    time_limit: float = 10.0,
    heuristic_time: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    progress: Callable[[float, str], None] | None = None,
    deadlines: str = "hard",
    penalty: int = 1,
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
    deadlines : {"hard", "soft"}
        The late side of date constraints (FNLT, MFO, SNLT, MSO): hard deadlines are met or the
        call raises :class:`InfeasibleError` explaining why; soft ones may be missed, each slot
        late costing ``penalty`` slots of makespan in the objective (reported in ``lateness``).
    penalty : int
        Weight of one slot of lateness with soft deadlines.

    Returns
    -------
    LevellingResult
        ``lower_bound`` is CP-SAT's proven bound on the objective (the makespan, plus the
        weighted lateness with soft deadlines); ``optimal`` tells whether it is reached.

    Raises
    ------
    InfeasibleError
        Hard deadlines that cannot be met (``proven``) or were not met within the time limit.

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Link, Network
    >>> net = Network([Activity("A", 3), Activity("B", 2), Activity("C", 2)], [Link("A", "C", lag=1)])
    >>> p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}, "C": {"dev": 1}}, {"dev": 1})
    >>> r = level(p, time_limit=5)
    >>> r.makespan, r.optimal, r.validation.ok
    (7, True, True)
    """
    check_mode(deadlines, penalty)
    t0 = time.perf_counter()
    h_time = min(0.2, time_limit / 10) if heuristic_time is None else heuristic_time
    if deadlines == "hard":
        precheck_deadlines(problem)
    weight = _weight(problem, deadlines, penalty)

    def report(phase: str) -> None:
        if progress is not None:
            progress(min(1.0, (time.perf_counter() - t0) / time_limit), phase)

    heur = _heuristic(problem, time_limit=h_time, seed=seed, deadlines=deadlines, penalty=penalty)
    report("heuristic")
    if heur.optimal:
        return _finish(problem, heur.start, heur.lower_bound, heur.method, heur.makespan, t0, deadlines, weight)
    start, method = heur.start, heur.method
    obj = _objective(problem, start, weight)
    feasible = deadlines == "soft" or heur.lateness == 0
    lb = heur.lower_bound

    def left() -> float:
        return time_limit - (time.perf_counter() - t0)

    # Phase 1: a short exact run settles small problems (proof included) quickly.
    phase1 = min(1.0, 0.15 * left()) if left() > 3.0 else max(0.05, left())
    res = _solve_cpsat(problem, start, obj if feasible else None, lb, phase1, seed, workers, deadlines, penalty)
    if res.infeasible:
        raise deadline_error(problem, None, proven=True)
    if res.start is not None and (not feasible or res.objective < obj):
        start, obj, method, feasible = res.start, res.objective, "cp-sat", True
    lb = max(lb, res.lower_bound)
    report("cp-sat")
    if obj > lb and left() > 1.0:
        # Phase 2: intensified sampling around the incumbent (cheap, strong on highly
        # resource-constrained plans where the solver's neighbourhoods stall) ...
        improved = _heuristic(
            problem,
            time_limit=0.25 * left(),
            seed=seed + 1,
            incumbent=start,
            lb=lb,
            deadlines=deadlines,
            penalty=penalty,
        )
        improved_obj = _objective(problem, improved.start, weight)
        if improved_obj < obj and (deadlines == "soft" or improved.lateness == 0):
            start, obj, method, feasible = improved.start, improved_obj, improved.method, True
        report("sampling")
        # ... then the solver again, hinted with the best schedule, for the rest of the time.
        if obj > lb:
            res = _solve_cpsat(
                problem, start, obj if feasible else None, lb, max(0.05, left()), seed + 1, workers, deadlines, penalty
            )
            if res.infeasible:
                raise deadline_error(problem, None, proven=True)
            if res.start is not None and (not feasible or res.objective < obj):
                start, obj, method, feasible = res.start, res.objective, "cp-sat", True
            lb = max(lb, res.lower_bound)
    report("done")
    if not feasible:
        raise deadline_error(problem, start, proven=False)
    return _finish(problem, start, lb, method, heur.makespan, t0, deadlines, weight)


def _finish(
    problem: LevellingProblem,
    start: IntArray,
    lb: int,
    method: str,
    heuristic_makespan: int,
    t0: float,
    deadlines: str,
    weight: int,
) -> LevellingResult:
    net = problem.network
    mk = int((start + net.durations).max()) if net.n else 0
    obj = _objective(problem, start, weight)
    checked = validate(problem, start, deadlines=deadlines)
    if _debug():
        assert checked.ok, checked.violations
    return LevellingResult(
        net.ids,
        start,
        mk,
        lb,
        obj <= lb,
        method,
        heuristic_makespan,
        checked,
        time.perf_counter() - t0,
        _lateness(problem, start),
        deadlines,
    )


def _debug() -> bool:
    """``OEUVRE_ENGINE_DEBUG=1``: every levelled schedule and Monte Carlo sample goes through the validator."""
    return os.environ.get("OEUVRE_ENGINE_DEBUG", "") not in ("", "0")


def _replace_elapsed(r: LevellingResult, elapsed: float) -> LevellingResult:
    return dataclasses.replace(r, elapsed=elapsed)


# Redundant no-overlap on groups of pairwise incompatible activities (docs/benchmarks.md: they raise
# CP-SAT's bound on highly resource-constrained plans); OEUVRE_ENGINE_CLIQUES=0 turns them off.
CLIQUES = os.environ.get("OEUVRE_ENGINE_CLIQUES", "1") != "0"


def _incompatible_cliques(problem: LevellingProblem) -> list[list[int]]:
    """Groups of activities that pairwise cannot run together (on some resource their demands
    add up beyond its capacity), greedily grown from the most demanding: redundant disjunctions.
    """
    net = problem.network
    q = problem.demands
    cap = problem.capacity.max(axis=1)
    users = np.flatnonzero((net.durations > 0) & (q > 0).any(axis=1))
    if len(users) < 2 or len(users) > 400:  # greedy growth is cubic: only for plans of PSPLIB's size
        return []
    sub = q[users]
    clash = ((sub[:, None, :] + sub[None, :, :]) > cap[None, None, :]).any(axis=2)
    np.fill_diagonal(clash, False)
    order = np.argsort(-(sub / np.maximum(cap, 1)).max(axis=1), kind="stable")
    cliques: list[list[int]] = []
    covered = np.zeros((len(users), len(users)), bool)
    for a in order.tolist():
        clique = [a]
        for b in order.tolist():
            if b != a and clash[b, clique].all():
                clique.append(b)
        if len(clique) > 1:
            pairs = np.ix_(clique, clique)
            if not covered[pairs].all() or not clash[pairs].any():
                covered[pairs] = True
                cliques.append([int(users[c]) for c in clique])
    return cliques


@dataclass(frozen=True)
class _CpResult:
    start: IntArray | None
    objective: int
    lower_bound: int
    infeasible: bool = False


def _relaxed(net: CompiledNetwork) -> CompiledNetwork:
    """The network without its late constraints (for the domains of soft deadlines)."""
    return dataclasses.replace(net, latest_finish=np.full(net.n, 2**50, np.int64), _constraints=())


def _solve_cpsat(
    problem: LevellingProblem,
    hint: IntArray,
    ub: int | None,
    lb: int,
    time_limit: float,
    seed: int,
    workers: int | None,
    deadlines: str = "hard",
    penalty: int = 1,
) -> _CpResult:
    """CP-SAT model: interval per activity, one cumulative per resource, precedence with lags.

    ``ub`` is the objective of a schedule known to be feasible (``None``: none is known, the hint
    misses a hard deadline). Start domains are cut by the critical-path bounds under it (no
    makespan can exceed the objective), so the search only looks at schedules at least as good.
    Calendar-day links read their exact bound from the problem's tables (element constraints);
    hard deadlines bound the domains, soft ones add a lateness variable to the objective.
    """
    # Imported here: OR-Tools pulls in pandas and takes seconds to import, which the CPM, Monte
    # Carlo and heuristic paths (and the CLI's other commands) do not need.
    from ortools.sat.python import cp_model

    net = problem.network
    d = net.durations
    horizon = problem.horizon()
    cap_ub = horizon if ub is None else min(ub, horizon)
    cpm = schedule(net if deadlines == "hard" else _relaxed(net), deadline=cap_ub)
    if (cpm.ls < cpm.es).any():
        return _CpResult(None, -1, lb, infeasible=ub is None and deadlines == "hard")
    model = cp_model.CpModel()
    starts = [model.new_int_var(int(cpm.es[j]), int(cpm.ls[j]), f"s{j}") for j in range(net.n)]
    intervals = [model.new_fixed_size_interval_var(starts[j], int(d[j]), f"i{j}") for j in range(net.n)]
    w = problem._weights
    tid = np.full(len(net.pred), -1, np.int64)
    if len(problem._tab):
        tid[np.flatnonzero(net.calendar_lag)] = np.arange(len(problem._tab))
    for li in range(len(net.pred)):
        i, j = int(net.pred[li]), int(net.succ[li])
        if tid[li] < 0:
            model.add(starts[j] >= starts[i] + int(w[li]))
            continue
        lo, hi = int(cpm.es[i]), int(cpm.ls[i])
        row = problem._tab[tid[li], lo : hi + 1]
        cal_bound = model.new_int_var(int(row.min()), int(row.max()), f"cal{li}")
        model.add_element(starts[i] - lo, [int(v) for v in row], cal_bound)
        model.add(starts[j] >= cal_bound)
    mk_lb = min(lb, cap_ub) if deadlines == "hard" else min(int(cpm.finish), cap_ub)
    makespan = model.new_int_var(mk_lb, cap_ub, "makespan")
    # The makespan as an interval [makespan, ub + 1) that takes every resource whole: the cumulative
    # propagators then reason on the makespan directly (no energy is left after the last activity).
    tail_size = model.new_int_var(1, cap_ub + 1 - mk_lb, "tail_size")
    tail = model.new_interval_var(makespan, tail_size, model.new_constant(cap_ub + 1), "tail")
    for r in range(len(problem.resources)):
        users = [j for j in range(net.n) if problem.demands[j, r] > 0 and d[j] > 0]
        if not users:
            continue
        prof = problem.avail(cap_ub + 1)[r]
        cap_max = int(prof.max())
        ivs = [intervals[j] for j in users]
        dem = [int(problem.demands[j, r]) for j in users]
        # Periods with less capacity are blocked by fixed intervals.
        t = 0
        while t < cap_ub:
            if prof[t] < cap_max:
                t2 = t
                while t2 < cap_ub and prof[t2] == prof[t]:
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
    if CLIQUES:
        for clique in _incompatible_cliques(problem):
            model.add_no_overlap([intervals[j] for j in clique])
    # Activities followed by no finish-to-start link could finish last.
    has_succ = np.zeros(net.n, bool)
    has_succ[net.pred[(net.kind == 0) & (net.lag >= 0) & ~net.calendar_lag]] = True
    for j in range(net.n):
        if not has_succ[j]:
            model.add(makespan >= starts[j] + int(d[j]))
    late_terms = []
    for j in _late_activities(problem).tolist():
        limit = int(net.latest_finish[j])
        if deadlines == "hard":
            model.add(starts[j] + int(d[j]) <= limit)
        elif penalty > 0 and int(cpm.ls[j]) + int(d[j]) > limit:
            late = model.new_int_var(0, int(cpm.ls[j]) + int(d[j]) - min(limit, int(cpm.ls[j]) + int(d[j])), f"late{j}")
            model.add(late >= starts[j] + int(d[j]) - limit)
            late_terms.append(late)
    objective = makespan + penalty * sum(late_terms) if late_terms else makespan
    model.minimize(objective)
    hinted = [int(min(max(hint[j], cpm.es[j]), cpm.ls[j])) for j in range(net.n)]
    for j in range(net.n):
        model.add_hint(starts[j], hinted[j])
    # A complete hint (makespan and tail too) lets the solver take the incumbent as its first solution.
    hint_mk = min(max(int(max((h + int(d[j]) for j, h in enumerate(hinted)), default=0)), mk_lb), cap_ub)
    model.add_hint(makespan, hint_mk)
    model.add_hint(tail_size, cap_ub + 1 - hint_mk)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers if workers is not None else min(8, os.cpu_count() or 1)
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        start = np.array([solver.value(v) for v in starts], dtype=np.int64)
        obj = _objective(problem, start, penalty if deadlines == "soft" else _weight(problem, deadlines, penalty))
        bound = obj if status == cp_model.OPTIMAL else max(lb, int(solver.best_objective_bound))
        return _CpResult(start, obj, bound)
    if status == cp_model.INFEASIBLE and ub is None:
        # No schedule within the hard deadlines (the domains were cut by nothing but them).
        return _CpResult(None, -1, lb, infeasible=True)
    # UNKNOWN (time out before any solution), or INFEASIBLE under a cut by a feasible incumbent
    # (which cannot happen: the incumbent itself fits): no new information.
    return _CpResult(None, -1, lb)
