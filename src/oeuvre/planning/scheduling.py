"""From the plan's rows to the engine's plain data and back: calendars, network, schedule.

Nothing here schedules by itself: :mod:`oeuvre.engine` does (CPM, levelling, Monte Carlo). This module
only decides what the engine is asked:

- The calendar is the project's (working weekdays, French public holidays with the Alsace-Moselle
  option, closures).
- Progress is honoured the way MS Project's "reschedule uncompleted work after the status date" does:
  a finished task sits on its actual dates; a started task starts on its actual start and lasts the
  working days elapsed up to the status date plus its remaining duration (from the latest RAF and the
  assigned units); a task not started cannot start before the day after the status date.
- Progress overrides logic: the predecessors of a started task no longer move it.
- Milestones are points at the end of a day, as in MS Project: a milestone after a task finishing on
  Friday is on Friday.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.core.errors import DomainError
from oeuvre.engine import CompiledNetwork, CycleError, InputError, WorkCalendar, schedule
from oeuvre.engine.calendar import french_holidays
from oeuvre.planning.models import Assignment, Dependency, Plan, RafEstimate, Task, TaskKind
from oeuvre.projects.models import HolidayZone, Project

__all__ = [
    "PlanNetwork",
    "ScheduleOutcome",
    "WhatIf",
    "compute_schedule",
    "load_network",
    "project_calendar",
    "status_date_of",
    "what_if",
]

IntArray = npt.NDArray[np.int64]
_LINK_KIND = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
_NO_BOUND = 2**50
_ONE_DAY = dt.timedelta(days=1)


def status_date_of(plan: Plan | None) -> dt.date:
    """The date progress is measured at: the plan's status date, or today."""
    if plan is not None and plan.status_date is not None:
        return plan.status_date
    return timezone.localdate()


def project_calendar(
    project: Project, *, origin: dt.date | None = None, closures: Sequence[tuple[dt.date, dt.date]] | None = None
) -> WorkCalendar:
    """The project's working calendar, anchored at ``origin`` (default: the project start)."""
    start = origin or project.start_date or timezone.localdate()
    if closures is None:
        closures = [(c.start, c.end) for c in project.closures.all()]
    workdays = tuple(sorted({int(d) for d in (project.working_days or [0, 1, 2, 3, 4])}))
    years = range(start.year - 1, start.year + 12)
    if project.holiday_zone == HolidayZone.NONE:
        days: set[dt.date] = set()
        for first, last in closures:
            days.update(first + dt.timedelta(days=k) for k in range((last - first).days + 1))
        return WorkCalendar(origin=start, workdays=workdays, holidays=tuple(sorted(days)))
    department = "57" if project.holiday_zone == HolidayZone.ALSACE_MOSELLE else None
    return WorkCalendar.france(start, years=years, department=department, closures=closures, workdays=workdays)


def public_holidays(project: Project, years: Sequence[int]) -> set[dt.date]:
    if project.holiday_zone == HolidayZone.NONE:
        return set()
    department = "57" if project.holiday_zone == HolidayZone.ALSACE_MOSELLE else None
    return set(french_holidays(years, department))


@dataclass
class PlanNetwork:
    """The plan as engine input, with what is needed to map results back to rows."""

    calendar: WorkCalendar
    status_date: dt.date
    status_index: int
    task_ids: IntArray
    codes: list[str]
    names: list[str]
    lot_ids: IntArray
    milestone: npt.NDArray[np.bool_]
    started: npt.NDArray[np.bool_]
    finished: npt.NDArray[np.bool_]
    duration: IntArray  # the duration the engine uses (actuals and remaining work included)
    planned_duration: IntArray  # the duration the planner entered
    remaining_duration: IntArray
    effort: npt.NDArray[np.float64]
    units: npt.NDArray[np.float64]
    optimistic: npt.NDArray[np.float64]
    pessimistic: npt.NDArray[np.float64]
    network: CompiledNetwork
    link_ids: IntArray
    # Constraint checks, in index terms (end-of-day for FNLT): (row, type, date, bound index)
    constraints: list[tuple[int, str, dt.date, int]] = field(default_factory=list)
    current: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.task_ids)

    def index_of(self, task_id: int) -> int:
        lookup: dict[int, int] = self.__dict__.setdefault("_lookup", {int(t): i for i, t in enumerate(self.task_ids)})
        return lookup[task_id]


