"""Cost, landing (consommé / RAF / atterrissage / écart) and time-phased earned value, from the plan's rows.

The formulas are the engine's (:mod:`oeuvre.engine.evm`); this module gathers the data with a fixed
number of queries and lines it up by week with numpy:

- Budget (BAC) and planned value (PV) come from the reference baseline: each baseline task's budget is
  spread evenly over its working days (:func:`oeuvre.engine.planned_value_curve`).
- Actual cost (AC) is the time entries, costed at each person's TJM; in effort, their person-days.
- Earned value (EV) is each task's baseline budget times its progress at the date: 100 % once finished,
  else consommé ÷ (consommé + RAF), with the RAF of the latest estimate dated on or before that day
  (without one, the planned effort minus the consommé). A progress override counts at the status date.
- Landing: atterrissage = consommé + RAF; écart = atterrissage − charge vendue, per lot, resource and project.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import F, Sum
from django.db.models.functions import TruncWeek

from oeuvre.engine import earned_value, earned_value_series, planned_value_curve
from oeuvre.planning.models import Assignment, BaselineTask, Lot, Plan, RafEstimate, Resource, Task, TimeEntry
from oeuvre.planning.scheduling import project_calendar, status_date_of
from oeuvre.projects.models import Project

__all__ = ["Landing", "ProjectCosts", "default_tjm", "earned_value_report", "project_costs", "resource_load"]

FloatArray = npt.NDArray[np.float64]
_ONE_DAY = dt.timedelta(days=1)


def default_tjm(project: Project, plan: Plan | None = None) -> Decimal:
    """The rate that costs unassigned effort: the plan's, else the sold amount per sold person-day."""
    plan = plan if plan is not None else Plan.objects.filter(project=project).first()
    if plan is not None and plan.default_tjm is not None:
        return plan.default_tjm
    if project.budget_effort:
        return (project.budget_amount / project.budget_effort).quantize(Decimal("0.01"))
    return Decimal(0)


@dataclass
class Landing:
    """One line of the landing table, in person-days and in euros."""

    key: str
    label: str
    sold_effort: float = 0.0
    planned_effort: float = 0.0
    spent_effort: float = 0.0
    raf_effort: float = 0.0
    sold_cost: float = 0.0
    planned_cost: float = 0.0
    spent_cost: float = 0.0
    raf_cost: float = 0.0
    depth: int = 0

    @property
    def landing_effort(self) -> float:
        return self.spent_effort + self.raf_effort

    @property
    def landing_cost(self) -> float:
        return self.spent_cost + self.raf_cost

    @property
    def gap_effort(self) -> float:
        return self.landing_effort - self.sold_effort

    @property
    def gap_cost(self) -> float:
        return self.landing_cost - self.sold_cost

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "depth": self.depth,
            "sold_effort": round(self.sold_effort, 2),
            "planned_effort": round(self.planned_effort, 2),
            "spent_effort": round(self.spent_effort, 2),
            "raf_effort": round(self.raf_effort, 2),
            "landing_effort": round(self.landing_effort, 2),
            "gap_effort": round(self.gap_effort, 2),
            "sold_cost": round(self.sold_cost, 2),
            "planned_cost": round(self.planned_cost, 2),
            "spent_cost": round(self.spent_cost, 2),
            "raf_cost": round(self.raf_cost, 2),
            "landing_cost": round(self.landing_cost, 2),
            "gap_cost": round(self.gap_cost, 2),
        }


@dataclass
class TaskFigures:
    """Per-task arrays (same order as ``ids``) that the cost views share."""

    ids: list[int]
    lot: list[int]
    effort: FloatArray
    cost: FloatArray
    rate: FloatArray  # € per person-day of this task's remaining work
    spent_effort: FloatArray
    spent_cost: FloatArray
    raf: FloatArray
    finished: npt.NDArray[np.bool_]
    progress: FloatArray
    shares: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # task -> [(resource, share)]


