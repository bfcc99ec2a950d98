"""The steering portfolio and the COPIL deck (issue 11's performance goals).

Targets: the portfolio of 50 projects with their météo answers in < 300 ms on PostgreSQL, one query per panel
(not per project); the COPIL deck of the demo project is written in < 5 s.

What runs, side by side:

* **portfolio selector** (:func:`oeuvre.pilotage.selectors.portfolio.portfolio_of`): every project the user may
  see with its météo (latest snapshot), trend, next milestone, budget consumed and open bloquantes;
* **whole request**: ``GET /pilotage/portfolio/`` through Django's test client as an instance administrator
  (middleware, template, everything but the network);
* **naive**: what a per-project page would do, each project's live météo (:func:`meteo_of`) and trend, one after
  the other;
* **deck command**: ``oeuvre pilotage deck --project P -o FILE`` as a fresh process, exec to exit.

Data: a database loaded with ``oeuvre demo`` (or ``--size large``); ``--generate N`` first adds light projects
(twelve weekly snapshots, five milestones, a few bloquantes each) until N projects exist, so the portfolio has N
rows. Those projects have no plan, so the naive figure is a lower bound of the real per-project cost.

    DATABASE_URL=postgres://…/db python bench/portfolio.py --generate 50 --deck-project demo
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _planning import QueryCounter, load, median, ms, parser, setup, verdict
from _process import oeuvre_command, run


def _generate(total: int) -> None:
    """Add light projects until ``total`` exist (idempotent: codes ``bench-NNN``)."""
    from django.db import transaction
    from django.utils import timezone

    from oeuvre.accounts.models import Organisation, User
    from oeuvre.pilotage.models import MeteoSnapshot
    from oeuvre.planning.models import Lot, Task, TaskKind
    from oeuvre.projects.models import Membership, Project
    from oeuvre.recette.models import Anomaly

    missing = total - Project.objects.count()
    if missing <= 0:
        return
    today = timezone.localdate()
    weathers = ["sun", "cloud", "rain", "storm"]
    with transaction.atomic():
        moa, _ = Organisation.objects.get_or_create(name="Bench MOA")
        moe, _ = Organisation.objects.get_or_create(name="Bench MOE")
        admins = list(User.objects.filter(is_staff=True)[:1])
        start = Project.objects.filter(code__startswith="bench-").count()
        for i in range(start, start + missing):
            project = Project.objects.create(
                code=f"bench-{i:03d}", name=f"Projet banc {i:03d}", moa_organisation=moa, moe_organisation=moe
            )
            for user in admins:
                Membership.objects.create(project=project, user=user, role="moe", is_admin=True)
            MeteoSnapshot.objects.bulk_create(
                MeteoSnapshot(
                    project=project,
                    taken_on=today - dt.timedelta(days=7 * w),
                    kind="weekly",
                    overall=weathers[(i + w) % 4],
                    computed_overall=weathers[(i + w) % 4],
                    axes={},
                    figures={"spent": 1000.0 * (i + 1), "sold": 2000.0 * (i + 2)},
                )
                for w in range(12)
            )
            lot = Lot.objects.create(project=project, code="L1", name="Lot 1")
            Task.objects.bulk_create(
                Task(
                    project=project,
                    lot=lot,
                    code=f"J{k}",
                    name=f"Jalon {k}",
                    kind=TaskKind.MILESTONE,
                    duration=0,
                    early_start=today + dt.timedelta(days=20 * k - 30),
                    early_finish=today + dt.timedelta(days=20 * k - 30),
                )
                for k in range(5)
            )
            Anomaly.objects.bulk_create(
                Anomaly(
                    project=project, reference=f"ANO-{n:03d}", number=n, title=f"Bloquante {n}", severity="bloquante"
                )
                for n in range(1, 1 + i % 4)
            )


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--generate", type=int, default=0, help="add light projects until this many exist")
    ap.add_argument("--deck-project", default="", help="project whose COPIL deck is timed (default: the first)")
    args = ap.parse_args()
    setup(args)
    from django.db import connection
    from django.test import Client

    from oeuvre.accounts.models import User
    from oeuvre.pilotage.selectors.meteo import meteo_of, trend_of
    from oeuvre.pilotage.selectors.portfolio import budget_consumed, portfolio_of, trend_arrow
    from oeuvre.projects.models import Project

    if args.generate:
        _generate(args.generate)
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

    code = args.deck_project or Project.objects.order_by("pk").values_list("code", flat=True).first()
    connection.close()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "copil.pptx"
        timings = [run([*oeuvre_command(), "pilotage", "deck", "--project", code, "-o", str(target)]) for _ in range(3)]
        best = min(t.wall for t in timings)
        print(
            f"deck command (project {code}): wall median {median([t.wall for t in timings]):.2f} s, best {best:.2f} s, "
            f"CPU median {median([t.cpu for t in timings]):.2f} s ({load()})"
        )
        print(verdict(median([t.wall for t in timings]), 5.0))


if __name__ == "__main__":
    main()
