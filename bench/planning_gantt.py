"""The Gantt data endpoint on a 5,000-task plan: the app's endpoint vs a naive per-task ORM serializer.

Usage: DATABASE_URL=postgres://… python bench/planning_gantt.py [--project demo-01] [--repeat 7]

Target (issue 5): the Gantt data endpoint answers in < 300 ms on PostgreSQL with the large demo data.

The app side is a real HTTP request through Django's test client (URL routing, session, permission
check, middleware, JSON encoding; no network) to ``/p/<code>/planning/gantt/data/``, for the whole
plan and for the first lot (the Gantt page of a plan over 600 tasks opens on its first lot). "Cold"
is the first request of the process (imports, caches empty), "warm" the median of the next ones.
The naive side builds the same bars the way a plain ORM serializer does: one query for the tasks,
then per task its lot, predecessors, baseline row, time spent and latest RAF (N+1 queries), without
the HTTP layer (so the ratio favours the naive side).
"""

from __future__ import annotations

import json
from typing import Any

from _planning import QueryCounter, load, median, ms, parser, project_and_admin, setup, timed, verdict


def naive_gantt(project: Any) -> dict[str, Any]:
    from django.db.models import Sum

    from oeuvre.planning.models import BaselineTask, Plan, Task

    plan = Plan.objects.get(project=project)
    items = []
    for task in Task.objects.filter(project=project).order_by("lot__position", "position", "pk"):
        lot = task.lot
        preds = [str(link.predecessor_id) for link in task.predecessor_links.all()]
        base = BaselineTask.objects.filter(baseline_id=plan.baseline_id, task=task).first()
        spent = task.time_entries.aggregate(d=Sum("effort"))["d"] or 0
        latest = task.raf_estimates.order_by("-date", "-pk").first()
        raf = float(latest.raf) if latest else max(float(task.effort) - float(spent), 0.0)
        total = float(spent) + raf
        items.append(
            {
                "id": str(task.pk),
                "name": f"{task.code} {task.name}",
                "lot": lot.code,
                "start": task.early_start.isoformat() if task.early_start else None,
                "end": task.early_finish.isoformat() if task.early_finish else None,
                "progress": round(100 * float(spent) / total) if total else 0,
                "dependencies": ", ".join(preds),
                "critical": task.is_critical,
                "baseline_start": base.start.isoformat() if base and base.start else None,
                "baseline_end": base.finish.isoformat() if base and base.finish else None,
            }
        )
    return {"tasks": items}


def main() -> None:
    args = parser(__doc__).parse_args()
    setup(args)
    from django.test import Client
    from django.urls import reverse

    from oeuvre.planning.models import Lot, Task

    project, admin = project_and_admin(args.project)
    n = Task.objects.filter(project=project).count()
    first_lot = Lot.objects.filter(project=project).order_by("position", "code").first()
    assert first_lot is not None
    url = reverse("planning:gantt_data", args=[project.code])
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    print(f"project {project.code}: {n} tasks, first lot {first_lot.code}, {load()}")

    def get(query: str) -> tuple[float, int, int]:
        counter = QueryCounter()
        with counter.active():
            t, response = timed(client.get, url + query)
        assert response.status_code == 200, response.status_code
        return t, len(json.loads(response.content)["tasks"]), counter.count

    rows = []
    for label, query in (("whole plan", ""), (f"lot {first_lot.code}", f"?lot={first_lot.pk}")):
        cold, bars, queries = get(query)
        runs = [get(query)[0] for _ in range(args.repeat)]
        rows.append((label, cold, median(runs), min(runs), bars, queries))

    counter = QueryCounter()
    with counter.active():
        t_naive, naive = timed(naive_gantt, project)
    naive_bars = len(naive["tasks"])

    print(f"(warm = median of {args.repeat} requests, best = fastest of them; {load()})")
    for label, cold, warm, best, bars, queries in rows:
        print(
            f"{label:>12}: {bars:>5} bars, {queries:>2} queries  cold {ms(cold):>7}  warm {ms(warm):>7} "
            f"(best {ms(best)})  "
            f"{verdict(warm, 0.3)} (cold: {'met' if cold < 0.3 else 'not met'})"
        )
    whole_warm = rows[0][2]
    print(
        f"naive per-task ORM: {naive_bars} bars, {counter.count} queries, {ms(t_naive)} (one run)  "
        f"ratio naive/app (whole plan, warm) x{t_naive / whole_warm:.1f}"
    )


if __name__ == "__main__":
    main()
