"""Rescheduling a 5,000-task plan: the planning app's path vs a naive ORM save, same engine, same data.

Usage: DATABASE_URL=postgres://… python bench/planning_schedule.py [--project demo-01] [--repeat 7]

Target (issue 5): a 5,000-task plan reschedules in < 1 s on PostgreSQL with the large demo data.

Two situations, each run inside a transaction that is rolled back (every run starts from the same data):
- "no change": the reschedule after an edit that moves nothing (load, compute, compare, no write);
- "slip": every task due to start within two weeks of the status date gets 20 more working days, so
  most of the remaining plan moves; the reschedule loads the plan, runs the engine and writes every
  task whose dates changed.
The app path is ``services.reschedule`` (what the ``planning.schedule`` job and every synchronous edit
run): one query per table to load, the engine's vectorised CPM, one ``bulk_update`` of the rows that
changed. The naive path loads model instances, runs the same engine, then writes each changed task with
its own UPDATE (no history, no signals: the cheapest per-row save), as a straightforward ORM loop would.
A third line writes the same rows with Django's ``bulk_update`` (the app's earlier code, kept on SQLite).
"""

from __future__ import annotations

from typing import Any

from _planning import load, median, ms, parser, project_and_admin, rolled_back, setup, timed, verdict

FIELDS = ("early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float", "is_critical")


def naive_reschedule(project: Any, plan: Any) -> int:
    """Same engine computation, persistence by model instances and one UPDATE per changed task."""
    from oeuvre.planning.models import Dependency, Task
    from oeuvre.planning.scheduling import compute_schedule, load_network

    tasks = {t.pk: t for t in Task.objects.filter(project=project)}  # full model instances
    list(Dependency.objects.filter(project=project))
    outcome = compute_schedule(load_network(project, plan=plan, with_current=False))
    new = {
        "early_start": outcome.early_start,
        "early_finish": outcome.early_finish,
        "late_start": outcome.late_start,
        "late_finish": outcome.late_finish,
        "total_float": [int(v) for v in outcome.total_float],
        "free_float": [int(v) for v in outcome.free_float],
        "is_critical": [bool(v) for v in outcome.critical],
    }
    changed = 0
    for i, pk in enumerate(outcome.plan.task_ids):
        task = tasks[int(pk)]
        values = {name: new[name][i] for name in FIELDS}
        if any(getattr(task, name) != value for name, value in values.items()):
            Task.objects.filter(pk=task.pk).update(**values)
            changed += 1
    return changed


def bulk_update_reschedule(project: Any, plan: Any) -> int:
    """Same engine computation and comparison, written with Django's ``bulk_update`` (CASE WHEN per row)."""
    from oeuvre.planning.models import Task
    from oeuvre.planning.scheduling import compute_schedule, load_network

    outcome = compute_schedule(load_network(project, plan=plan, with_current=True))
    net = outcome.plan
    new = {
        "early_start": outcome.early_start,
        "early_finish": outcome.early_finish,
        "late_start": outcome.late_start,
        "late_finish": outcome.late_finish,
        "total_float": [int(v) for v in outcome.total_float],
        "free_float": [int(v) for v in outcome.free_float],
        "is_critical": [bool(v) for v in outcome.critical],
    }
    rows = [
        Task(pk=int(net.task_ids[i]), **{name: values[i] for name, values in new.items()})
        for i in range(net.n)
        if any(net.current[name][i] != new[name][i] for name in new)
    ]
    Task.objects.bulk_update(rows, list(FIELDS), batch_size=1000)
    return len(rows)


def slip(project: Any) -> str:
    """The work due to start in the next two weeks takes 20 more working days: what follows moves."""
    import datetime as dt

    from django.db.models import F

    from oeuvre.planning.models import Plan, Task, TaskKind

    status = Plan.objects.values_list("status_date", flat=True).get(project=project)
    due = Task.objects.filter(
        project=project,
        kind=TaskKind.TASK,
        actual_start__isnull=True,
        early_start__lte=status + dt.timedelta(days=14),
    )
    count = due.update(duration=F("duration") + 20)
    assert count, "no task left to slip"
    return f"{count} tasks due to start within two weeks +20 working days"


def main() -> None:
    args = parser(__doc__).parse_args()
    setup(args)
    from oeuvre.planning.models import Plan, Task
    from oeuvre.planning.scheduling import compute_schedule, load_network, save_schedule
    from oeuvre.planning.services import plan_reschedule, reschedule

    project, admin = project_and_admin(args.project)
    n = Task.objects.filter(project=project).count()
    plan = Plan.objects.get(project=project)
    print(f"project {project.code}: {n} tasks, {load()}")
    with rolled_back():
        reschedule(project, plan)  # start from a saved schedule

    results: dict[str, dict[str, list[float]]] = {}
    moved: dict[str, int] = {}
    slipped = ""
    for situation in ("no change", "slip"):
        app: list[float] = []
        naive: list[float] = []
        parts: dict[str, list[float]] = {"load": [], "engine": [], "save": []}
        for _ in range(args.repeat):
            with rolled_back():
                if situation == "slip":
                    slipped = slip(project)
                t, outcome = timed(reschedule, project, plan)
                app.append(t)
            with rolled_back():
                if situation == "slip":
                    slip(project)
                t_load, net = timed(load_network, project, plan=plan, with_current=True)
                t_engine, outcome = timed(compute_schedule, net)
                t_save, count = timed(save_schedule, project, outcome, plan.revision)
                parts["load"].append(t_load)
                parts["engine"].append(t_engine)
                parts["save"].append(t_save)
                moved[situation] = count
            with rolled_back():
                if situation == "slip":
                    slip(project)
                t, naive_count = timed(naive_reschedule, project, plan)
                naive.append(t)
                assert naive_count == moved[situation], (naive_count, moved[situation])
        with rolled_back():  # once: it is slow
            if situation == "slip":
                slip(project)
            t, count = timed(bulk_update_reschedule, project, plan)
            assert count == moved[situation]
            parts["bulk_update"] = [t]
        results[situation] = {"app": app, "naive": naive, **parts}

    # The service a user calls (permission check, plan lock, revision) on top of the reschedule.
    service: list[float] = []
    for _ in range(args.repeat):
        with rolled_back():
            t, _outcome = timed(plan_reschedule, actor=admin, project=project)
            service.append(t)

    print(f"(median of {args.repeat} runs each, every run rolled back; {load()})")
    for situation, r in results.items():
        note = f" ({slipped})" if situation == "slip" else ""
        app_t, naive_t = median(r["app"]), median(r["naive"])
        print(
            f"{situation}{note}: {moved[situation]} tasks rewritten\n"
            f"  app reschedule      {ms(app_t):>8}  = load {ms(median(r['load']))} + engine {ms(median(r['engine']))}"
            f" + save {ms(median(r['save']))}   {verdict(app_t, 1.0)}\n"
            f"  naive per-row save  {ms(naive_t):>8}   ratio naive/app x{naive_t / app_t:.1f}\n"
            f"  Django bulk_update  {ms(r['bulk_update'][0]):>8}   ratio x{r['bulk_update'][0] / app_t:.1f} (one run)"
        )
    print(f"plan_reschedule service (no change): {ms(median(service))}   {verdict(median(service), 1.0)}")


if __name__ == "__main__":
    main()
