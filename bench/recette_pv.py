"""Benchmark of the PV slice: gathering a PV's facts from 50,000 executions, against two other ways.

The PV proposal needs the latest execution of each planned test of its campaigns. Œuvre reads the
latest run per (campaign, test) with a window function in the database (``selectors.pv.gather_facts``);
compared with reading every execution back and keeping the last one in Python, and with the naive way that
asks, for each planned test, for its latest execution (one query per test). Also timed: the PDF of
one signature (WeasyPrint) and ``ledger_verify`` over a chain of signed records.

The data is built inside a transaction that is rolled back, so any migrated database will do::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_pv .venv/bin/python bench/recette_pv.py

Options: ``--tests 2000 --runs 25`` (50,000 executions), ``--repeat 5``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))


def _median(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


PASSWORD = "bench-password"  # noqa: S105 - a throw-away account inside a rolled-back transaction


class Rollback(Exception):
    pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tests", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=25, help="executions per planned test (over the iterations)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from oeuvre.accounts.models import Organisation, User
    from oeuvre.projects.models import Membership, Project
    from oeuvre.recette.models import (
        Anomaly,
        Campaign,
        Execution,
        Iteration,
        PlannedTest,
        TestCase,
        TestCaseRevision,
    )
    from oeuvre.recette.selectors.pv import gather_facts
    from oeuvre.recette.services import pv as pv_services
    from oeuvre.recette.services.ledger import ledger_verify

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        with transaction.atomic():
            moa_org = Organisation.objects.create(name="Bench MOA", kind="public")
            moe_org = Organisation.objects.create(name="Bench MOE", kind="esn")
            project = Project.objects.create(
                code="bench-pv", name="Bench PV", moa_organisation=moa_org, moe_organisation=moe_org
            )
            users = {}
            for role in ("moa", "amoa", "moe"):
                users[role] = User.objects.create_user(username=f"bench-pv-{role}", password=PASSWORD)
                Membership.objects.create(project=project, user=users[role], role=role)
            campaign = Campaign.objects.create(project=project, name="VABF bench", kind="vabf")
            iterations = [Iteration.objects.create(campaign=campaign, number=n) for n in range(1, 6)]
            cases = TestCase.objects.bulk_create(
                TestCase(project=project, reference=f"CT-{i:05d}", number=i, title=f"Cas {i}")
                for i in range(1, args.tests + 1)
            )
            revisions = TestCaseRevision.objects.bulk_create(
                TestCaseRevision(test_case=c, revision=1, content={}) for c in cases
            )
            PlannedTest.objects.bulk_create(
                PlannedTest(campaign=campaign, test_case=c, position=i) for i, c in enumerate(cases)
            )
            now = timezone.now()
            statuses = ["ko", "bloque", "ok", "ok", "ok"]
            batch = []
            for i, (case, revision) in enumerate(zip(cases, revisions, strict=True)):
                for r in range(args.runs):
                    batch.append(
                        Execution(
                            project=project,
                            iteration=iterations[r * len(iterations) // args.runs],
                            test_case=case,
                            test_case_revision=revision,
                            status=statuses[(i + r) % len(statuses)],
                            executed_at=now - timedelta(minutes=args.runs - r),
                        )
                    )
            Execution.objects.bulk_create(batch, batch_size=5000)
            Anomaly.objects.bulk_create(
                Anomaly(
                    project=project,
                    reference=f"ANO-{k:04d}",
                    number=k,
                    title=f"Anomalie {k}",
                    severity=("majeure", "mineure", "mineure")[k % 3],
                    status="qualifiee",
                    campaign=campaign,
                )
                for k in range(1, 201)
            )
            print(f"data: {args.tests} planned tests, {len(batch)} executions, 200 anomalies")

            def ours() -> dict[str, Any]:
                return gather_facts(project, [campaign])[0]["totals"]

            def python_pass() -> dict[str, int]:
                """The previous implementation: every execution read back, the last one per test wins."""
                latest: dict[int, str] = {}
                rows = (
                    Execution.objects.filter(iteration__campaign=campaign)
                    .order_by("iteration__number", "executed_at", "pk")
                    .values_list("test_case_id", "status")
                )
                for case_id, status in rows.iterator(chunk_size=5000):
                    latest[case_id] = status
                key = {"ok": "passed", "ko": "failed", "bloque": "blocked"}
                counts = {"passed": 0, "failed": 0, "blocked": 0, "not_run": 0}
                for planned in PlannedTest.objects.filter(campaign=campaign).values_list("test_case_id", flat=True):
                    counts[key.get(latest.get(planned, ""), "not_run")] += 1
                return counts

            def naive() -> dict[str, int]:
                counts = {"passed": 0, "failed": 0, "blocked": 0, "not_run": 0}
                key = {"ok": "passed", "ko": "failed", "bloque": "blocked"}
                for planned in PlannedTest.objects.filter(campaign=campaign):
                    last = (
                        Execution.objects.filter(iteration__campaign=campaign, test_case_id=planned.test_case_id)
                        .order_by("-iteration__number", "-executed_at", "-pk")
                        .first()
                    )
                    counts[key.get(last.status, "not_run") if last else "not_run"] += 1
                return counts

            mine_totals, naive_totals = ours(), naive()
            assert {k: mine_totals[k] for k in naive_totals} == naive_totals, (mine_totals, naive_totals)
            assert python_pass() == naive_totals
            t_ours = _median(ours, args.repeat)
            t_pass = _median(python_pass, args.repeat)
            t_naive = _median(naive, max(1, args.repeat // 2))
            print(f"gather facts, window in the database : {t_ours * 1000:8.1f} ms")
            print(f"gather facts, all rows, last wins    : {t_pass * 1000:8.1f} ms   ratio = {t_pass / t_ours:.1f}x")
            print(f"gather facts, one query per test     : {t_naive * 1000:8.1f} ms   ratio = {t_naive / t_ours:.1f}x")

            t0 = time.perf_counter()
            pv = pv_services.pv_create(actor=users["amoa"], project=project, campaigns=[campaign])
            elapsed = (time.perf_counter() - t0) * 1000
            print(f"create the PV (facts, proposal, {pv.reserves.count()} proposed réserves): {elapsed:.0f} ms")
            reason = "" if pv.proposed_decision == "avec_reserves" else "bench"
            pv = pv_services.pv_decide(
                actor=users["moa"], pv=pv, decision="avec_reserves", reason=reason, expected_version=None
            )
            t0 = time.perf_counter()
            pv_services.pv_sign(actor=users["moa"], pv=pv, password=PASSWORD)
            elapsed = (time.perf_counter() - t0) * 1000
            print(f"sign (re-authentication, {pv.reserves.count()}-réserve PDF, chain): {elapsed:.0f} ms")
            pv_services.pv_countersign(actor=users["moe"], pv=pv, password=PASSWORD)
            for reserve in list(pv.reserves.order_by("number"))[:100]:
                pv_services.reserve_lift(actor=users["moa"], reserve=reserve, comment="levée")
            t_verify = _median(lambda: ledger_verify(project), args.repeat)
            entries = project.ledger_entries.count()
            print(f"verify a chain of {entries} entries (2 PDFs re-hashed): {t_verify * 1000:.0f} ms")
            raise Rollback
    except Rollback:
        print("(data rolled back)")


if __name__ == "__main__":
    main()
