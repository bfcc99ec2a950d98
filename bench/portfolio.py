"""The steering portfolio and the COPIL deck (issue 11's performance goals).

Targets: the portfolio of 50 projects with their météo answers in < 300 ms on PostgreSQL, one query per panel
(not per project); the COPIL deck of the demo project is written in < 5 s.

What runs, side by side:

* **portfolio selector** (:func:`oeuvre.pilotage.selectors.portfolio.portfolio_of`): every project the user may
  see with its météo (latest snapshot), trend, next milestone, budget consumed and open bloquantes;
* **whole request**: ``GET /pilotage/portfolio/`` through Django's test client as an instance administrator
  (middleware, template, everything but the network);
* **the competing method**: what a per-project page would do, each project's live météo (:func:`meteo_of`) and
  trend, one after the other;
* **deck function alone**: :func:`oeuvre.pilotage.deck.deck_bytes` of the demo project, in this process, warm;
* **deck command**: ``oeuvre pilotage deck --project guichet-usagers -o FILE`` as a fresh process, exec to exit
  (wall and CPU), several runs.

Data: the large demo on PostgreSQL, 50 projects whose plans, requirements and acceptance the demo generates; the
demo takes a météo snapshot of each (the demo project has twelve weeks of them). ``--snapshot-missing`` takes one
for a project that has none (an older database).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_bench_large OEUVRE_DATA_DIR=var/bench
    oeuvre demo --size large --no-serve          # once
    python bench/portfolio.py [--repeat 7] [--deck-runs 3]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine
from _planning import QueryCounter, load, median, ms, parser, setup, verdict
from _process import oeuvre_command, run

MAIN_PROJECT = "guichet-usagers"  # the demo project, whose deck is timed


def _snapshots(take_missing: bool) -> None:
    """Every project of the large demo has its météo snapshots (the demo takes them); say so, or take them."""
    from oeuvre.pilotage.models import MeteoSnapshot
    from oeuvre.pilotage.services.meteo import snapshot_record
    from oeuvre.projects.models import Project

    with_snapshot = set(MeteoSnapshot.objects.values_list("project_id", flat=True).distinct())
    missing = list(Project.objects.exclude(pk__in=with_snapshot).order_by("code"))
    total = Project.objects.count()
    print(f"projects: {total}, with a météo snapshot: {total - len(missing)}")
    if total < 50:
        print("  fewer than 50 projects: load the large demo (`oeuvre demo --size large --no-serve`)")
    if missing and not take_missing:
        raise SystemExit(
            f"{len(missing)} projects have no snapshot ({', '.join(p.code for p in missing[:5])}…): rebuild the "
            "large demo (it takes one per project) or pass --snapshot-missing"
        )
    for project in missing:
        snapshot_record(project=project, kind="weekly")


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--snapshot-missing", action="store_true", help="take a snapshot of projects that have none")
    ap.add_argument("--deck-project", default=MAIN_PROJECT, help="project whose COPIL deck is timed")
    ap.add_argument("--deck-runs", type=int, default=3, help="runs of the deck command and of the function")
    args = ap.parse_args()
    setup(args)
    from django.db import connection
    from django.test import Client

    from oeuvre.accounts.models import User
    from oeuvre.pilotage.selectors.meteo import meteo_of, trend_of
    from oeuvre.pilotage.selectors.portfolio import budget_consumed, portfolio_of, trend_arrow
    from oeuvre.projects.models import Project

    _snapshots(args.snapshot_missing)
    admin = User.objects.filter(is_staff=True, is_active=True).first()
    if admin is None:
        raise SystemExit("no instance administrator (staff user) in this database: load the demo first")
    projects = list(portfolio_of(admin))
    print(f"projects in the portfolio: {len(projects)} (as {admin.username}, instance administrator)")

    def selector() -> int:
        rows = list(portfolio_of(admin))
        for p in rows:
            trend_arrow(p)
            budget_consumed(p)
        return len(rows)

    def naive() -> int:
        for p in Project.objects.all():
            meteo = meteo_of(p)
            trend_of(p, meteo["overall"])
        return 0

    client = Client()
    client.force_login(admin)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    def request() -> int:
        answer = client.get("/pilotage/portfolio/")
        assert answer.status_code == 200, answer.status_code
        return len(answer.content)

    results = {}
    for label, fn, repeat in (
        ("portfolio selector", selector, args.repeat),
        ("whole request GET /pilotage/portfolio/", request, args.repeat),
        ("naive: live météo per project", naive, max(1, min(args.repeat, 2))),
    ):
        fn()  # warm-up
        times = []
        counter = QueryCounter()
        for _ in range(repeat):
            counter.count = 0
            with counter.active():
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
        results[label] = median(times)
        print(f"{label}: median {ms(median(times))} over {repeat} runs, {counter.count} queries a run ({load()})")
    whole = results["whole request GET /pilotage/portfolio/"]
    naive_time = results["naive: live météo per project"]
    print(verdict(whole, 0.3))
    print(
        f"ratio naive / selector: {naive_time / results['portfolio selector']:.0f}×; "
        f"naive / whole request: {naive_time / whole:.0f}×"
    )

    code = args.deck_project
    from oeuvre.pilotage.deck import deck_bytes

    project = Project.objects.get(code=code)
    deck_bytes(project, "fr")  # warm-up: python-pptx imported, the template read
    function: list[tuple[float, float]] = []
    for _ in range(args.deck_runs):
        w0, c0 = time.perf_counter(), time.process_time()
        data = deck_bytes(project, "fr")
        function.append((time.perf_counter() - w0, time.process_time() - c0))
    f_wall, f_cpu = median([w for w, _c in function]), median([c for _w, c in function])
    print(
        f"deck function alone (project {code}, {len(data):,} bytes): wall median {f_wall:.2f} s, "
        f"CPU median {f_cpu:.2f} s over {args.deck_runs} runs ({load()})"
    )
    connection.close()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "deck.pptx"
        command = [*oeuvre_command(), "pilotage", "deck", "--project", code, "-o", str(target)]
        timings = [run(command) for _ in range(args.deck_runs)]
        c_wall, c_cpu = median([t.wall for t in timings]), median([t.cpu for t in timings])
        print(
            f"deck command `oeuvre pilotage deck --project {code} -o FILE` as a process: wall median {c_wall:.2f} s "
            f"(best {min(t.wall for t in timings):.2f} s), CPU median {c_cpu:.2f} s over {args.deck_runs} runs "
            f"({load()})"
        )
    print(f"ratio command / function: wall {c_wall / f_wall:.1f}×, CPU {c_cpu / f_cpu:.1f}× (the rest is start-up)")
    print(verdict(c_wall, 5.0))
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
