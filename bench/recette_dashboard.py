"""Benchmark of the recette dashboards: a campaign of 50,000 executions, on PostgreSQL.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_anomalies OEUVRE_DATA_DIR=var/bench
    .venv/bin/python -m django migrate --settings oeuvre.settings     # once
    .venv/bin/python bench/recette_dashboard.py [--executions 50000] [--cases 10000] [--rebuild]

The script builds its own data in a project ``bench-recette`` with bulk inserts (10,000 test cases covering
2,000 exigences, one campaign of two iterations with 50,000 executions spread over 20 days, 2,000
anomalies with about 6,700 history records), then times, as the median of 5 runs after a warm-up:

* ``campaign_dashboard`` (burn-up per iteration, latest-result breakdown, pass rate, open anomalies)
  against two competitors on the same data: the naive ORM loop (one query per planned test for its runs,
  then Python), and "fetch everything once" (all 50,000 runs in one query, aggregated in Python);
* the dashboards page through the Django test client (target: < 300 ms for the whole answer);
* ``anomalies_over_time`` against a per-anomaly history loop;
* ``coverage_per_exigence`` against a per-exigence loop.

Each line prints the median in ms, the query count and the ratio to ours.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from oeuvre.accounts.models import Organisation, User  # noqa: E402
from oeuvre.projects.models import Membership, Project  # noqa: E402
from oeuvre.recette.models import (  # noqa: E402
    Anomaly,
    Campaign,
    Execution,
    Iteration,
    PlannedTest,
    TestCase,
    TestCaseRevision,
)
from oeuvre.recette.selectors.coverage import coverage_per_exigence  # noqa: E402
from oeuvre.recette.selectors.dashboards import anomalies_over_time, campaign_dashboard  # noqa: E402
from oeuvre.requirements.models import Exigence  # noqa: E402

CODE = "bench-recette"
START = date(2026, 3, 2)
STATUSES = ["ok"] * 7 + ["ko"] * 2 + ["bloque"]


def timed(fn: Callable[[], Any], runs: int = 5) -> tuple[float, int, Any]:
    """Median wall time in ms over ``runs`` after one warm-up, the query count of one run, the result."""
    result = fn()
    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    # A wrapper on every connection: the test client's request closes and reopens them.
    from django.db import connections

    with connections["default"].execute_wrapper(counter):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), count, result


def report(label: str, ours: tuple[float, int, Any], others: list[tuple[str, tuple[float, int, Any]]]) -> None:
    print(f"{label:<44} ours {ours[0]:9.1f} ms  {ours[1]:6d} queries")
    for name, other in others:
        print(f"{'':<44} {name:<4} {other[0]:9.1f} ms  {other[1]:6d} queries   ×{other[0] / ours[0]:.1f} slower")


# --- data ------------------------------------------------------------------------------------------------


def build(executions: int, cases: int) -> tuple[Project, Campaign, User]:
    """Bulk-insert the benchmark project (a few seconds), replacing an earlier one."""
    Project.objects.filter(code=CODE).delete()
    user, _ = User.objects.get_or_create(username="bench-recette", defaults={"first_name": "Bench"})
    user.set_password("bench-recette-password")
    user.save()
    moa, _ = Organisation.objects.get_or_create(name="Banc MOA", defaults={"kind": Organisation.Kind.PUBLIC_BODY})
    moe, _ = Organisation.objects.get_or_create(name="Banc MOE", defaults={"kind": Organisation.Kind.ESN})
    project = Project.objects.create(
        code=CODE,
        name="Recette — banc d'essai",
        moa_organisation=moa,
        moe_organisation=moe,
        start_date=START,
        delivery_date=START + timedelta(days=180),
    )
    Membership.objects.create(project=project, user=user, role="moa")
    exigences = Exigence.objects.bulk_create(
        Exigence(project=project, reference=f"EX-{n:05d}", number=n, title=f"Exigence {n}", status="validee")
        for n in range(1, cases // 5 + 1)
    )
    book = TestCase.objects.bulk_create(
        TestCase(project=project, reference=f"CT-{n:05d}", number=n, title=f"Cas {n}", status="pret")
        for n in range(1, cases + 1)
    )
    revisions = TestCaseRevision.objects.bulk_create(
        TestCaseRevision(test_case=c, revision=1, content={"steps": []}) for c in book
    )
    through = TestCase.exigences.through
    through.objects.bulk_create(
        through(testcase_id=c.pk, exigence_id=exigences[i % len(exigences)].pk) for i, c in enumerate(book)
    )
    campaign = Campaign.objects.create(project=project, name="VABF banc", kind="vabf", starts_on=START)
    it1 = Iteration.objects.create(campaign=campaign, number=1, starts_on=START)
    it2 = Iteration.objects.create(campaign=campaign, number=2, starts_on=START + timedelta(days=10))
    PlannedTest.objects.bulk_create(PlannedTest(campaign=campaign, test_case=c, position=i) for i, c in enumerate(book))
    runs = []
    for n in range(executions):
        case = n % cases
        attempt = n // cases
        iteration = it1 if attempt < 3 else it2
        day = (START if iteration is it1 else START + timedelta(days=10)) + timedelta(days=(case * 7 + attempt) % 10)
        when = timezone.make_aware(datetime(day.year, day.month, day.day, 8 + (n % 10), n % 60))
        runs.append(
            Execution(
                project=project,
                iteration=iteration,
                test_case=book[case],
                test_case_revision=revisions[case],
                status=STATUSES[(case * 3 + attempt * 7) % len(STATUSES)],
                executed_at=when,
            )
        )
    Execution.objects.bulk_create(runs, batch_size=5000)
    anomalies = Anomaly.objects.bulk_create(
        Anomaly(
            project=project,
            reference=f"ANO-{n:05d}",
            number=n,
            title=f"Anomalie {n}",
            campaign=campaign,
            severity=["bloquante", "majeure", "mineure", "mineure"][n % 4],
            status="close" if n % 3 == 0 else "en_correction",
        )
        for n in range(1, 2001)
    )
    history = Anomaly.history.model
    records = []
    for a in anomalies:
        for step, status in enumerate(["nouvelle", "qualifiee", "en_correction", "close"]):
            if status == "close" and a.status != "close":
                break
            day = START + timedelta(days=(a.number % 12) + 2 * step)
            records.append(
                history(
                    id=a.pk,
                    project_id=project.pk,
                    reference=a.reference,
                    number=a.number,
                    title=a.title,
                    kind="anomalie",
                    severity=a.severity,
                    priority="p3",
                    status=status,
                    version=step + 1,
                    created_at=a.created_at,
                    updated_at=a.updated_at,
                    history_date=timezone.make_aware(datetime(day.year, day.month, day.day, 12)),
                    history_type="+" if step == 0 else "~",
                )
            )
    history.objects.bulk_create(records, batch_size=5000)
    return project, campaign, user


# --- competitors -----------------------------------------------------------------------------------------


def naive_dashboard(campaign: Campaign) -> dict[str, Any]:
    """The ORM loop a first version writes: per planned test, its runs; then Python."""
    burnup: dict[int, dict[date, list[int]]] = {}
    latest: dict[int, str] = {}
    for planned in PlannedTest.objects.filter(campaign=campaign):
        runs = list(
            Execution.objects.filter(iteration__campaign=campaign, test_case_id=planned.test_case_id)
            .exclude(status="non_execute")
            .select_related("iteration")
            .order_by("iteration__number", "executed_at", "pk")
        )
        _fold(runs, burnup, latest)
    return {"burnup": burnup, "latest": latest}


def fetch_all_dashboard(campaign: Campaign) -> dict[str, Any]:
    """One query for every run of the campaign, aggregated in Python."""
    burnup: dict[int, dict[date, list[int]]] = {}
    latest: dict[int, str] = {}
    by_case: dict[int, list[Any]] = defaultdict(list)
    for row in (
        Execution.objects.filter(iteration__campaign=campaign)
        .exclude(status="non_execute")
        .order_by("iteration__number", "executed_at", "pk")
        .values_list("test_case_id", "iteration__number", "executed_at", "status")
    ):
        by_case[row[0]].append(row)
    for runs in by_case.values():
        _fold(runs, burnup, latest)
    return {"burnup": burnup, "latest": latest}


def _fold(runs: list[Any], burnup: dict[int, dict[date, list[int]]], latest: dict[int, str]) -> None:
    previous: dict[int, str] = {}
    for run in runs:
        if isinstance(run, tuple):
            case, number, executed_at, status = run
        else:
            case, number, executed_at, status = run.test_case_id, run.iteration.number, run.executed_at, run.status
        day = timezone.localtime(executed_at).date()
        counts = burnup.setdefault(number, {}).setdefault(day, [0, 0])
        before = previous.get(number)
        if before is None:
            counts[0] += 1
        if status == "ok" and before != "ok":
            counts[1] += 1
        if before == "ok" and status != "ok":
            counts[1] -= 1
        previous[number] = status
        latest[case] = status


def naive_over_time(project: Project) -> dict[date, int]:
    history = Anomaly.history.model
    open_per_day: dict[date, int] = defaultdict(int)
    for anomaly in Anomaly.objects.filter(project=project):
        records = list(history.objects.filter(id=anomaly.pk).order_by("history_date"))
        for i, record in enumerate(records):
            end = records[i + 1].history_date.date() if i + 1 < len(records) else START + timedelta(days=40)
            day = record.history_date.date()
            while day < end:
                if record.status not in {"close", "rejetee"}:
                    open_per_day[day] += 1
                day += timedelta(days=1)
    return open_per_day


def naive_coverage(project: Project) -> list[tuple[str, int, int]]:
    rows = []
    for exigence in Exigence.objects.filter(project=project):
        executed = passed = 0
        for case in exigence.test_cases.all():
            last = case.executions.exclude(status="non_execute").order_by("-executed_at", "-pk").first()
            if last is not None:
                executed += 1
                passed += last.status == "ok"
        rows.append((exigence.reference, executed, passed))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--executions", type=int, default=50_000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data even if it is there")
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow per-row competitors")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"database: {connection.vendor}; {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    project = Project.objects.filter(code=CODE).first()
    campaign = Campaign.objects.filter(project=project).first() if project else None
    if args.rebuild or campaign is None or Execution.objects.filter(project=project).count() != args.executions:
        started = time.perf_counter()
        with transaction.atomic():
            project, campaign, _user = build(args.executions, args.cases)
        print(f"built {args.executions:,} executions in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
    assert project is not None
    assert campaign is not None
    user = User.objects.get(username="bench-recette")
    print(f"executions in the campaign: {Execution.objects.filter(iteration__campaign=campaign).count():,}")

    ours = timed(lambda: campaign_dashboard(campaign))
    others = [("all1", timed(lambda: fetch_all_dashboard(campaign)))]
    if not args.skip_naive:
        others.append(("loop", timed(lambda: naive_dashboard(campaign), runs=1)))
    report("campaign_dashboard (selector)", ours, others)
    dash = ours[2]
    print(f"{'':<44} pass rate {dash['pass_rate']} %, executed {dash['executed']:,} of {dash['planned']:,}")

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = f"/p/{CODE}/recette/dashboards/?campaign={campaign.pk}"

    def page() -> int:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return len(response.content)

    page_time = timed(page)
    verdict = "OK" if page_time[0] < 300 else "OVER TARGET"
    label = "dashboards page (test client, whole answer)"
    print(f"{label:<44} ours {page_time[0]:9.1f} ms  {page_time[1]:6d} queries   target < 300 ms: {verdict}")

    ours = timed(lambda: anomalies_over_time(project, until=START + timedelta(days=40)))
    others = [] if args.skip_naive else [("loop", timed(lambda: naive_over_time(project), runs=1))]
    report("anomalies_over_time (2,000 anomalies)", ours, others)

    ours = timed(lambda: coverage_per_exigence(project))
    others = [] if args.skip_naive else [("loop", timed(lambda: naive_coverage(project), runs=1))]
    report(f"coverage_per_exigence ({args.cases // 5:,} exigences)", ours, others)


if __name__ == "__main__":
    main()
