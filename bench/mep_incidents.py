"""Benchmark of the incidents list (20,000 incidents, GTI/GTR timers) and of the go/no-go proposal (issue 12).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_mep3_bench
    .venv/bin/oeuvre demo --size small --no-serve        # once: the demo project goes live (releases, incidents)
    .venv/bin/python bench/mep_incidents.py [--project CODE] [--incidents 20000] [--runs 15]

The first run bulk-adds incidents to the demo project that has releases until it holds ``--incidents`` (a mix of
statuses and priorities opened over the last year, one in ten waiting on the client with a pause of its GTR
clock); later runs reuse them. It then times, in the same run, as medians of ``--runs`` warm runs:

* the incidents list page as a whole HTTP request through Django's test client, logged in as the MOE (open
  incidents; all incidents; a page deep in the list): the page shows 100 incidents a page, each with its two
  timers computed from one query for the incidents and one for their pauses;
* the naive way of the same page's timers: the same 100 incidents, then one query per incident for its pauses
  and one for the contract, as a list without ``prefetch_related`` does;
* the same page's timers computed for every open incident of the project (what a page without pagination does);
* the go/no-go proposal (``selectors.gonogo_for``) of the project's latest release;
* the whole command ``oeuvre mep gonogo --project P --release R --json`` as a process (Python and Django start-up
  included).

It prints each median in ms, the SQL queries of one request, the ratios, the machine load, and the time of the
whole script.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")

import django  # noqa: E402

django.setup()

from _common import machine  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from oeuvre.engine import service_levels as engine  # noqa: E402
from oeuvre.mep import incidents as svc  # noqa: E402
from oeuvre.mep import selectors  # noqa: E402
from oeuvre.mep.models import Incident, IncidentPause, IncidentStatus, Release, ServiceLevelSettings  # noqa: E402
from oeuvre.projects.models import Membership, Project  # noqa: E402


def _median(fn: Callable[[], Any], runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def _fill(project: Project, wanted: int) -> None:
    have = Incident.objects.filter(project=project).count()
    if have >= wanted:
        return
    rng = random.Random(12)
    now = timezone.now()
    statuses = (
        [IncidentStatus.CLOS] * 6
        + [IncidentStatus.RESOLU] * 2
        + [IncidentStatus.NOUVEAU, IncidentStatus.PRIS_EN_CHARGE]
    )
    start = (
        Incident.objects.filter(project=project).order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    batch: list[Incident] = []
    for number in range(start, start + wanted - have):
        opened = now - dt.timedelta(minutes=rng.randint(30, 365 * 24 * 60))
        status = rng.choice(statuses)
        if number % 10 == 0:
            status = IncidentStatus.EN_ATTENTE
        impact, urgency = rng.randint(1, 5), rng.randint(1, 5)
        taken = opened + dt.timedelta(minutes=rng.randint(5, 600)) if status != IncidentStatus.NOUVEAU else None
        resolved = taken + dt.timedelta(hours=rng.randint(1, 72)) if taken and status in ("resolu", "clos") else None
        batch.append(
            Incident(
                project=project, reference=f"INC-{number:05d}", number=number, title=f"Incident de charge {number}",
                impact=impact, urgency=urgency, priority=engine.priority_of(impact, urgency), status=status,
                opened_at=opened, taken_at=min(taken, now) if taken else None,
                resolved_at=min(resolved, now) if resolved else None,
                closed_at=min(resolved + dt.timedelta(days=2), now) if resolved and status == "clos" else None,
            )
        )  # fmt: skip
    with transaction.atomic():
        created = Incident.objects.bulk_create(batch, batch_size=2000)
        IncidentPause.objects.bulk_create(
            [
                IncidentPause(incident=i, started_at=(i.taken_at or i.opened_at) + dt.timedelta(minutes=30))
                for i in created
                if i.status == IncidentStatus.EN_ATTENTE
            ],
            batch_size=2000,
        )
    print(f"added {len(batch)} incidents to {project.code}")


def _naive_timers(project: Project, ids: list[int]) -> int:
    """The page's timers with one query per incident for its pauses and one for the contract."""
    breached = 0
    moment = timezone.now()
    for incident in Incident.objects.filter(pk__in=ids):
        cfg = ServiceLevelSettings.objects.filter(project=project).first() or ServiceLevelSettings(project=project)
        levels = svc._levels(cfg)
        hours = svc.service_hours_of(project, cfg, range(incident.opened_at.year - 1, moment.year + 2))
        level = levels.get(incident.priority, levels[max(levels)])
        pauses = [(p.started_at, p.ended_at) for p in IncidentPause.objects.filter(incident=incident)]
        gti = engine.timer(
            incident.opened_at, level.take_charge, incident.taken_at or incident.resolved_at, moment, hours
        )
        gtr = engine.timer(incident.opened_at, level.restore, incident.resolved_at, moment, hours, pauses)
        breached += gti.breached or gtr.breached
    return breached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", default="", help="project code (default: the project with the most releases)")
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL database loaded with `oeuvre demo --no-serve`")
    release = (
        (Release.objects.filter(project__code=args.project) if args.project else Release.objects.all())
        .order_by("-pk")
        .select_related("project")
        .first()
    )
    if release is None:
        raise SystemExit("no release: load the demo first (`oeuvre demo --size small --no-serve`)")
    project = release.project
    _fill(project, args.incidents)
    member = Membership.objects.filter(project=project, role="moe").select_related("user").first()
    assert member is not None
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(member.user)
    base = f"/p/{project.code}/mep/incidents/"
    total = Incident.objects.filter(project=project).count()
    open_count = Incident.objects.filter(
        project=project, status__in=("nouveau", "pris_en_charge", "en_attente")
    ).count()
    print(f"machine: {machine()}")
    print(f"project {project.code}: {total} incidents, {open_count} open; release {release.number}; {args.runs} runs")

    def page(path: str) -> Callable[[], None]:
        def get() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return get

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        return len(ctx.captured_queries)

    first_page = list(svc.incidents_for(project).filter(status__in=svc_open()).values_list("pk", flat=True)[:100])
    naive = _median(lambda: _naive_timers(project, first_page), args.runs)
    all_open = _median(
        lambda: svc.incidents_board(project, rows=svc.incidents_for(project).filter(status__in=svc_open())),
        max(3, args.runs // 3),
    )
    print(f"{'measure':<52} {'median ms':>10} {'queries':>8} {'target':>8}")
    timings: dict[str, float] = {}
    for label, path in (
        ("list page, open incidents (HTTP, test client)", base),
        ("list page, all incidents", base + "?all=1"),
        ("list page, all incidents, page 150", base + "?all=1&page=150"),
    ):
        timings[label] = _median(page(path), args.runs)
        print(f"{label:<52} {timings[label]:>10.1f} {queries(path):>8} {'< 300':>8}")
    print(f"{'naive: the same 100 timers, one query per incident':<52} {naive:>10.1f} {len(first_page) * 2 + 1:>8}")
    print(f"{'timers of every open incident (no pagination)':<52} {all_open:>10.1f} {2:>8}")
    with CaptureQueriesContext(connection) as ctx:
        selectors.gonogo_for(release)
    gonogo = _median(lambda: selectors.gonogo_for(release), args.runs)
    print(
        f"{'go/no-go proposal (selectors.gonogo_for)':<52} {gonogo:>10.1f} {len(ctx.captured_queries):>8} {'< 200':>8}"
    )
    command = [
        sys.executable,
        "-m",
        "oeuvre",
        "mep",
        "gonogo",
        "--project",
        project.code,
        "--release",
        release.number,
        "--json",
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    processes = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        processes.append((time.perf_counter() - t0) * 1000)
    print(f"{'oeuvre mep gonogo --json, whole process':<52} {statistics.median(processes):>10.1f}")
    open_page = timings["list page, open incidents (HTTP, test client)"]
    print(f"ratios: naive timers / whole page = {naive / open_page:.1f}x; "
          f"every open incident's timers / whole page = {all_open / open_page:.1f}x")  # fmt: skip
    print(f"load after: {machine()}")
    print(f"whole script: {time.perf_counter() - STARTED:.1f} s")


def svc_open() -> tuple[str, ...]:
    return (IncidentStatus.NOUVEAU, IncidentStatus.PRIS_EN_CHARGE, IncidentStatus.EN_ATTENTE)


if __name__ == "__main__":
    main()