def task_figures(project: Project, status: dt.date, plan: Plan | None = None) -> TaskFigures:
    """Planned effort and cost, consommé, RAF and progress of every task (five queries)."""
    fallback = float(default_tjm(project, plan))
    rows = list(
        Task.objects.filter(project=project)
        .order_by("pk")
        .values_list("pk", "lot_id", "effort", "actual_finish", "progress_override", "kind")
    )
    ids = [r[0] for r in rows]
    index = {pk: i for i, pk in enumerate(ids)}
    n = len(ids)
    effort = np.array([float(r[2]) for r in rows], np.float64)
    cost = np.zeros(n)
    assigned_effort = np.zeros(n)
    shares: dict[int, list[tuple[int, float]]] = defaultdict(list)
    units_total: dict[int, float] = defaultdict(float)
    assignments = list(
        Assignment.objects.filter(task__project=project).values_list(
            "task_id", "resource_id", "units", "effort", "resource__tjm"
        )
    )
    for task_id, _r, units, _e, _t in assignments:
        units_total[task_id] += float(units)
    for task_id, resource_id, units, explicit, tjm in assignments:
        i = index[task_id]
        share = float(explicit) if explicit is not None else effort[i] * float(units) / (units_total[task_id] or 1.0)
        shares[task_id].append((resource_id, share))
        assigned_effort[i] += share
        cost[i] += share * float(tjm)
    cost += np.maximum(effort - assigned_effort, 0.0) * fallback
    rate = np.where(effort > 0, cost / np.where(effort > 0, effort, 1.0), fallback)
    spent_effort = np.zeros(n)
    spent_cost = np.zeros(n)
    for task_id, days, money in (
        TimeEntry.objects.filter(project=project, date__lte=status)
        .values("task_id")
        .annotate(days=Sum("effort"), money=Sum(F("effort") * F("resource__tjm")))
        .values_list("task_id", "days", "money")
    ):
        if task_id in index:
            spent_effort[index[task_id]] = float(days)
            spent_cost[index[task_id]] = float(money or 0)
    raf = np.full(n, np.nan)
    latest: dict[int, tuple[dt.date, int, float]] = {}
    for task_id, day, pk, estimate in RafEstimate.objects.filter(project=project, date__lte=status).values_list(
        "task_id", "date", "pk", "raf"
    ):
        if task_id not in latest or (day, pk) > latest[task_id][:2]:
            latest[task_id] = (day, pk, float(estimate))
    for task_id, (_d, _pk, remaining) in latest.items():
        if task_id in index:
            raf[index[task_id]] = remaining
    finished = np.array([r[3] is not None and r[3] <= status for r in rows], bool)
    milestone = np.array([r[5] == "milestone" for r in rows], bool)
    raf = np.where(np.isnan(raf), np.maximum(effort - spent_effort, 0.0), raf)
    raf = np.where(finished | milestone, 0.0, raf)
    total = spent_effort + raf
    progress = np.where(total > 0, spent_effort / np.where(total > 0, total, 1.0), 0.0)
    progress = np.where(finished, 1.0, progress)
    for i, r in enumerate(rows):
        if r[4] is not None and not finished[i]:
            progress[i] = float(r[4]) / 100
    return TaskFigures(
        ids=ids,
        lot=[r[1] for r in rows],
        effort=effort,
        cost=cost,
        rate=rate,
        spent_effort=spent_effort,
        spent_cost=spent_cost,
        raf=raf,
        finished=finished,
        progress=progress,
        shares=dict(shares),
    )


@dataclass
class ProjectCosts:
    status_date: dt.date
    project: Landing
    lots: list[Landing]
    resources: list[Landing]
    default_tjm: float
    unassigned_effort: float