def _indices(calendar: WorkCalendar, dates: Sequence[dt.date | None]) -> IntArray:
    """Working-day index of each date (-1 where there is none)."""
    out = np.full(len(dates), -1, np.int64)
    present = [i for i, d in enumerate(dates) if d is not None]
    if present:
        out[present] = calendar.to_index([dates[i] for i in present])  # type: ignore[misc]
    return out


def load_network(
    project: Project,
    *,
    plan: Plan | None = None,
    status_date: dt.date | None = None,
    with_current: bool = False,
    extra_links: Sequence[tuple[int, int, str, int, bool]] = (),
    overrides: dict[int, dict[str, Any]] | None = None,
) -> PlanNetwork:
    """Read the plan (a handful of queries, whatever its size) and build the engine's network.

    ``extra_links`` and ``overrides`` let a service try a change before saving it (a new link, a moved
    task) so that a cycle or a broken constraint is refused with the engine's reason.
    """
    status = status_date or status_date_of(plan)
    latest_raf = RafEstimate.objects.filter(task=OuterRef("pk")).order_by("-date", "-pk").values("raf")[:1]
    fields = [
        "pk",
        "code",
        "name",
        "lot_id",
        "kind",
        "duration",
        "effort",
        "optimistic_duration",
        "pessimistic_duration",
        "constraint_type",
        "constraint_date",
        "levelling_start",
        "actual_start",
        "actual_finish",
    ]
    current_fields = ["early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float"]
    rows = list(
        Task.objects.filter(project=project)
        .order_by("lot__position", "lot__code", "position", "code", "pk")
        .annotate(latest_raf=Subquery(latest_raf))
        .values_list(*fields, "latest_raf", *([*current_fields, "is_critical"] if with_current else []))
    )
    if overrides:
        names = [*fields, "latest_raf"]
        patched = []
        for row in rows:
            change = overrides.get(row[0])
            if change:
                values = list(row)
                for key, value in change.items():
                    values[names.index(key)] = value
                row = tuple(values)
            patched.append(row)
        rows = patched
    n = len(rows)
    units = dict(
        Assignment.objects.filter(task__project=project)
        .values("task_id")
        .annotate(total=Sum("units"))
        .values_list("task_id", "total")
    )
    links = list(
        Dependency.objects.filter(project=project).values_list(
            "pk", "predecessor_id", "successor_id", "type", "lag", "lag_calendar_days"
        )
    )
    links.extend((0, *extra) for extra in extra_links)
    origin_candidates = [project.start_date or status]
    for row in rows:
        origin_candidates.extend(d for d in (row[10], row[12], row[13]) if d is not None)
    origin = min(origin_candidates)
    calendar = project_calendar(project, origin=origin)
    status_index = int(calendar.to_index([status + _ONE_DAY])[0])

    ids = np.array([r[0] for r in rows], np.int64)
    milestone = np.array([r[4] == TaskKind.MILESTONE for r in rows], bool)
    planned = np.array([0 if r[4] == TaskKind.MILESTONE else int(r[5]) for r in rows], np.int64)
    effort = np.array([float(r[6]) for r in rows], np.float64)
    actual_start_dates = [r[12] for r in rows]
    actual_finish_dates = [r[13] for r in rows]
    finished = np.array([d is not None for d in actual_finish_dates], bool)
    started = np.array([d is not None for d in actual_start_dates], bool) & ~finished & ~milestone
    a_start = _indices(calendar, actual_start_dates)
    a_finish_next = _indices(calendar, [d + _ONE_DAY if d else None for d in actual_finish_dates])
    raf = np.array([np.nan if r[14] is None else float(r[14]) for r in rows], np.float64)
    unit_sum = np.array([float(units.get(r[0], 0) or 0) for r in rows], np.float64)

    # Work not started begins after the status date, and never before the project starts (a plan imported
    # or built before its start date keeps it).
    first_index = status_index
    if project.start_date is not None:
        first_index = max(first_index, int(calendar.to_index([project.start_date])[0]))
    release = np.full(n, first_index, np.int64)
    latest_finish = np.full(n, _NO_BOUND, np.int64)
    duration = planned.copy()
    remaining = planned.copy()
    constraints: list[tuple[int, str, dt.date, int]] = []
    c_dates = [r[10] for r in rows]
    c_index = _indices(calendar, c_dates)
    c_index_eod = _indices(calendar, [d + _ONE_DAY if d else None for d in c_dates])
    lev_index = _indices(calendar, [r[11] for r in rows])
    for i, row in enumerate(rows):
        if finished[i]:
            start_i = a_start[i] if a_start[i] >= 0 else a_finish_next[i]
            if milestone[i]:
                release[i] = a_finish_next[i]
                duration[i] = 0
            else:
                release[i] = start_i
                duration[i] = max(int(a_finish_next[i] - start_i), 1)
            remaining[i] = 0
            continue
        if started[i]:
            elapsed = max(status_index - int(a_start[i]), 0)
            if not np.isnan(raf[i]):
                rate = (
                    unit_sum[i]
                    if unit_sum[i] > 0
                    else (effort[i] / planned[i] if effort[i] > 0 and planned[i] else 1.0)
                )
                left = math.ceil(raf[i] / rate - 1e-9) if raf[i] > 0 else 0
            else:
                left = max(int(planned[i]) - elapsed, 1)
            release[i] = a_start[i]
            duration[i] = max(elapsed + left, 1)
            remaining[i] = left
            continue
        ctype = row[9]
        if row[11] is not None:
            release[i] = max(release[i], lev_index[i])
        if ctype in {"SNET", "MSO"} and c_dates[i] is not None:
            bound = c_index_eod[i] if milestone[i] else c_index[i]
            release[i] = max(release[i], bound)
            constraints.append((i, ctype, c_dates[i], int(bound)))
            if ctype == "MSO":
                latest_finish[i] = min(latest_finish[i], bound + duration[i])
        elif ctype == "FNLT" and c_dates[i] is not None:
            latest_finish[i] = min(latest_finish[i], c_index_eod[i])
            constraints.append((i, ctype, c_dates[i], int(c_index_eod[i])))
    position = {int(t): i for i, t in enumerate(ids)}
    frozen = started | finished
    kept = [link for link in links if link[1] in position and link[2] in position and not frozen[position[link[2]]]]
    pred = np.array([position[link[1]] for link in kept], np.int64)
    succ = np.array([position[link[2]] for link in kept], np.int64)
    kind = np.array([_LINK_KIND[link[3]] for link in kept], np.int8)
    lag = np.array([int(link[4]) for link in kept], np.int64)
    calendar_lag = np.array([bool(link[5]) for link in kept], bool)
    codes = [r[1] for r in rows]
    try:
        network = CompiledNetwork.from_arrays(
            duration,
            pred,
            succ,
            kind,
            lag,
            ids=[str(t) for t in ids],
            calendar_lag=calendar_lag,
            release=release,
            latest_finish=latest_finish,
            calendar=calendar,
        )
    except CycleError as exc:
        named = [codes[position[int(t)]] if int(t) in position else t for t in exc.cycle]
        raise DomainError(
            _("These tasks depend on each other in a loop: %(cycle)s. Remove one of the links.")
            % {"cycle": " → ".join([*named, named[0]])}
        ) from None
    except InputError as exc:
        raise DomainError(_("The plan cannot be scheduled: %(reason)s") % {"reason": exc}) from None
    opt = np.array([np.nan if r[7] is None else float(r[7]) for r in rows], np.float64)
    pes = np.array([np.nan if r[8] is None else float(r[8]) for r in rows], np.float64)
    result = PlanNetwork(
        calendar=calendar,
        status_date=status,
        status_index=status_index,
        task_ids=ids,
        codes=codes,
        names=[r[2] for r in rows],
        lot_ids=np.array([r[3] for r in rows], np.int64),
        milestone=milestone,
        started=started,
        finished=finished,
        duration=duration,
        planned_duration=planned,
        remaining_duration=remaining,
        effort=effort,
        units=unit_sum,
        optimistic=opt,
        pessimistic=pes,
        network=network,
        link_ids=np.array([link[0] for link in kept], np.int64),
        constraints=constraints,
    )
    if with_current:
        base = len(fields) + 1
        for k, name in enumerate([*current_fields, "is_critical"]):
            result.current[name] = [r[base + k] for r in rows]
    return result


