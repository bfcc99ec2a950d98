"""Levelling proposals and Monte Carlo risk, mapped from the plan to the engine and back.

Levelling moves only work that has not started: finished tasks are left alone, started ones keep their
place and use up the capacity they need until they finish, and every other task may move later, never
earlier (a levelled start is never before the critical-path early start, which is therefore a valid
release date). Applying a proposal stores each delayed task's levelled start
(:attr:`Task.levelling_start`); the critical-path schedule then reproduces the levelled plan exactly.

Monte Carlo draws each remaining duration from a triangular law between the task's optimistic and
pessimistic durations (the plan's default factors when the task has none); work already done is
certain.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from oeuvre.core.errors import DomainError
from oeuvre.engine import (
    CompiledNetwork,
    InfeasibleError,
    LevellingProblem,
    RiskEvent,
    level,
    level_heuristic,
    monte_carlo,
    schedule,
)
from oeuvre.planning.models import Assignment, Plan, Resource, Task
from oeuvre.planning.scheduling import PlanNetwork, compute_schedule, load_network
from oeuvre.projects.models import Project

__all__ = ["ScheduleRisk", "levelling_proposal", "risk_analysis"]

IntArray = npt.NDArray[np.int64]
_ONE_DAY = dt.timedelta(days=1)


def _with_durations(net: PlanNetwork, durations: IntArray) -> CompiledNetwork:
    """The plan's network with other durations; calendar-day lags stay exact (the engine converts them on the
    project calendar, so levelling and Monte Carlo agree with the critical path to the day)."""
    c = net.network
    return CompiledNetwork.from_arrays(
        durations,
        c.pred,
        c.succ,
        c.kind,
        c.lag,
        ids=c.ids,
        calendar_lag=c.calendar_lag,
        release=c.release,
        latest_finish=c.latest_finish,
        calendar=c.calendar,
    )


def _date_of(net: PlanNetwork, index: int, milestone: bool) -> dt.date:
    cal = net.calendar
    if milestone:
        return cal.finish_date([index])[0].item()  # type: ignore[no-any-return]
    return cal.to_date([index])[0].item()  # type: ignore[no-any-return]


def _weekly(dates: list[dt.date], values: npt.NDArray[np.float64]) -> tuple[list[str], list[float]]:
    weeks: dict[dt.date, float] = {}
    for day, value in zip(dates, values.tolist(), strict=True):
        monday = day - dt.timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0.0) + value
    keys = sorted(weeks)
    return [k.isoformat() for k in keys], [round(weeks[k], 2) for k in keys]


def levelling_proposal(
    project: Project,
    plan: Plan,
    *,
    method: str = "heuristic",
    time_limit: float = 10.0,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, Any]:
    """Compute a levelled plan and compare it with the current one (nothing is saved)."""
    current = compute_schedule(load_network(project, plan=plan))
    released = {
        pk: {"levelling_start": None}
        for pk in Task.objects.filter(project=project, levelling_start__isnull=False).values_list("pk", flat=True)
    }
    net = load_network(project, plan=plan, overrides=released)
    free_net = net.network
    cpm = schedule(free_net)
    n = net.n
    fixed = net.started | net.finished
    resources = list(
        Resource.objects.filter(project=project, active=True)
        .order_by("name")
        .values_list("pk", "name", "capacity", "working_days")
    )
    r_index = {pk: i for i, (pk, *_rest) in enumerate(resources)}
    demand = np.zeros((n, len(resources)), np.int64)
    for task_id, resource_id, units in Assignment.objects.filter(
        task__project=project, resource__active=True
    ).values_list("task_id", "resource_id", "units"):
        if resource_id in r_index:
            demand[net.index_of(task_id), r_index[resource_id]] += round(float(units) * 100)
    horizon = int(cpm.finish) + int(net.duration[~fixed].sum()) + 10
    days = [d.item() for d in net.calendar.to_date(np.arange(horizon)).astype("datetime64[D]")]
    from oeuvre.planning.models import Absence

    absent: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for resource_id, first, last in Absence.objects.filter(resource__project=project).values_list(
        "resource_id", "start", "end"
    ):
        absent.setdefault(resource_id, []).append((first, last))
    project_days = set(project.working_days or [0, 1, 2, 3, 4])
    capacity: dict[str, list[int]] = {}
    for pk, _name, units, working_days in resources:
        allowed = set(working_days) if working_days is not None else project_days
        full = round(float(units) * 100)
        profile = [
            0 if d.weekday() not in allowed or any(a <= d <= b for a, b in absent.get(pk, [])) else full for d in days
        ]
        capacity[str(pk)] = profile
    # Started tasks keep their dates and use the capacity they need from the status date on.
    residual = np.array([capacity[str(pk)] for pk, *_rest in resources], np.int64).reshape(len(resources), horizon)
    for i in np.flatnonzero(net.started):
        a, b = max(int(cpm.es[i]), net.status_index), min(int(cpm.ef[i]), horizon)
        if b > a:
            residual[:, a:b] -= demand[i][:, None]
    residual = np.maximum(residual, 0)
    keep = np.flatnonzero(~fixed)
    position = {int(j): k for k, j in enumerate(keep)}
    c = free_net
    mask = np.array([int(p) in position and int(s) in position for p, s in zip(c.pred, c.succ, strict=True)], bool)
    sub = CompiledNetwork.from_arrays(
        c.durations[keep],
        [position[int(p)] for p in c.pred[mask]],
        [position[int(s)] for s in c.succ[mask]],
        c.kind[mask],
        c.lag[mask],
        ids=[c.ids[j] for j in keep],
        calendar_lag=c.calendar_lag[mask],
        release=cpm.es[keep],
        calendar=c.calendar,
    )
    try:
        problem = LevellingProblem.build(
            sub,
            demand[keep],
            {str(pk): residual[i] for i, (pk, *_rest) in enumerate(resources)} if resources else {"none": [1]},
        )
    except InfeasibleError as exc:
        task = net.codes[net.index_of(int(exc.activity))] if exc.activity else "?"
        who = next((name for pk, name, *_r in resources if str(pk) == exc.resource), exc.resource)
        raise DomainError(
            _("%(task)s needs more of %(resource)s than its capacity allows: lower the units or raise the capacity.")
            % {"task": task, "resource": who}
        ) from None
    if method == "cpsat":
        result = level(problem, time_limit=time_limit, seed=seed, workers=2, progress=progress)
    else:
        result = level_heuristic(problem, time_limit=min(time_limit, 30.0), seed=seed)
    if not result.validation.ok:
        raise DomainError(
            _("The levelling produced an invalid schedule: %(why)s")
            % {"why": "; ".join(result.validation.violations[:3])}
        )
    start = cpm.es.copy()
    start[keep] = result.start
    finish_idx = start + net.duration
    new_finish = max(
        (
            _date_of(net, int(f), bool(m)) if m else net.calendar.finish_date([int(f)])[0].item()
            for f, m in zip(finish_idx, net.milestone, strict=True)
        ),
        default=None,
    )
    levelled: dict[str, str] = {}
    moved: list[dict[str, Any]] = []
    for k, j64 in enumerate(keep):
        j = int(j64)
        if result.start[k] > cpm.es[j]:
            day = _date_of(net, int(result.start[k]), bool(net.milestone[j]))
            levelled[str(int(net.task_ids[j]))] = day.isoformat()
        new_start = _date_of(net, int(start[j]), bool(net.milestone[j]))
        old_start = current.early_start[j]
        if new_start != old_start:
            shift = int(start[j]) - int(current.es[j])
            moved.append(
                {
                    "id": int(net.task_ids[j]),
                    "code": net.codes[j],
                    "name": net.names[j],
                    "from": old_start.isoformat(),
                    "to": new_start.isoformat(),
                    "shift": shift,
                }
            )
    moved.sort(key=lambda m: (-abs(m["shift"]), m["code"]))

    def excess(starts: IntArray) -> npt.NDArray[np.float64]:
        usage = np.zeros((len(resources), horizon + 1))
        full_cap = np.array([capacity[str(pk)] for pk, *_rest in resources], np.float64).reshape(
            len(resources), horizon
        )
        for j in range(n):
            if net.finished[j] or net.duration[j] == 0:
                continue
            a, b = int(starts[j]), min(int(starts[j] + net.duration[j]), horizon)
            if net.started[j]:
                a = max(a, net.status_index)
            if b > a:
                usage[:, a:b] += demand[j][:, None]
        over = np.maximum(usage[:, :horizon] - full_cap, 0).sum(axis=0) / 100
        return np.asarray(over, np.float64)

    before = excess(current.es)
    after = excess(start)
    weeks, before_w = _weekly(days, before)
    _weeks, after_w = _weekly(days, after)
    return {
        "method": result.method,
        "optimal": bool(result.optimal),
        "makespan": int(result.makespan),
        "lower_bound": int(result.lower_bound),
        "elapsed": round(result.elapsed, 3),
        "current_finish": current.finish.isoformat() if current.finish else None,
        "levelled_finish": new_finish.isoformat() if new_finish else None,
        "moved": moved,
        "levelled_starts": levelled,
        "overload_weeks": weeks,
        "overload_before": before_w,
        "overload_after": after_w,
    }


@dataclass(frozen=True)
class ScheduleRisk:
    """A risk event handed in by a later stage: with ``probability`` (0..1), each of ``task_ids`` takes
    ``days`` (minimum, most likely, maximum working days, triangular) more."""

    key: str
    name: str
    probability: float
    days: tuple[float, float, float]
    task_ids: tuple[int, ...]


def _events(net: PlanNetwork, risks: Sequence[ScheduleRisk]) -> list[RiskEvent]:
    """The engine's events, one per risk and in the same order (so the random streams line up): a risk
    reaches only the tasks of the plan that are not finished; one reaching none stays, with probability 0."""
    out = []
    pos = _positions(net)
    for r in risks:
        acts = tuple(str(t) for t in dict.fromkeys(r.task_ids) if int(t) in pos and not net.finished[pos[int(t)]])
        prob = min(max(float(r.probability), 0.0), 1.0) if acts else 0.0
        lo, ml, hi = sorted(max(float(d), 0.0) for d in r.days)
        out.append(RiskEvent(r.key, prob, (lo, ml, hi), acts))
    return out


def _positions(net: PlanNetwork) -> dict[int, int]:
    lookup: dict[int, int] = net.__dict__.setdefault("_lookup", {int(t): i for i, t in enumerate(net.task_ids)})
    return lookup


def _silenced(events: Sequence[RiskEvent], keep: Callable[[int], bool] = lambda _k: False) -> list[RiskEvent]:
    """The same events with probability 0 except those ``keep`` accepts: the engine still draws every event's
    random numbers, so a run without some risks sees exactly the same durations (common random numbers) and
    the difference between two runs is the removed risks' effect only."""
    return [ev if keep(k) else dataclasses.replace(ev, probability=0.0) for k, ev in enumerate(events)]