def project_costs(project: Project, plan: Plan | None = None, *, figures: TaskFigures | None = None) -> ProjectCosts:
    """Landing per lot (rolled up the WBS), per resource and for the project.

    ``figures`` (from :func:`task_figures` at the plan's status date) saves their queries when the
    caller already has them (the dashboard shows the landing and the earned value).
    """
    status = status_date_of(plan)
    figures = figures if figures is not None else task_figures(project, status, plan)
    lots = list(
        Lot.objects.filter(project=project)
        .order_by("position", "code")
        .values_list("pk", "parent_id", "code", "name", "budget_effort", "budget_amount")
    )
    by_lot: dict[int, Landing] = {}
    for pk, _parent, code, name, budget_effort, budget_amount in lots:
        by_lot[pk] = Landing(
            key=code, label=f"{code} — {name}", sold_effort=float(budget_effort), sold_cost=float(budget_amount)
        )
    direct: dict[int, Landing] = {pk: Landing(key="", label="") for pk in by_lot}
    for i, lot_id in enumerate(figures.lot):
        line = direct[lot_id]
        line.planned_effort += figures.effort[i]
        line.planned_cost += figures.cost[i]
        line.spent_effort += figures.spent_effort[i]
        line.spent_cost += figures.spent_cost[i]
        line.raf_effort += figures.raf[i]
        line.raf_cost += figures.raf[i] * figures.rate[i]
    parent_of = {pk: parent for pk, parent, *_rest in lots}
    for lot_id, line in direct.items():
        node: int | None = lot_id
        while node is not None:
            target = by_lot[node]
            for name in ("planned_effort", "planned_cost", "spent_effort", "spent_cost", "raf_effort", "raf_cost"):
                setattr(target, name, getattr(target, name) + getattr(line, name))
            node = parent_of.get(node)
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent, *_rest in lots:
        children[parent].append(pk)
    ordered: list[Landing] = []

    def walk(parent: int | None, depth: int) -> None:
        for pk in children.get(parent, []):
            line = by_lot[pk]
            line.depth = depth
            if not line.sold_effort:
                line.sold_effort = line.planned_effort
            if not line.sold_cost:
                line.sold_cost = line.planned_cost
            ordered.append(line)
            walk(pk, depth + 1)

    walk(None, 0)
    resources = {
        pk: Landing(key=str(pk), label=name)
        for pk, name in Resource.objects.filter(project=project).order_by("name").values_list("pk", "name")
    }
    tjm = dict(Resource.objects.filter(project=project).values_list("pk", "tjm"))
    index = {pk: i for i, pk in enumerate(figures.ids)}
    for task_id, parts in figures.shares.items():
        i = index[task_id]
        shared = sum(share for _r, share in parts) or 1.0
        for resource_id, share in parts:
            line = resources[resource_id]
            line.planned_effort += share
            line.planned_cost += share * float(tjm[resource_id])
            line.raf_effort += figures.raf[i] * share / shared
            line.raf_cost += figures.raf[i] * share / shared * float(tjm[resource_id])
    for resource_id, days, money in (
        TimeEntry.objects.filter(project=project, date__lte=status)
        .values("resource_id")
        .annotate(days=Sum("effort"), money=Sum(F("effort") * F("resource__tjm")))
        .values_list("resource_id", "days", "money")
    ):
        resources[resource_id].spent_effort += float(days)
        resources[resource_id].spent_cost += float(money or 0)
    for line in resources.values():
        line.sold_effort, line.sold_cost = line.planned_effort, line.planned_cost
    total = Landing(
        key="project",
        label=project.name,
        sold_effort=float(project.budget_effort) or float(figures.effort.sum()),
        sold_cost=float(project.budget_amount) or float(figures.cost.sum()),
        planned_effort=float(figures.effort.sum()),
        planned_cost=float(figures.cost.sum()),
        spent_effort=float(figures.spent_effort.sum()),
        spent_cost=float(figures.spent_cost.sum()),
        raf_effort=float(figures.raf.sum()),
        raf_cost=float((figures.raf * figures.rate).sum()),
    )
    assigned = sum(share for parts in figures.shares.values() for _r, share in parts)
    return ProjectCosts(
        status_date=status,
        project=total,
        lots=ordered,
        resources=list(resources.values()),
        default_tjm=float(default_tjm(project, plan)),
        unassigned_effort=max(float(figures.effort.sum()) - assigned, 0.0),
    )


# --- Earned value -----------------------------------------------------------------------------------


