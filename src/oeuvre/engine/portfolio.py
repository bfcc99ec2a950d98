"""Multi-project levelling: projects that share resources (the same people) levelled together.

Each project keeps its own network, demands, constraints and priority; resources with the same
name are one pool, whose capacity is given once for the portfolio. The projects are merged into
one problem on a common time axis (they must share the calendar's working days and holidays; their
start dates may differ: a later project is released at its own start), and the objective is the
sum of the projects' finishes weighted by their priorities (plus lateness with soft deadlines):
a priority 3 project finishing one day earlier is worth three days of a priority 1 project.

The heuristic tries the priority rules with the projects in priority order and with all activities
together; CP-SAT then minimises the weighted objective, hinted with the best heuristic schedule.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from oeuvre.engine.errors import InfeasibleError, InputError
from oeuvre.engine.levelling import (
    LevellingProblem,
    check_mode,
    precheck_deadlines,
    priority_keys,
    run_sgs,
    validate,
)
from oeuvre.engine.network import CompiledNetwork, Network
from oeuvre.engine.validation import ValidationReport

__all__ = ["PortfolioProject", "PortfolioResult", "level_portfolio"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PortfolioProject:
    """One project of a portfolio.

    Parameters
    ----------
    name : str
        Unique; prefixes its activity ids in messages (``"ERP/DEV"``).
    network : Network or CompiledNetwork
    demands : mapping activity id -> {resource: units}
    priority : int
        Weight of the project's finish in the objective (higher is more important), at least 1.

    Examples
    --------
    >>> from oeuvre.engine.network import Activity
    >>> PortfolioProject("ERP", Network([Activity("A", 2)]), {"A": {"dev": 1}}, priority=2).priority
    2
    """

    name: str
    network: Network | CompiledNetwork
    demands: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    priority: int = 1


@dataclass(frozen=True, eq=False)
class PortfolioResult:
    """Levelled starts per project, the finish of each, and the objective with its proven bound.

    Attributes
    ----------
    starts : dict of str to dict of str to int
        Project name -> activity id -> start slot (on the common time axis).
    finishes : dict of str to int
        Project name -> finish slot.
    objective : int
        Sum of priority x finish (+ penalty x lateness with soft deadlines).
    lower_bound : int
        Proven lower bound of the objective.
    optimal : bool
    method : str
    validation : ValidationReport
        The independent validator on the merged schedule (shared capacities included).
    elapsed : float
    """

    starts: dict[str, dict[str, int]]
    finishes: dict[str, int]
    objective: int
    lower_bound: int
    optimal: bool
    method: str
    validation: ValidationReport
    elapsed: float

    def to_dict(self) -> dict[str, object]:
        """Plain dict with the CLI's JSON field names."""
        return {
            "objective": self.objective,
            "lower_bound": self.lower_bound,
            "optimal": self.optimal,
            "method": self.method,
            "valid": self.validation.ok,
            "finish": self.finishes,
            "start": self.starts,
            "warnings": list(self.validation.warnings),
        }


def _merge(projects: Sequence[PortfolioProject]) -> tuple[CompiledNetwork, list[IntArray], list[str]]:
    """One network on a common time axis; returns it, the activity numbers of each project, the ids."""
    nets = [p.network.compile() if isinstance(p.network, Network) else p.network for p in projects]
    calendars = [n.calendar for n in nets if n.calendar is not None]
    if calendars and len(calendars) != len(nets):
        raise InputError("either every project has a calendar (a start date) or none", field="calendar")
    offsets = [0] * len(nets)
    calendar = None
    if calendars:
        ref = min(calendars, key=lambda c: c.origin)
        for k, c in enumerate(calendars):
            if c.workdays != ref.workdays or set(c.holidays) != set(ref.holidays):
                raise InputError(
                    f"projects {projects[0].name!r} and {projects[k].name!r} use different calendars "
                    "(working days or holidays); levelling them together needs one calendar",
                    field="calendar",
                )
            offsets[k] = int(ref.to_index([c.origin])[0])
        calendar = ref
    spd = {n.slots_per_day for n in nets}
    if len(spd) > 1:
        raise InputError("projects count time in different slots (days and half-days)", field="slots_per_day")
    members: list[IntArray] = []
    base = 0
    parts: dict[str, list[npt.NDArray[np.generic]]] = {k: [] for k in ("d", "p", "s", "k", "l", "c", "r", "f")}
    ids: list[str] = []
    for proj, net, off in zip(projects, nets, offsets, strict=True):
        members.append(np.arange(base, base + net.n, dtype=np.int64))
        ids += [f"{proj.name}/{aid}" for aid in net.ids]
        parts["d"].append(net.durations)
        parts["p"].append(net.pred + base)
        parts["s"].append(net.succ + base)
        parts["k"].append(net.kind)
        parts["l"].append(net.lag)
        parts["c"].append(net.calendar_lag)
        parts["r"].append(np.maximum(net.release + off, off))
        parts["f"].append(np.where(net.latest_finish < 2**49, net.latest_finish + off, net.latest_finish))
        base += net.n
    merged = CompiledNetwork.from_arrays(
        np.concatenate(parts["d"]),
        np.concatenate(parts["p"]),
        np.concatenate(parts["s"]),
        np.concatenate(parts["k"]),
        np.concatenate(parts["l"]),
        ids=ids,
        calendar_lag=np.concatenate(parts["c"]),
        release=np.concatenate(parts["r"]),
        latest_finish=np.concatenate(parts["f"]),
        calendar=calendar,
        slots_per_day=spd.pop() if spd else 1,
    )
    return merged, members, ids