def _milestone_risk(
    project: Project,
    net: PlanNetwork,
    network: CompiledNetwork,
    low: npt.NDArray[np.float64],
    most: npt.NDArray[np.float64],
    high: npt.NDArray[np.float64],
    iterations: int,
    seed: int,
    events: Sequence[RiskEvent] = (),
) -> list[dict[str, Any]]:
    """P50/P80 and the chance of meeting the deadline of each contractual milestone with one.

    A milestone's date is the finish of the part of the network it depends on, so the simulation runs
    on the milestone and its ancestors only.
    """
    rows = list(
        Task.objects.filter(
            project=project, kind="milestone", milestone_type="contractual", actual_finish__isnull=True
        ).values_list("pk", "code", "name", "constraint_type", "constraint_date")
    )[:6]
    out: list[dict[str, Any]] = []
    preds: dict[int, list[int]] = {}
    for p, s in zip(network.pred.tolist(), network.succ.tolist(), strict=True):
        preds.setdefault(s, []).append(p)
    cal = net.calendar
    for pk, code, name, ctype, cdate in rows:
        root = net.index_of(pk)
        seen = {root}
        stack = [root]
        while stack:
            for p in preds.get(stack.pop(), []):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        keep = np.array(sorted(seen), np.int64)
        position = {int(j): k for k, j in enumerate(keep)}
        mask = np.array(
            [int(p) in position and int(s) in position for p, s in zip(network.pred, network.succ, strict=True)], bool
        )
        sub = CompiledNetwork.from_arrays(
            network.durations[keep],
            [position[int(p)] for p in network.pred[mask]],
            [position[int(s)] for s in network.succ[mask]],
            network.kind[mask],
            network.lag[mask],
            ids=[network.ids[j] for j in keep],
            calendar_lag=network.calendar_lag[mask],
            release=network.release[keep],
            calendar=network.calendar,
        )
        ids = {network.ids[j] for j in keep}
        sub_events = [dataclasses.replace(ev, activities=tuple(a for a in ev.activities if a in ids)) for ev in events]
        sub_events = [ev if ev.activities else dataclasses.replace(ev, probability=0.0) for ev in sub_events]
        result = monte_carlo(sub, low[keep], most[keep], high[keep], iterations=iterations, seed=seed, risks=sub_events)
        deadline = cdate if ctype == "FNLT" else None
        item: dict[str, Any] = {
            "code": code,
            "name": name,
            "deadline": deadline.isoformat() if deadline else None,
            "P50": cal.finish_date([math.ceil(result.percentiles[50] - 1e-9)])[0].item().isoformat(),
            "P80": cal.finish_date([math.ceil(result.percentiles[80] - 1e-9)])[0].item().isoformat(),
            "probability": None,
        }
        if any(ev.probability > 0 for ev in sub_events):
            bare = monte_carlo(
                sub, low[keep], most[keep], high[keep], iterations=iterations, seed=seed, risks=_silenced(sub_events)
            )
            item["P50_without_risks"] = cal.finish_date([math.ceil(bare.percentiles[50] - 1e-9)])[0].item().isoformat()
            item["P80_without_risks"] = cal.finish_date([math.ceil(bare.percentiles[80] - 1e-9)])[0].item().isoformat()
        elif events:
            item["P50_without_risks"], item["P80_without_risks"] = item["P50"], item["P80"]
        if deadline is not None:
            item["probability"] = round(result.probability_of(float(cal.to_index([deadline + _ONE_DAY])[0])), 4)
        out.append(item)
    return out