def _clean(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 4)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def earned_value_report(
    project: Project, plan: Plan | None = None, *, figures: TaskFigures | None = None
) -> dict[str, Any]:
    """Time-phased earned value (weekly) in euros and person-days, and today's indicators.

    Returns a plain dict (the API's and the dashboard's data): ``weeks`` (Monday of each week),
    ``money``/``effort`` each with cumulative ``pv`` (whole baseline), ``ev``, ``ac`` (to the status
    date), the series of SPI/CPI/SPI(t), and ``now`` with every indicator of the engine.
    """
    status = status_date_of(plan)
    baseline_id = plan.baseline_id if plan is not None else None
    if baseline_id is None:
        return {"baseline": None, "status_date": status.isoformat()}
    rows = list(
        BaselineTask.objects.filter(baseline_id=baseline_id).values_list(
            "task_id", "start", "finish", "effort", "cost", "is_milestone"
        )
    )
    figures = figures if figures is not None else task_figures(project, status, plan)
    index = {pk: i for i, pk in enumerate(figures.ids)}
    starts = [r[1] for r in rows if r[1]] + [project.start_date or status]
    origin = _monday(min(starts))
    calendar = project_calendar(project, origin=origin)
    b_start = calendar.to_index([r[1] or origin for r in rows]) if rows else np.zeros(0, np.int64)
    b_end = calendar.to_index([(r[2] or r[1] or origin) + _ONE_DAY for r in rows]) if rows else np.zeros(0, np.int64)
    b_dur = np.maximum(b_end - b_start, 0)
    b_effort = np.array([float(r[3]) for r in rows], np.float64)
    b_cost = np.array([float(r[4]) for r in rows], np.float64)
    finish = max([r[2] for r in rows if r[2]] + [status])
    weeks_total = (_monday(finish) - origin).days // 7 + 1
    elapsed = max(min((_monday(status) - origin).days // 7 + 1, 10_000), 0)
    week_ends = [origin + dt.timedelta(days=7 * k + 6) for k in range(max(weeks_total, elapsed))]
    wd_at_end = calendar.to_index([e + _ONE_DAY for e in week_ends])  # working days up to each Sunday
    out: dict[str, Any] = {
        "baseline": baseline_id,
        "status_date": status.isoformat(),
        "weeks": [(e - dt.timedelta(days=6)).isoformat() for e in week_ends],
        "elapsed_weeks": elapsed,
        "planned_weeks": weeks_total,
    }
    # Time entries per task and week, and RAF estimates, for EV at each past week.
    n = len(figures.ids)
    weekly_effort = np.zeros((n, max(elapsed, 1)))
    weekly_cost_total = np.zeros(max(elapsed, 1))
    weekly_effort_total = np.zeros(max(elapsed, 1))
    for task_id, week, days, money in (
        TimeEntry.objects.filter(project=project, date__lte=status, date__gte=origin)
        .annotate(week=TruncWeek("date"))
        .values("task_id", "week")
        .annotate(days=Sum("effort"), money=Sum(F("effort") * F("resource__tjm")))
        .values_list("task_id", "week", "days", "money")
    ):
        week_day = week.date() if isinstance(week, dt.datetime) else week
        k = (week_day - origin).days // 7
        if 0 <= k < elapsed and task_id in index:
            weekly_effort[index[task_id], k] += float(days)
            weekly_effort_total[k] += float(days)
            weekly_cost_total[k] += float(money or 0)
    spent_before = dict(
        TimeEntry.objects.filter(project=project, date__lt=origin)
        .values("task_id")
        .annotate(d=Sum("effort"))
        .values_list("task_id", "d")
    )
    base = np.array([float(spent_before.get(pk, 0)) for pk in figures.ids])
    consumed = base[:, None] + np.cumsum(weekly_effort, axis=1)
    raf_at = np.full((n, max(elapsed, 1)), np.nan)
    for task_id, day, value in (
        RafEstimate.objects.filter(project=project, date__lte=status)
        .order_by("date", "pk")
        .values_list("task_id", "date", "raf")
    ):
        k = max((day - origin).days // 7, 0)
        if k < elapsed and task_id in index:
            raf_at[index[task_id], k] = float(value)
    # Forward-fill estimates along the weeks.
    filled = np.where(np.isnan(raf_at), 0, 1)
    last = np.maximum.accumulate(np.where(filled, np.arange(raf_at.shape[1])[None, :], -1), axis=1)
    raf_ff = np.where(
        last >= 0, np.take_along_axis(np.nan_to_num(raf_at, nan=0.0), np.maximum(last, 0), axis=1), np.nan
    )
    effort = figures.effort[:, None]
    raf_w = np.where(np.isnan(raf_ff), np.maximum(effort - consumed, 0.0), raf_ff)
    total = consumed + raf_w
    progress_w = np.where(total > 0, consumed / np.where(total > 0, total, 1.0), 0.0)
    finished_rows = [
        (index[pk], day)
        for pk, day in Task.objects.filter(project=project, actual_finish__isnull=False)
        .order_by()
        .values_list("pk", "actual_finish")
        if pk in index
    ]
    if finished_rows:
        ends = np.array(week_ends[: max(elapsed, 1)], dtype="datetime64[D]")
        rows_done = np.array([r for r, _d in finished_rows], np.int64)
        done_on = np.array([d for _r, d in finished_rows], dtype="datetime64[D]")
        progress_w[rows_done, :] = np.where(ends[None, :] >= done_on[:, None], 1.0, progress_w[rows_done, :])
    if elapsed >= 1:
        progress_w[:, elapsed - 1] = figures.progress  # the status date's progress, overrides included
    # Baseline budget of each current task (tasks added after the baseline earn nothing: re-baseline).
    budget_effort = np.zeros(n)
    budget_cost = np.zeros(n)
    for r, (task_id, *_rest) in enumerate(rows):
        if task_id is not None and task_id in index:
            budget_effort[index[task_id]] = b_effort[r]
            budget_cost[index[task_id]] = b_cost[r]
    money_before = TimeEntry.objects.filter(project=project, date__lt=origin).aggregate(
        m=Sum(F("effort") * F("resource__tjm"))
    )["m"]
    ac_before = {"money": float(money_before or 0), "effort": float(base.sum())}
    in_baseline = {r[0] for r in rows}
    out["outside_baseline"] = sum(1 for pk in figures.ids if pk not in in_baseline)
    for unit, budgets, b_values, ac_weekly, etc in (
        ("money", budget_cost, b_cost, weekly_cost_total, float((figures.raf * figures.rate).sum())),
        ("effort", budget_effort, b_effort, weekly_effort_total, float(figures.raf.sum())),
    ):
        curve = planned_value_curve(b_start, b_dur, b_values) if len(rows) else np.zeros(1)
        bac = float(b_values.sum())
        pv_weeks = np.array([curve[min(int(w), len(curve)) - 1] if w > 0 else 0.0 for w in wd_at_end[:weeks_total]])
        pv_weeks = np.maximum.accumulate(np.minimum(pv_weeks, bac)) if len(pv_weeks) else pv_weeks
        ev_weeks = (budgets[:, None] * progress_w).sum(axis=0)[:elapsed] if elapsed else np.zeros(0)
        ac_weeks = np.cumsum(ac_weekly)[:elapsed] + ac_before[unit] if elapsed else np.zeros(0)
        section: dict[str, Any] = {
            "bac": round(bac, 2),
            "pv": [round(float(v), 2) for v in pv_weeks],
            "ev": [round(float(v), 2) for v in ev_weeks],
            "ac": [round(float(v), 2) for v in ac_weeks],
        }
        if elapsed and len(pv_weeks) and bac > 0:
            series = earned_value_series(pv_weeks, ev_weeks, ac_weeks, bac=bac)
            section["spi"] = [_clean(v) for v in series.spi]
            section["cpi"] = [_clean(v) for v in series.cpi]
            section["spi_t"] = [_clean(v) for v in series.spi_t]
            pv_now = float(pv_weeks[min(elapsed, len(pv_weeks)) - 1])
            now = earned_value(
                bac=bac,
                pv=pv_now,
                ev=float(ev_weeks[-1]),
                ac=float(ac_weeks[-1]),
                etc=etc,
                pv_curve=pv_weeks,
                at=float(elapsed),
            )
            section["now"] = {k: _clean(v) if isinstance(v, float) else v for k, v in now.to_dict().items()}
            if now.forecast_duration is not None and math.isfinite(now.forecast_duration):
                weeks = now.forecast_duration
                section["now"]["forecast_finish_es"] = (origin + dt.timedelta(days=round(weeks * 7) - 1)).isoformat()
        out[unit] = section
    return out


# --- Resource load and over-allocation --------------------------------------------------------------


def resource_load(
    project: Project, plan: Plan | None = None, *, first: dt.date | None = None, weeks: int = 26
) -> dict[str, Any]:
    """Weekly load of each resource from the scheduled dates, against its capacity, with over-allocations.

    A resource-week is over-allocated (``over``) when its load exceeds its capacity; a week within its
    capacity with a day whose units exceed the day's capacity is a peak (``peaks``). Each lists the tasks
    of the week; ``state`` gives 0 (fine), 1 (peak) or 2 (over-allocated) per resource and week.
    """
    status = status_date_of(plan)
    start = _monday(first or status)
    last = start + dt.timedelta(days=7 * weeks - 1)
    calendar = project_calendar(project, origin=start)
    horizon = int(calendar.to_index([last + _ONE_DAY])[0])
    days: list[dt.date] = [d.item() for d in calendar.to_date(np.arange(horizon)).astype("datetime64[D]")]
    week_of = np.array([(d - start).days // 7 for d in days], np.int64) if horizon else np.zeros(0, np.int64)
    resources = list(
        Resource.objects.filter(project=project, active=True)
        .order_by("name")
        .prefetch_related("absences")
        .values_list("pk", "name", "capacity", "working_days")
    )
    absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    from oeuvre.planning.models import Absence

    for resource_id, a_start, a_end in Absence.objects.filter(
        resource__project=project, end__gte=start, start__lte=last
    ).values_list("resource_id", "start", "end"):
        absences[resource_id].append((a_start, a_end))
    r_index = {pk: i for i, (pk, *_rest) in enumerate(resources)}
    load = np.zeros((len(resources), horizon))
    capacity = np.zeros((len(resources), horizon))
    project_days = set(project.working_days or [0, 1, 2, 3, 4])
    for i, (pk, _name, cap, working_days) in enumerate(resources):
        allowed = set(working_days) if working_days is not None else project_days
        mask = np.array([d.weekday() in allowed for d in days], bool)
        for a_start, a_end in absences.get(pk, []):
            mask &= ~np.array([a_start <= d <= a_end for d in days], bool)
        capacity[i] = np.where(mask, float(cap), 0.0)
    contributions: dict[tuple[int, int], list[str]] = defaultdict(list)
    assignments = list(
        Assignment.objects.filter(
            task__project=project, resource__active=True, task__early_finish__gte=start, task__early_start__lte=last
        ).values_list(
            "resource_id", "units", "task__code", "task__early_start", "task__early_finish", "task__actual_finish"
        )
    )
    if assignments and horizon:
        s_idx = calendar.to_index([a[3] or start for a in assignments])
        f_idx = calendar.to_index([(a[4] or start) + _ONE_DAY for a in assignments])
        for (resource_id, units, code, _s, _f, done), a, b in zip(assignments, s_idx, f_idx, strict=True):
            if done is not None or resource_id not in r_index:
                continue
            a, b = max(int(a), 0), min(int(b), horizon)
            if b <= a:
                continue
            i = r_index[resource_id]
            load[i, a:b] += float(units)
            for k in set(week_of[a:b].tolist()):
                contributions[(i, k)].append(code)
    over_days = load > capacity + 1e-9
    n_weeks = weeks
    weekly_load = np.zeros((len(resources), n_weeks))
    weekly_capacity = np.zeros((len(resources), n_weeks))
    weekly_over = np.zeros((len(resources), n_weeks), bool)
    if horizon:
        for i in range(len(resources)):
            np.add.at(weekly_load[i], week_of, load[i])
            np.add.at(weekly_capacity[i], week_of, capacity[i])
            np.logical_or.at(weekly_over[i], week_of, over_days[i])
    over: list[dict[str, Any]] = []
    peaks: list[dict[str, Any]] = []
    # A week is over-allocated when its load exceeds its capacity (red); a week within its capacity but
    # with a day above it is a peak (orange): levelling may smooth it, the week itself is not overloaded.
    weekly_above = weekly_load > weekly_capacity + 1e-9
    state = np.where(weekly_above, 2, np.where(weekly_over, 1, 0))
    for i, (_pk, name, _cap, _wd) in enumerate(resources):
        for k in np.flatnonzero(weekly_over[i] | weekly_above[i]):
            peak = float(load[i][week_of == k].max()) if horizon else 0.0
            day_caps = capacity[i][week_of == k]
            (over if weekly_above[i, k] else peaks).append(
                {
                    "resource": name,
                    "week": (start + dt.timedelta(days=7 * int(k))).isoformat(),
                    "week_start": start + dt.timedelta(days=7 * int(k)),
                    "load": round(float(weekly_load[i, k]), 2),
                    "capacity": round(float(weekly_capacity[i, k]), 2),
                    "peak_units": round(peak, 2),
                    "day_capacity": round(float(day_caps.max()) if len(day_caps) else 0.0, 2),
                    "tasks": sorted(set(contributions.get((i, int(k)), []))),
                }
            )
    return {
        "weeks": [(start + dt.timedelta(days=7 * k)).isoformat() for k in range(n_weeks)],
        "resources": [r[1] for r in resources],
        "load": [[round(float(v), 2) for v in row] for row in weekly_load],
        "capacity": [[round(float(v), 2) for v in row] for row in weekly_capacity],
        "over": over,
        "peaks": peaks,
        "state": state.astype(int).tolist(),
    }