def level_portfolio(
    projects: Sequence[PortfolioProject],
    capacities: Mapping[str, int | Sequence[int]],
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int | None = None,
    deadlines: str = "hard",
    penalty: int = 1,
) -> PortfolioResult:
    """Level several projects that share resources, with project priorities.

    Parameters
    ----------
    projects : sequence of PortfolioProject
    capacities : mapping resource -> capacity (int or per slot)
        The pool of each shared resource, once for the portfolio.
    time_limit : float
    seed : int
    workers : int, optional
        CP-SAT workers.
    deadlines : {"hard", "soft"}
    penalty : int
        Weight of one slot of lateness with soft deadlines.

    Returns
    -------
    PortfolioResult

    Raises
    ------
    InputError
        Duplicate project names, a priority below 1, calendars that differ.
    InfeasibleError
        A demand above its pool, or hard deadlines that cannot be met (explained).

    Examples
    --------
    >>> from oeuvre.engine.network import Activity
    >>> erp = PortfolioProject("ERP", Network([Activity("DEV", 4)]), {"DEV": {"alice": 1}}, priority=3)
    >>> crm = PortfolioProject("CRM", Network([Activity("DEV", 2)]), {"DEV": {"alice": 1}}, priority=1)
    >>> r = level_portfolio([erp, crm], {"alice": 1}, time_limit=2)
    >>> r.finishes, r.objective, r.optimal  # Alice works for the ERP first: 3 x 4 + 1 x 6
    ({'ERP': 4, 'CRM': 6}, 18, True)
    """
    check_mode(deadlines, penalty)
    t0 = time.perf_counter()
    names = [p.name for p in projects]
    if not projects:
        raise InputError("no project to level", field="projects")
    if len(set(names)) != len(names):
        raise InputError(f"duplicate project name {next(n for n in names if names.count(n) > 1)!r}", field="name")
    if any(p.priority < 1 for p in projects):
        raise InputError("priorities must be whole numbers from 1 (low) up", field="priority")
    merged, members, ids = _merge(projects)
    demands = {f"{p.name}/{aid}": dict(dem) for p in projects for aid, dem in p.demands.items()}
    problem = LevellingProblem.build(merged, demands, capacities)
    if deadlines == "hard":
        precheck_deadlines(problem)
    weights = np.zeros(merged.n, np.int64)
    prio = np.array([p.priority for p in projects], np.int64)

    def objective(start: IntArray) -> int:
        finish = start + merged.durations
        total = sum(int(w) * int(finish[m].max()) if len(m) else 0 for w, m in zip(prio, members, strict=True))
        late = int(np.clip(finish - merged.latest_finish, 0, None).sum())
        return total + (penalty if deadlines == "soft" else problem.horizon() + 1) * late

    # Heuristic: each rule with the projects in priority order (a big offset per rank), then mixed.
    rank = np.argsort(np.argsort(-prio, kind="stable"), kind="stable")
    for r, m in zip(rank, members, strict=True):
        weights[m] = r
    best_obj, best_start, best_method = -1, np.zeros(merged.n, np.int64), ""
    spread = float(problem.horizon() + 1)
    for rule in ("LFT", "LST", "MTS", "GRPW"):
        keys = priority_keys(problem, rule)
        for ordered in (True, False):
            k = keys + (weights * spread * 10 if ordered else 0)
            for mode in ("serial", "parallel"):
                _, start = run_sgs(problem, k, mode)
                obj = objective(start)
                if best_obj < 0 or obj < best_obj:
                    best_obj, best_start, best_method = obj, start, f"{mode}-{rule}{'-by-priority' if ordered else ''}"
    lb, solved = _portfolio_cpsat(
        problem, members, prio, best_start, time_limit - (time.perf_counter() - t0), seed, workers, deadlines, penalty
    )
    if solved is not None:
        obj = objective(solved)
        if obj < best_obj or (best_obj >= 0 and _late(problem, best_start) and not _late(problem, solved)):
            best_obj, best_start, best_method = obj, solved, "cp-sat"
    if deadlines == "hard" and _late(problem, best_start):
        from oeuvre.engine.levelling import deadline_error

        raise deadline_error(problem, best_start, proven=False)
    report = validate(problem, best_start, deadlines=deadlines)
    finish = best_start + merged.durations
    starts = {
        p.name: {ids[j].split("/", 1)[1]: int(best_start[j]) for j in m.tolist()}
        for p, m in zip(projects, members, strict=True)
    }
    finishes = {p.name: int(finish[m].max()) if len(m) else 0 for p, m in zip(projects, members, strict=True)}
    return PortfolioResult(
        starts,
        finishes,
        best_obj,
        min(lb, best_obj),
        lb >= best_obj,
        best_method,
        report,
        time.perf_counter() - t0,
    )