def risk_analysis(
    project: Project,
    plan: Plan,
    *,
    iterations: int = 5000,
    seed: int = 1,
    progress: Callable[[float], None] | None = None,
    risks: Sequence[ScheduleRisk] = (),
) -> dict[str, Any]:
    """Monte Carlo on the remaining work: finish percentiles, probability of the contractual date,
    criticality index and the tornado of the tasks that drive the finish.

    With ``risks`` (the open risks of the register, handed in by the steering stage), every figure includes
    them, and ``risk_events`` compares the finish with and without them: P50/P80 both ways and, for each
    risk, its contribution: how much earlier the P80 is when that risk alone is removed (same random draws,
    so the difference is the risk's own effect)."""
    net = load_network(project, plan=plan)
    n = net.n
    if n == 0:
        raise DomainError(_("The plan has no tasks yet."))
    opt_factor = float(plan.optimistic_factor)
    pes_factor = float(plan.pessimistic_factor)
    planned = net.planned_duration.astype(np.float64)
    optimistic_planned = np.where(np.isnan(net.optimistic), planned * opt_factor, net.optimistic)
    pessimistic_planned = np.where(np.isnan(net.pessimistic), planned * pes_factor, net.pessimistic)
    most = net.duration.astype(np.float64)
    remaining = net.remaining_duration.astype(np.float64)
    done = most - remaining
    scale_lo = np.where(planned > 0, optimistic_planned / np.where(planned > 0, planned, 1), 1.0)
    scale_hi = np.where(planned > 0, pessimistic_planned / np.where(planned > 0, planned, 1), 1.0)
    low = done + remaining * np.minimum(scale_lo, 1.0)
    high = done + remaining * np.maximum(scale_hi, 1.0)
    low = np.where(net.finished, most, np.minimum(low, most))
    high = np.where(net.finished, most, np.maximum(high, most))
    network = _with_durations(net, net.duration)
    events = _events(net, risks)
    result = monte_carlo(network, low, most, high, iterations=iterations, seed=seed, progress=progress, risks=events)
    cal = net.calendar

    def finish_date(index: float) -> dt.date:
        return cal.finish_date([math.ceil(index - 1e-9)])[0].item()  # type: ignore[no-any-return]

    deterministic = finish_date(result.deterministic_finish)
    target = project.delivery_date
    probability = None
    if target is not None:
        probability = result.probability_of(float(cal.to_index([target + _ONE_DAY])[0]))
    finishes = np.ceil(result.finish - 1e-9).astype(np.int64)
    values, counts = np.unique(finishes, return_counts=True)
    dates = [d.item() for d in cal.finish_date(values).astype("datetime64[D]")]
    cumulative = np.cumsum(counts) / iterations
    order = np.argsort(-np.abs(result.sensitivity))[:15]
    tornado = [
        {"code": net.codes[i], "name": net.names[i], "sensitivity": round(float(result.sensitivity[i]), 3)}
        for i in order
        if abs(result.sensitivity[i]) > 0.005
    ]
    crit_order = np.argsort(-result.criticality)
    criticality = [
        {"code": net.codes[i], "name": net.names[i], "index": round(float(result.criticality[i]), 3)}
        for i in crit_order[:30]
        if result.criticality[i] >= 0.01 and not net.finished[i]
    ]
    milestones = _milestone_risk(project, net, network, low, most, high, iterations, seed, events)
    focus = next((m for m in milestones if m["deadline"] == (target.isoformat() if target else None)), None)
    if focus is None and milestones:
        focus = milestones[0]
    risk_events = None
    if risks:
        live = [k for k, ev in enumerate(events) if ev.probability > 0]

        def p80_without(k: int) -> float:
            kept = _silenced(events, lambda i: i != k)
            return monte_carlo(network, low, most, high, iterations=iterations, seed=seed, risks=kept).percentiles[80]

        bare = monte_carlo(network, low, most, high, iterations=iterations, seed=seed, risks=_silenced(events))
        contributions: list[dict[str, Any]] = []
        for k, (risk, ev) in enumerate(zip(risks, events, strict=True)):
            shift = result.percentiles[80] - p80_without(k) if k in live else 0.0
            contributions.append(
                {
                    "key": risk.key,
                    "name": risk.name,
                    "probability": min(max(float(risk.probability), 0.0), 1.0),
                    "days": list(ev.delay) if isinstance(ev.delay, tuple) else [ev.delay] * 3,
                    "tasks": len(ev.activities),
                    "p80_shift_days": round(float(shift), 2),
                }
            )
        contributions.sort(key=lambda c: (-c["p80_shift_days"], c["key"]))
        risk_events = {
            "method": "removal",
            "with_risks": {
                "P50": finish_date(result.percentiles[50]).isoformat(),
                "P80": finish_date(result.percentiles[80]).isoformat(),
                "P80_index": round(result.percentiles[80], 4),
            },
            "without_risks": {
                "P50": finish_date(bare.percentiles[50]).isoformat(),
                "P80": finish_date(bare.percentiles[80]).isoformat(),
                "P80_index": round(bare.percentiles[80], 4),
            },
            "p80_shift_days": round(result.percentiles[80] - bare.percentiles[80], 2),
            "contributions": contributions,
        }
    return {
        "iterations": iterations,
        "seed": seed,
        "risk_events": risk_events,
        "milestones": milestones,
        "focus": focus,
        "deterministic_finish": deterministic.isoformat(),
        "percentiles": {f"P{p}": finish_date(v).isoformat() for p, v in result.percentiles.items()},
        "p80_standard_error_days": round(float(result.p80_standard_error), 2),
        "target": target.isoformat() if target else None,
        "probability_on_time": None if probability is None else round(probability, 4),
        "distribution": {
            "dates": [d.isoformat() for d in dates],
            "probability": [round(float(c) / iterations, 5) for c in counts],
            "cumulative": [round(float(c), 5) for c in cumulative],
        },
        "tornado": tornado,
        "criticality": criticality,
    }