@dataclass
class ScheduleOutcome:
    """The engine's schedule mapped back to dates, per task row of :class:`PlanNetwork`."""

    plan: PlanNetwork
    es: IntArray
    ef: IntArray
    ls: IntArray
    lf: IntArray
    total_float: IntArray
    free_float: IntArray
    critical: npt.NDArray[np.bool_]
    finish_index: int
    early_start: list[dt.date]
    early_finish: list[dt.date]
    late_start: list[dt.date]
    late_finish: list[dt.date]
    finish: dt.date | None
    critical_path: list[int]
    warnings: list[dict[str, Any]]
    driving: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))


def _dates(values: npt.NDArray[np.datetime64]) -> list[dt.date]:
    return [d.item() for d in values.astype("datetime64[D]")]


def compute_schedule(plan_network: PlanNetwork) -> ScheduleOutcome:
    """Run the engine's CPM and convert its indices to dates (milestones at the end of their day)."""
    net = plan_network
    cal = net.calendar
    result = schedule(net.network)
    es, ef, ls, lf = result.es, result.ef, result.ls, result.lf
    ms = net.milestone
    start_idx = np.where(ms, np.maximum(es - 1, 0), es)
    early_start = _dates(np.where(ms, cal.finish_date(ef), cal.to_date(start_idx)))
    early_finish = _dates(cal.finish_date(np.maximum(ef, es + 1 - ms.astype(np.int64))))
    early_finish = [s if m else f for s, f, m in zip(early_start, early_finish, ms.tolist(), strict=True)]
    late_start = _dates(np.where(ms, cal.finish_date(lf), cal.to_date(ls)))
    late_finish = _dates(cal.finish_date(np.maximum(lf, ls + 1 - ms.astype(np.int64))))
    late_finish = [s if m else f for s, f, m in zip(late_start, late_finish, ms.tolist(), strict=True)]
    critical = (result.total_float <= 0) & ~net.finished
    finish = max(early_finish) if net.n else None
    path = [int(t) for t in result.critical_path()] if net.n else []
    warnings: list[dict[str, Any]] = []
    for i, ctype, day, bound in net.constraints:
        if ctype == "MSO" and es[i] != bound:
            warnings.append(
                {"kind": "mso", "task": net.codes[i], "name": net.names[i], "date": day, "possible": early_start[i]}
            )
        elif ctype == "FNLT" and ef[i] > bound:
            warnings.append(
                {"kind": "fnlt", "task": net.codes[i], "name": net.names[i], "date": day, "possible": early_finish[i]}
            )
    return ScheduleOutcome(
        plan=net,
        es=es,
        ef=ef,
        ls=ls,
        lf=lf,
        total_float=result.total_float,
        free_float=result.free_float,
        critical=critical,
        finish_index=result.finish,
        early_start=early_start,
        early_finish=early_finish,
        late_start=late_start,
        late_finish=late_finish,
        finish=finish,
        critical_path=path,
        warnings=warnings,
        driving=result.driving,
    )


