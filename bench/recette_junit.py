"""Benchmark of the JUnit import (issue 6: 20,000 test cases in < 5 s on PostgreSQL), bulk path vs per-row ORM.

    createdb -h 127.0.0.1 -U postgres oeuvre_testbook_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_testbook_bench OEUVRE_DATA_DIR=var/bench \\
        python bench/recette_junit.py [--cases 20000] [--naive-rows 20000] [--runs 3]

The script migrates the database, builds a throw-away project with ``--cases`` test cases (bulk), writes a
pytest-shaped JUnit report of the same size (5 % failures, 2 % skipped, 1 % names matching no case), and times:

- **bulk**: ``services.junit_import`` — read, map (saved mappings and references), plan, ``bulk_create``,
  anomaly drafts for the failures, in one transaction;
- **naive**: what a straightforward ORM loop does for each result — look the case up, its revision, plan it
  with ``get_or_create``, ``Execution.objects.create``.

Each run is rolled back, so the database stays as it was; everything printed is measured in this run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from oeuvre.accounts.models import Organisation, User  # noqa: E402
from oeuvre.interop.junit import Outcome, read_junit  # noqa: E402
from oeuvre.projects.models import Membership, Project  # noqa: E402
from oeuvre.recette.models import (  # noqa: E402
    Campaign,
    Execution,
    Iteration,
    PlannedTest,
    TestCase,
    TestCaseRevision,
)
from oeuvre.recette.services import testbook as services  # noqa: E402

CODE = "bench-junit"


class Rollback(Exception):
    pass


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def report(cases: int) -> bytes:
    """A pytest --junitxml report: test_ct_00042_<slug> per case, a few failures, skips and strangers."""
    lines = []
    failures = skipped = 0
    for n in range(1, cases + 1):
        inner = ""
        if n % 20 == 0:
            failures += 1
            trace = f"E   assert 200 == 500\ntests/test_api.py:{n}: AssertionError"
            inner = f'<failure message="assert 200 == 500">{trace}</failure>'
        elif n % 50 == 1:
            skipped += 1
            inner = '<skipped type="pytest.skip" message="needs the SMS gateway"/>'
        name = f"test_ct_{n:05d}_scenario" if n % 100 != 7 else f"test_unnamed_scenario_{n}"
        lines.append(f'<testcase classname="tests.e2e.test_api" name="{name}" time="0.01{n % 10}">{inner}</testcase>')
    head = (
        f'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" '
        f'failures="{failures}" skipped="{skipped}" tests="{cases}" time="123.4" hostname="ci">'
    )
    return (head + "".join(lines) + "</testsuite></testsuites>").encode()


def setup(cases: int) -> tuple[Project, User, Campaign]:
    """A project with ``cases`` test cases (CT-00001…), their revision 1, and an empty campaign."""
    user, _ = User.objects.get_or_create(username="bench-junit", defaults={"first_name": "Bench"})
    moa, _ = Organisation.objects.get_or_create(name="Bench MOA", defaults={"kind": "public"})
    moe, _ = Organisation.objects.get_or_create(name="Bench MOE", defaults={"kind": "esn"})
    project = Project.objects.create(code=CODE, name="Bench JUnit", moa_organisation=moa, moe_organisation=moe)
    Membership.objects.create(project=project, user=user, role="moe")
    settings = services.recette_settings(project)
    settings.reference_digits = 5
    settings.save()
    TestCase.objects.bulk_create(
        [TestCase(project=project, reference=f"CT-{n:05d}", number=n, title=f"Scénario {n}", status="pret")
         for n in range(1, cases + 1)],
        batch_size=5000,
    )  # fmt: skip
    content = {"title": "", "objective": "", "preconditions": "", "data": "", "steps": []}
    TestCaseRevision.objects.bulk_create(
        [TestCaseRevision(test_case_id=pk, revision=1, content=content)
         for pk in TestCase.objects.filter(project=project).values_list("pk", flat=True)],
        batch_size=5000,
    )  # fmt: skip
    campaign = services.campaign_create(actor=user, project=project, name="Non-régression CI", kind="non_regression")
    return project, user, campaign


_STATUS = {Outcome.PASSED: "ok", Outcome.FAILED: "ko", Outcome.ERROR: "ko", Outcome.SKIPPED: "non_execute"}


def naive(project: Project, user: User, campaign: Campaign, data: bytes, rows: int) -> int:
    """Per-row ORM: one lookup, one revision, one get_or_create and one insert per result."""
    parsed = read_junit(data, "report.xml")
    pattern = services.reference_pattern("CT")
    iteration = Iteration.objects.filter(campaign=campaign).order_by("-number").first()
    created = 0
    now = timezone.now()
    for case in parsed.cases[:rows]:
        match = pattern.search(case.full_name)
        if not match:
            continue
        test_case = TestCase.objects.filter(project=project, reference=f"CT-{int(match.group(1)):05d}").first()
        if test_case is None:
            continue
        revision = TestCaseRevision.objects.get(test_case=test_case, revision=test_case.revision)
        PlannedTest.objects.get_or_create(campaign=campaign, test_case=test_case)
        Execution.objects.create(
            project=project, iteration=iteration, test_case=test_case, test_case_revision=revision,
            status=_STATUS[case.outcome], source="junit", tester=user, executed_at=now,
            duration=timedelta(seconds=case.duration or 0), junit_name=case.full_name[:500],
            message=f"{case.message}\n{case.details}".strip()[:20_000],
        )  # fmt: skip
        created += 1
    return created


def measure(fn: Any, runs: int, cases: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(runs):
        try:
            with transaction.atomic():
                project, user, campaign = setup(cases)
                started = time.perf_counter()
                result = fn(project, user, campaign)
                samples.append(time.perf_counter() - started)
                raise Rollback
        except Rollback:
            pass
    return statistics.median(samples), result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--naive-rows", type=int, default=20_000, help="results the naive loop imports")
    parser.add_argument("--runs", type=int, default=3, help="runs of the bulk path (median); the naive one runs once")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    Project.objects.filter(code=CODE).delete()
    data = report(args.cases)
    print(f"JUnit import on {connection.vendor}, {args.cases:,} test cases ({len(data) / 1e6:.1f} MB), {machine()}")
    started = time.perf_counter()
    read_junit(data, "report.xml")
    parse_s = time.perf_counter() - started
    print(f"  {'read_junit alone (lxml + junitparser)':<55} {parse_s:8.2f} s")
    bulk_s, result = measure(
        lambda p, u, c: services.junit_import(actor=u, campaign=c, data=data, filename="r.xml"), args.runs, args.cases
    )
    verdict = "OK" if bulk_s < 5 else "MISSED"
    label = f"bulk: services.junit_import (median of {args.runs})"
    print(f"  {label:<55} {bulk_s:8.2f} s   target < 5 s  {verdict}")
    print(f"        created {result.created:,}, unmapped {len(result.unmapped):,}, failures {len(result.failures):,}")
    naive_s, naive_created = measure(lambda p, u, c: naive(p, u, c, data, args.naive_rows), 1, args.cases)
    label = f"naive: per-row ORM loop ({args.naive_rows:,} results)"
    print(f"  {label:<55} {naive_s:8.2f} s   created {naive_created:,}")
    per_row_bulk = bulk_s / max(result.created, 1)
    per_row_naive = naive_s / max(naive_created, 1)
    print(f"  ratio naive / bulk, per execution created: {per_row_naive / per_row_bulk:6.1f} ×")
