"""Benchmarks of the requirements stage, on the large demo data (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_req OEUVRE_DATA_DIR=var/bench \\
        oeuvre demo --size large --no-serve --force
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_req OEUVRE_DATA_DIR=var/bench \\
        python bench/requirements_bench.py [--rows 10000] [--naive-import-rows 1000]

Targets (issue 4): RTM of 5,000 exigences, server time for the first page < 300 ms and full Excel export
< 5 s; import of a 10,000-row Excel file < 10 s, with peak memory reported. Each figure is printed next
to its target and to a naive approach measured on the same data: the RTM built with per-row queries (what
an ORM loop over exigences → specifications → components does), and an import that calls the one-row
service for each row.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")

import django

django.setup()

from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from oeuvre.accounts.models import User  # noqa: E402
from oeuvre.projects.models import Membership, Project  # noqa: E402
from oeuvre.requirements import exports, imports, selectors, services  # noqa: E402
from oeuvre.requirements.models import Exigence, TraceKind  # noqa: E402

MAIN = "guichet-usagers"


def timed(fn: Callable[[], Any], runs: int = 5) -> tuple[float, Any]:
    """Median wall time in ms over ``runs`` (after one warm-up), and the last result."""
    result = fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def line(label: str, ms: float, target_ms: float | None = None, extra: str = "") -> None:
    verdict = ""
    if target_ms is not None:
        verdict = f"target < {target_ms:,.0f} ms  {'OK' if ms < target_ms else 'MISSED'}"
    print(f"  {label:<58} {ms:>10,.1f} ms  {verdict} {extra}")


class QueryCounter:
    """Counts queries without keeping them (CaptureQueriesContext stops at 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def naive_rtm_rows(project: Project, exigences: list[Exigence]) -> list[tuple[str, list[str], list[str]]]:
    """The RTM as a straightforward ORM loop would build it: queries per exigence and per specification."""
    rows = []
    for exigence in exigences:
        specs = list(exigence.specifications.all())
        components: list[str] = []
        for spec in specs:
            components.extend(c.reference for c in spec.components.all())
        rows.append((exigence.reference, [s.reference for s in specs], components))
    return rows


def bench_rtm(project: Project) -> None:
    count = Exigence.objects.filter(project=project).count()
    print(f"\nRTM of « {project.code} »: {count:,} exigences, {connection.vendor}")
    moa = User.objects.get(username="moa")
    client = Client(HTTP_HOST="localhost")
    client.force_login(moa)
    url = f"/p/{project.code}/requirements/rtm/"
    ms, response = timed(lambda: client.get(url))
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    line("first page (100 rows), HTTP request in process", ms, 300, f"({len(queries)} queries)")
    ms, response = timed(lambda: client.get(url + "?gap=any"))
    line("first page of rows with a gap (?gap=any)", ms, 300)
    ms, response = timed(lambda: client.get(url + "?sort=-priority&page=30"))
    line("page 30, sorted by priority descending", ms, 300)
    filters = selectors.RtmFilters()
    ms, _page = timed(lambda: selectors.rtm_page(project, filters, page=1, per_page=100))
    line("first page, selector only", ms)
    first = list(Exigence.objects.filter(project=project).order_by("number", "pk")[:100])
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        naive_rtm_rows(project, first)
        naive_ms = (time.perf_counter() - started) * 1000
    line("first page, naive per-row queries", naive_ms, None, f"({len(queries)} queries)")

    ms, data = timed(lambda: exports.rtm_xlsx(project), runs=3)
    line(f"full Excel export ({count:,} rows, {len(data) // 1024} KiB)", ms, 5000)
    ms_rows, (_rows, _tests) = timed(lambda: selectors.rtm_all(project), runs=3)
    line("  of which: every row from the selector", ms_rows)
    everything = list(Exigence.objects.filter(project=project).order_by("number", "pk"))
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        naive_rtm_rows(project, everything)
        naive_ms = (time.perf_counter() - started) * 1000
    line("every row by naive per-row queries (no Excel)", naive_ms, None, f"({counter.count:,} queries)")
    ms, _csv_data = timed(lambda: exports.rtm_csv(project), runs=3)
    line("full CSV export", ms)


def make_workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Exigences")
    sheet.append(["Cahier des charges — banc d'essai"])
    sheet.append(["Référence", "Titre", "Description", "Type", "Priorité", "Source", "Date de création"])
    types = ["Fonctionnelle", "Technique", "Performance", "Sécurité", "Réglementaire", "Exploitabilité"]
    priorities = ["Must", "Should", "Could", "Won't"]
    for i in range(1, rows + 1):
        sheet.append([
            f"BX-{i:05d}", f"Exigence de banc n° {i}",
            f"Le système doit permettre l'opération n° {i} en moins de {i % 7 + 1} secondes.",
            types[i % 6], priorities[i % 4], f"§{i % 9 + 1}.{i % 13 + 1}", date(2026, 1, i % 28 + 1),
        ])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bench_import(rows: int, naive_rows: int) -> None:
    print(f"\nImport of a {rows:,}-row Excel file")
    data = make_workbook(rows)
    print(f"  file: {len(data) // 1024:,} KiB")
    amoa = User.objects.get(username="amoa")
    main = Project.objects.get(code=MAIN)

    def fresh_project(code: str) -> Project:
        Project.objects.filter(code=code).delete()
        project = Project.objects.create(
            code=code,
            name=f"Banc {code}",
            moa_organisation=main.moa_organisation,
            moe_organisation=main.moe_organisation,
        )
        Membership.objects.create(project=project, user=amoa, role="amoa")
        return project

    project = fresh_project("bench-import")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    source = imports.read_source(data, "banc.xlsx")
    read_ms = (time.perf_counter() - started) * 1000
    mapping = imports.suggest_mapping(source.table.columns)
    plan_started = time.perf_counter()
    plan = imports.plan_import(project, source, mapping)
    plan_ms = (time.perf_counter() - plan_started) * 1000
    apply_started = time.perf_counter()
    imports.apply_import(actor=amoa, project=project, source=source, mapping=mapping)
    apply_ms = (time.perf_counter() - apply_started) * 1000
    total_ms = (time.perf_counter() - started) * 1000
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert plan.count("create") == rows, plan.summary(limit=3)
    assert Exigence.objects.filter(project=project).count() == rows
    line("read (hostile-file checks + openpyxl)", read_ms)
    line("dry run (plan)", plan_ms)
    line("commit (plan again + bulk writes with history)", apply_ms)
    line(f"read + commit, {rows:,} rows", read_ms + apply_ms, 10_000)
    line("read + dry run + commit", total_ms)
    # Peak memory on a second, separate run: tracemalloc slows allocation-heavy code several times over.
    other = fresh_project("bench-import-mem")
    tracemalloc.start()
    imports.apply_import(actor=amoa, project=other, source=imports.read_source(data, "banc.xlsx"), mapping=mapping)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  peak memory: {peak / 2**20:,.0f} MiB of Python allocations (tracemalloc, read + commit), "
        f"process max RSS {rss_after / 1024:,.0f} MiB (+{(rss_after - rss_before) / 1024:,.0f} MiB in the timed run)"
    )

    # Re-import the same file: every row is matched by reference and unchanged.
    started = time.perf_counter()
    again = imports.apply_import(actor=amoa, project=project, source=source, mapping=mapping)
    line("re-import of the same file (all unchanged)", (time.perf_counter() - started) * 1000)
    assert again.count("unchanged") == rows

    naive = fresh_project("bench-naive")
    sample = source.table.rows[:naive_rows]
    started = time.perf_counter()
    with transaction.atomic():
        for row in sample:
            services.exigence_create(
                actor=amoa, project=naive, reference=str(row.cells[0]), title=str(row.cells[1]), text=str(row.cells[2])
            )
    naive_ms = (time.perf_counter() - started) * 1000
    line(f"naive: one service call per row, {naive_rows:,} rows (measured)", naive_ms)
    print(f"  naive per row: {naive_ms / naive_rows:.2f} ms; bulk import per row: {(read_ms + apply_ms) / rows:.2f} ms")
    Project.objects.filter(code__in=["bench-import", "bench-import-mem", "bench-naive"]).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--naive-import-rows", type=int, default=1_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-rtm", action="store_true")
    args = parser.parse_args()
    project = Project.objects.filter(code=MAIN).first()
    if project is None:
        raise SystemExit("load the large demo first: oeuvre demo --size large --no-serve")
    if Exigence.objects.filter(project=project).count() < 5000:
        raise SystemExit("the main project has fewer than 5,000 exigences: load the demo with --size large")
    print(f"database: {connection.vendor}; satisfies links: "
          f"{project.trace_links.filter(kind=TraceKind.SATISFIES).count():,}")  # fmt: skip
    if not args.skip_rtm:
        bench_rtm(project)
    if not args.skip_import:
        bench_import(args.rows, args.naive_import_rows)
    reset_queries()


if __name__ == "__main__":
    main()