def warning_text(warning: dict[str, Any]) -> str:
    """A schedule warning in the user's language (warnings are stored as data, not text)."""
    day = warning["date"]
    possible = warning["possible"]
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if isinstance(possible, str):
        possible = dt.date.fromisoformat(possible)
    values = {
        "task": warning["task"],
        "name": warning.get("name", ""),
        "date": day.strftime("%d/%m/%Y"),
        "possible": possible.strftime("%d/%m/%Y"),
    }
    if warning["kind"] == "mso":
        return _("%(task)s « %(name)s » must start on %(date)s but cannot start before %(possible)s.") % values
    return _("%(task)s « %(name)s » must finish by %(date)s but cannot finish before %(possible)s.") % values


def save_schedule(project: Project, outcome: ScheduleOutcome, revision: int) -> int:
    """Write the computed dates of the rows that changed; return how many changed."""
    net = outcome.plan
    if not net.current:
        raise ValueError("load_network(with_current=True) is needed to save a schedule")
    new: dict[str, list[Any]] = {
        "early_start": outcome.early_start,
        "early_finish": outcome.early_finish,
        "late_start": outcome.late_start,
        "late_finish": outcome.late_finish,
        "total_float": [int(v) for v in outcome.total_float],
        "free_float": [int(v) for v in outcome.free_float],
        "is_critical": [bool(v) for v in outcome.critical],
    }
    changed = [i for i in range(net.n) if any(net.current[name][i] != new[name][i] for name in new)]
    if changed:
        _write_schedule(
            [int(net.task_ids[i]) for i in changed], {name: [v[i] for i in changed] for name, v in new.items()}
        )
    Plan.objects.filter(project=project).update(
        finish=outcome.finish,
        scheduled_at=timezone.now(),
        scheduled_revision=revision,
        schedule_warnings=[
            {**w, "date": w["date"].isoformat(), "possible": w["possible"].isoformat()} for w in outcome.warnings
        ],
        critical_path=outcome.critical_path,
    )
    return len(changed)


