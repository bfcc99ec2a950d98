"""Importing a 5,000-task MS Project (MSPDI) file: the app's import vs a row-by-row ORM import, same file.

Usage: DATABASE_URL=postgres://… python bench/planning_mspdi.py [--project demo-01] [--repeat 3]

Target (issue 5): an MSPDI file of 5,000 tasks imports in < 5 s on PostgreSQL.

The file is the large demo plan exported by the app (``export_mspdi``: lots as summary tasks, tasks,
milestones, links with lags, resources with day rates, assignments, baseline, calendar), written to
a temporary file and read back. Each run imports it into a new empty project, inside a transaction
that is rolled back. The app side is ``importing.import_plan_file`` (what the import page's job and
``oeuvre plan import`` run): hardened XML parse, checks, bulk inserts, history rows, baseline, one
reschedule. The naive side parses with the same reader, then creates each lot, task, link, resource
and assignment with its own ``objects.create()`` (history rows included, as any model save) and
reschedules once at the end.
"""

from __future__ import annotations

import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from _planning import load, median, parser, project_and_admin, rolled_back, setup, timed, verdict


def new_project(actor: Any, code: str, like: Any) -> Any:
    from oeuvre.accounts.roles import Role
    from oeuvre.projects.services import project_create

    return project_create(
        actor=actor,
        role=Role.MOE,
        code=code,
        name="Import MSPDI (banc d'essai)",
        moa_organisation=like.moa_organisation,
        moe_organisation=like.moe_organisation,
        start_date=like.start_date,
    )


class Stopwatch:
    """A progress reporter (the jobs' interface) that records how long each step took."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []
        self.last = 0.0

    def start(self, total: int, label: str = "") -> None:
        self.last = time.perf_counter()

    def advance(self, n: int = 1, label: str = "") -> None:
        now = time.perf_counter()
        self.steps.append((str(label), now - self.last))
        self.last = now


def checked(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` then the foreign-key checks PostgreSQL defers to the commit (the runs are rolled back,
    so without this the checks would never be paid for)."""
    from django.db import connection

    value = fn(*args, **kwargs)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return value


def naive_import(project: Any, data: Any) -> int:
    """Row-by-row: one INSERT (and one history row) per lot, task, link, resource and assignment."""
    from oeuvre.planning.models import Assignment, Dependency, Lot, Plan, Resource, Task, TaskKind
    from oeuvre.planning.services import reschedule

    plan = Plan.objects.create(project=project)
    by_uid: dict[int, Task] = {}
    lot_stack: list[tuple[int, Lot]] = []
    current: Lot | None = None
    position = 0
    for item in data.tasks:
        if item.summary:
            while lot_stack and lot_stack[-1][0] >= item.outline_level:
                lot_stack.pop()
            current = Lot.objects.create(
                project=project,
                parent=lot_stack[-1][1] if lot_stack else None,
                code=(item.code or item.wbs or f"L{item.uid}")[:20],
                name=item.name[:200],
                position=len(lot_stack) * 1000 + item.uid,
            )
            lot_stack.append((item.outline_level, current))
            continue
        if current is None:
            current = Lot.objects.create(project=project, code="L0", name="Lot")
        position += 1
        by_uid[item.uid] = Task.objects.create(
            project=project,
            lot=current,
            code=(item.code or f"T-{item.uid}")[:40],
            name=item.name[:300],
            position=position,
            kind=TaskKind.MILESTONE if item.milestone else TaskKind.TASK,
            duration=0 if item.milestone else max(round(item.duration_days), 1),
            effort=Decimal(str(round(item.work_days, 2))),
        )
    for link in data.links:
        if link.pred_uid in by_uid and link.succ_uid in by_uid:
            Dependency.objects.create(
                project=project,
                predecessor=by_uid[link.pred_uid],
                successor=by_uid[link.succ_uid],
                type=link.type,
                lag=round(link.lag_days),
            )
    people = {
        r.uid: Resource.objects.create(project=project, name=r.name[:200], tjm=Decimal(str(round(r.day_rate, 2))))
        for r in data.resources
    }
    for a in data.assignments:
        if a.task_uid in by_uid and a.resource_uid in people:
            Assignment.objects.create(
                task=by_uid[a.task_uid], resource=people[a.resource_uid], units=Decimal(str(round(a.units, 2)))
            )
    reschedule(project, plan)
    return len(by_uid)


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--no-naive", action="store_true", help="skip the row-by-row import (about 90 s)")
    args = ap.parse_args()
    args.repeat = min(args.repeat, 3)
    setup(args)
    from oeuvre.accounts.models import User
    from oeuvre.planning.exporting import export_mspdi
    from oeuvre.planning.importing import import_plan_file, read_plan_file
    from oeuvre.planning.models import Dependency, Task

    source, _admin = project_and_admin(args.project)
    staff = User.objects.filter(is_staff=True, is_active=True).order_by("pk").first()
    assert staff is not None, "a staff account is needed to create the benchmark's projects"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{source.code}.xml"
        t_export, data = timed(export_mspdi, source)
        path.write_bytes(data)
        raw = path.read_bytes()
    n_tasks = Task.objects.filter(project=source).count()
    print(
        f"file: {path.name}, {len(raw) / 1e6:.1f} MB, from {n_tasks} tasks and "
        f"{Dependency.objects.filter(project=source).count()} links (export took {t_export:.2f} s); {load()}"
    )
    t_parse = median([timed(read_plan_file, path.name, raw)[0] for _ in range(args.repeat)])
    parsed = read_plan_file(path.name, raw)

    app: list[float] = []
    imported = 0
    watches: list[Stopwatch] = []
    cpu: list[float] = []
    for k in range(args.repeat + 1):  # the first run warms the engine's compiled code: not counted
        with rolled_back():
            project = new_project(staff, f"bench-mspdi-{k}", source)
            watch = Stopwatch()
            cpu0 = time.process_time()
            t, summary = timed(
                checked, import_plan_file, actor=staff, project=project, filename=path.name, data=raw, progress=watch
            )
            if k:
                app.append(t)
                cpu.append(time.process_time() - cpu0)
                watches.append(watch)
            else:
                first = t
            imported = Task.objects.filter(project=project).count()
    t_naive, naive_count = float("nan"), 0
    if not args.no_naive:
        with rolled_back():
            project = new_project(staff, "bench-mspdi-naive", source)
            t_naive, naive_count = timed(checked, naive_import, project, parsed)
    app_t = median(app)
    print(
        f"(app: median of {args.repeat} runs after a first one of {first:.2f} s that loads the engine's compiled "
        f"code; naive: one run; every run rolled back; {load()})"
    )
    print(
        f"app import_plan_file  {app_t:.2f} s  ({imported} tasks and milestones; parse alone {t_parse:.2f} s; "
        f"CPU time of this process {median(cpu):.2f} s)  {verdict(app_t, 5.0)}\n"
        f"naive row-by-row      {t_naive:.2f} s  ({naive_count} tasks)  ratio naive/app x{t_naive / app_t:.1f}"
    )
    steps = watches[len(watches) // 2].steps
    names = ["parse", "lots", "tasks", "links", "resources and assignments", "baseline", "schedule"]
    print(
        "app steps: " + ", ".join(f"{name} {seconds:.2f} s" for name, (_l, seconds) in zip(names, steps, strict=False))
    )
    print(f"import summary: { {k: v for k, v in summary.items() if not isinstance(v, list)} }")


if __name__ == "__main__":
    main()
