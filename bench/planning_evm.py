"""The cost and earned-value dashboard: the app's page vs a naive per-week query loop, same data.

Usage: DATABASE_URL=postgres://… python bench/planning_evm.py [--project demo-01] [--also guichet-usagers]

Target (issue 5): the EVM dashboard answers in < 300 ms on PostgreSQL with the large demo data.

The app side is a real HTTP request through Django's test client to ``/p/<code>/planning/costs/``
(permission check, landing per lot and per resource, the weekly PV/EV/AC curves and the indicators,
the HTML page with its chart data), "cold" being the first request of the process and "warm" the
median of the next ones. The report itself (``costing.earned_value_report``) is timed alone too.
The naive side computes the weekly curves the textbook way: for every week, one aggregate query for
AC, one grouped query for the effort spent per task, one for the latest remaining estimates, and a
Python pass over the baseline rows for PV and EV. The script checks that both give the same BAC and
the same AC curve, and that PV agrees within rounding.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from _planning import QueryCounter, load, median, ms, parser, project_and_admin, setup, timed, verdict


def naive_evm(project: Any) -> dict[str, list[float]]:
    """Weekly PV, EV and AC in euros: one round of queries per week (what a per-period report does)."""
    from django.db.models import F, Sum

    from oeuvre.planning.models import BaselineTask, Plan, RafEstimate, Task, TimeEntry
    from oeuvre.planning.scheduling import project_calendar, status_date_of

    plan = Plan.objects.get(project=project)
    status = status_date_of(plan)
    rows = list(BaselineTask.objects.filter(baseline_id=plan.baseline_id))
    starts = [r.start for r in rows if r.start] + [project.start_date or status]
    origin = min(starts) - dt.timedelta(days=min(starts).weekday())
    cal = project_calendar(project, origin=origin)
    bounds = {
        r.pk: (int(cal.to_index([r.start or origin])[0]), int(cal.to_index([(r.finish or r.start or origin)])[0]) + 1)
        for r in rows
    }
    tasks = {t.pk: t for t in Task.objects.filter(project=project)}
    pv: list[float] = []
    ev: list[float] = []
    ac: list[float] = []
    week_end = origin + dt.timedelta(days=6)
    finish = max([r.finish for r in rows if r.finish] + [status])
    while week_end - dt.timedelta(days=6) <= finish:
        day = int(cal.to_index([week_end + dt.timedelta(days=1)])[0])
        value = 0.0
        for r in rows:
            a, b = bounds[r.pk]
            share = 1.0 if b <= a else min(max((day - a) / (b - a), 0.0), 1.0)
            value += float(r.cost) * share
        pv.append(value)
        if week_end - dt.timedelta(days=6) <= status:
            cutoff = min(week_end, status)
            money = TimeEntry.objects.filter(project=project, date__lte=cutoff).aggregate(
                m=Sum(F("effort") * F("resource__tjm"))
            )["m"]
            ac.append(float(money or 0))
            spent = dict(
                TimeEntry.objects.filter(project=project, date__lte=cutoff)
                .values("task_id")
                .annotate(d=Sum("effort"))
                .values_list("task_id", "d")
            )
            latest: dict[int, float] = {}
            for estimate in RafEstimate.objects.filter(project=project, date__lte=cutoff).order_by("date", "pk"):
                latest[estimate.task_id] = float(estimate.raf)
            earned = 0.0
            for r in rows:
                task = tasks.get(r.task_id) if r.task_id else None
                if task is None:
                    continue
                done = float(spent.get(task.pk, 0))
                if task.actual_finish and task.actual_finish <= cutoff:
                    progress = 1.0
                else:
                    remaining = latest.get(task.pk, max(float(task.effort) - done, 0.0))
                    progress = done / (done + remaining) if done + remaining > 0 else 0.0
                earned += float(r.cost) * progress
            ev.append(earned)
        week_end += dt.timedelta(days=7)
    return {"pv": pv, "ev": ev, "ac": ac, "bac": [sum(float(r.cost) for r in rows)]}


def run(project_code: str, repeat: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from oeuvre.planning import costing
    from oeuvre.planning.models import Plan, Task, TimeEntry

    project, admin = project_and_admin(project_code)
    plan = Plan.objects.get(project=project)
    n = Task.objects.filter(project=project).count()
    entries = TimeEntry.objects.filter(project=project).count()
    url = reverse("planning:costs", args=[project.code])
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)

    def get() -> tuple[float, int]:
        counter = QueryCounter()
        with counter.active():
            t, response = timed(client.get, url)
        assert response.status_code == 200, response.status_code
        return t, counter.count

    cold, queries = get()
    runs = [get()[0] for _ in range(repeat)]
    warm, best = median(runs), min(runs)
    report_t = median([timed(costing.earned_value_report, project, plan)[0] for _ in range(repeat)])
    report = costing.earned_value_report(project, plan)
    counter = QueryCounter()
    with counter.active():
        t_naive, naive = timed(naive_evm, project)
    money = report["money"]
    assert abs(naive["bac"][0] - money["bac"]) < 0.5, (naive["bac"], money["bac"])
    assert len(naive["ac"]) == len(money["ac"]), (len(naive["ac"]), len(money["ac"]))
    assert max((abs(a - b) for a, b in zip(naive["ac"], money["ac"], strict=True)), default=0) < 0.5
    pv_gap = max((abs(a - b) for a, b in zip(naive["pv"], money["pv"], strict=False)), default=0)
    now = money.get("now", {})
    print(
        f"project {project.code}: {n} tasks, {entries} time entries, {report['elapsed_weeks']} weeks elapsed of "
        f"{report['planned_weeks']} planned; SPI {now.get('spi')} CPI {now.get('cpi')}; {load()}"
    )
    print(
        f"  dashboard page  {queries} queries  cold {ms(cold):>7}  warm {ms(warm):>7} (best {ms(best)})  "
        f"{verdict(warm, 0.3)}"
        f" (cold: {'met' if cold < 0.3 else 'not met'})\n"
        f"  earned_value_report alone  {ms(report_t)}\n"
        f"  naive per-week queries  {counter.count} queries  {ms(t_naive)} (one run)  ratio naive/report "
        f"x{t_naive / report_t:.1f}, naive/page x{t_naive / warm:.1f}; same BAC and AC, PV within {pv_gap:.2f} €"
    )


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--also", nargs="*", default=["guichet-usagers"], help="more projects to measure")
    args = ap.parse_args()
    setup(args)
    for code in [args.project, *args.also]:
        run(code, args.repeat)


if __name__ == "__main__":
    main()