# Column types of the computed schedule, for PostgreSQL's typed arrays.
_SCHEDULE_TYPES = {
    "early_start": "date",
    "early_finish": "date",
    "late_start": "date",
    "late_finish": "date",
    "total_float": "integer",
    "free_float": "integer",
    "is_critical": "boolean",
}


def _write_schedule(pks: list[int], values: dict[str, list[Any]]) -> None:
    """Store the computed dates of many tasks (they are derived data: no history row, no version bump).

    ``bulk_update`` builds one ``CASE WHEN`` expression per row and field: for a 5,000-task plan that is
    35,000 expressions and several seconds of Python before the database sees anything (measured by
    ``bench/planning_schedule.py``). PostgreSQL takes the whole schedule as typed arrays in a single
    ``UPDATE … FROM unnest(…)``; other databases keep ``bulk_update``. Table and column names come from
    the model's metadata, every value is a bound parameter.
    """
    if connection.vendor != "postgresql":
        rows = [Task(pk=pk, **{name: column[k] for name, column in values.items()}) for k, pk in enumerate(pks)]
        Task.objects.bulk_update(rows, list(values), batch_size=500)
        return
    quote = connection.ops.quote_name
    meta = Task._meta
    columns = {name: str(meta.get_field(name).column) for name in values}  # type: ignore[union-attr]
    assignments = ", ".join(f"{quote(column)} = v.{quote(column)}" for column in columns.values())
    arrays = ", ".join(["%s::bigint[]"] + [f"%s::{_SCHEDULE_TYPES[name]}[]" for name in values])
    names = ", ".join(["pk"] + [quote(column) for column in columns.values()])
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names from model metadata
        f"FROM unnest({arrays}) AS v({names}) WHERE t.{quote(str(meta.pk.column))} = v.pk"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pks, *values.values()])


def task_count(project: Project) -> int:
    return Task.objects.filter(project=project).count()


@dataclass(frozen=True)
class WhatIf:
    """The plan's finish before and after a trial change, and the delay in working days (never negative)."""

    finish_before: dt.date | None
    finish_after: dt.date | None
    delay_days: int
    critical_tasks: list[str]  # the lengthened tasks that are critical with the change


def what_if(project: Project, extra_days: dict[int, int]) -> WhatIf:
    """Reschedule a copy of the plan, in memory, with some tasks lengthened: nothing is written.

    The network is read once as the engine's input (that is the copy), scheduled as it is and with the
    durations of ``extra_days`` added, and the two finishes compared; the tasks and the plan rows are untouched.
    """
    plan = Plan.objects.filter(project=project).first()
    if plan is None or not extra_days:
        base = compute_schedule(load_network(project, plan=plan)) if plan is not None else None
        finish = base.finish if base is not None else None
        return WhatIf(finish, finish, 0, [])
    durations = dict(Task.objects.filter(project=project, pk__in=list(extra_days)).values_list("pk", "duration"))
    overrides = {pk: {"duration": int(durations[pk]) + int(days)} for pk, days in extra_days.items() if pk in durations}
    before = compute_schedule(load_network(project, plan=plan))
    after = compute_schedule(load_network(project, plan=plan, overrides=overrides))
    delay = max(int(after.finish_index) - int(before.finish_index), 0)
    # The changed tasks that drive the finish once lengthened (the ones to watch).
    critical = [
        after.plan.codes[after.plan.index_of(pk)] for pk in overrides if bool(after.critical[after.plan.index_of(pk)])
    ]
    return WhatIf(before.finish, after.finish, delay, critical)