def _late(problem: LevellingProblem, start: IntArray) -> bool:
    return bool((start + problem.network.durations > problem.network.latest_finish).any())


def _portfolio_cpsat(
    problem: LevellingProblem,
    members: list[IntArray],
    prio: IntArray,
    hint: IntArray,
    time_limit: float,
    seed: int,
    workers: int | None,
    deadlines: str,
    penalty: int,
) -> tuple[int, IntArray | None]:
    """CP-SAT on the merged problem with the weighted-finish objective; returns (bound, schedule or None)."""
    import os

    from ortools.sat.python import cp_model

    from oeuvre.engine.network import schedule

    net = problem.network
    d = net.durations
    horizon = problem.horizon()
    relaxed = deadlines == "soft"
    cpm = schedule(
        net if not relaxed else _without_deadlines(net),
        deadline=horizon,
    )
    if (cpm.ls < cpm.es).any():
        raise InfeasibleError("the deadlines cannot be met even without resource limits", proven=True)
    model = cp_model.CpModel()
    starts = [model.new_int_var(int(cpm.es[j]), int(cpm.ls[j]), f"s{j}") for j in range(net.n)]
    intervals = [model.new_fixed_size_interval_var(starts[j], int(d[j]), f"i{j}") for j in range(net.n)]
    tid = np.full(len(net.pred), -1, np.int64)
    if len(problem._tab):
        tid[np.flatnonzero(net.calendar_lag)] = np.arange(len(problem._tab))
    for li in range(len(net.pred)):
        i, j = int(net.pred[li]), int(net.succ[li])
        if tid[li] < 0:
            model.add(starts[j] >= starts[i] + int(problem._weights[li]))
            continue
        lo, hi = int(cpm.es[i]), int(cpm.ls[i])
        row = problem._tab[tid[li], lo : hi + 1]
        bound = model.new_int_var(int(row.min()), int(row.max()), f"cal{li}")
        model.add_element(starts[i] - lo, [int(v) for v in row], bound)
        model.add(starts[j] >= bound)
    avail = problem.avail(horizon + 1)
    for r in range(len(problem.resources)):
        users = [j for j in range(net.n) if problem.demands[j, r] > 0 and d[j] > 0]
        if not users:
            continue
        prof = avail[r]
        cap_max = int(prof.max())
        ivs = [intervals[j] for j in users]
        dem = [int(problem.demands[j, r]) for j in users]
        t = 0
        while t < horizon:
            if prof[t] < cap_max:
                t2 = t
                while t2 < horizon and prof[t2] == prof[t]:
                    t2 += 1
                ivs.append(model.new_fixed_size_interval_var(t, t2 - t, f"block{r}_{t}"))
                dem.append(cap_max - int(prof[t]))
                t = t2
            else:
                t += 1
        model.add_cumulative(ivs, dem, cap_max)
    terms = []
    for w, m in zip(prio.tolist(), members, strict=True):
        if not len(m):
            continue
        fin = model.new_int_var(int((cpm.es[m] + d[m]).max()), horizon, "finish")
        for j in m.tolist():
            model.add(fin >= starts[j] + int(d[j]))
        terms.append(w * fin)
    for j in np.flatnonzero(net.latest_finish < 2**49).tolist():
        limit = int(net.latest_finish[j])
        if not relaxed:
            model.add(starts[j] + int(d[j]) <= limit)
        elif penalty > 0:
            late = model.new_int_var(0, horizon, f"late{j}")
            model.add(late >= starts[j] + int(d[j]) - limit)
            terms.append(penalty * late)
    model.minimize(sum(terms))
    for j in range(net.n):
        model.add_hint(starts[j], int(min(max(hint[j], cpm.es[j]), cpm.ls[j])))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers if workers is not None else min(8, os.cpu_count() or 1)
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE and not relaxed:
        from oeuvre.engine.levelling import deadline_error

        raise deadline_error(problem, None, proven=True)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        start = np.array([solver.value(v) for v in starts], dtype=np.int64)
        return int(solver.best_objective_bound), start
    return 0, None


def _without_deadlines(net: CompiledNetwork) -> CompiledNetwork:
    import dataclasses

    return dataclasses.replace(net, latest_finish=np.full(net.n, 2**50, np.int64), _constraints=())
