"""Benchmark of a data-table page with filters and a saved view, as whole HTTP requests, on the large demo.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_bench OEUVRE_DATA_DIR=var/bench
    .venv/bin/oeuvre demo --size large --no-serve          # once
    .venv/bin/python bench/tables_page.py [--runs 15] [--port 8299]

The script starts ``oeuvre serve`` (one web process, no worker) on the same database, signs a member of the
demo project with the most anomalies in through a session cookie, saves a shared view on the anomalies table
(open anomalies, most recent status change first, 50 rows) and times, as the median and 90th percentile of
``--runs`` HTTP GETs after a warm-up, over a real socket:

* ours: the anomalies list through the saved view plus a filter in the URL (``?view=…&priority=P2``);
* ours: the exigences list with a filter and a sort, and the test book with a search;
* the competitor a client-side grid needs (DataTables, AG Grid in client mode): every anomaly of the project
  fetched from the JSON API, page after page, before the browser can filter and sort them.

It prints each median in ms, the number of SQL queries of one request (counted in-process with the test
client on the same URL) and the ratio to the competitor.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from oeuvre.projects.models import Membership, Project  # noqa: E402
from oeuvre.web.models import SavedView  # noqa: E402


def _wait_for(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer on port {port}")


def _get(port: int, path: str, cookie: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "fr"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, len(body)


def _timed(fn: Any, runs: int) -> tuple[float, float]:
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.9) - 1)]


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--port", type=int, default=8299)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to the PostgreSQL database holding the large demo")

    project = Project.objects.annotate(n=Count("anomalies")).order_by("-n").first()
    if project is None or project.n == 0:  # type: ignore[attr-defined]
        raise SystemExit("no demo data: run `oeuvre demo --size large --no-serve` first")
    member = Membership.objects.filter(project=project, role="moe").select_related("user").first()
    assert member is not None
    user = member.user
    view, _created = SavedView.objects.update_or_create(
        project=project,
        owner=user,
        table="recette.anomalies",
        name="bench: open, latest first",
        defaults={"params": "open=1&sort=-changed&size=50", "shared": True},
    )
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    base = f"/p/{project.code}"
    ours = {
        "anomalies, saved view + filter": f"{base}/recette/anomalies/list/?view={view.pk}&priority=P2",
        "exigences, filter + sort": f"{base}/requirements/?status=validee&sort=-owner",
        "test book, search": f"{base}/recette/book/?q=connexion&size=100",
    }
    total = project.anomalies.count()  # type: ignore[attr-defined]
    api = f"/api/projects/{project.code}/anomalies?page_size=100"

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oeuvre",
            "serve",
            "--port",
            str(args.port),
            "--no-worker",
            "--no-migrate",
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(args.port)
        load = os.getloadavg()
        print(f"project {project.code}: {total} anomalies, {project.exigences.count()} exigences")  # type: ignore[attr-defined]
        print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {args.runs} runs each")

        def client_side() -> None:
            page = 1
            while (page - 1) * 100 < total:
                status, _size = _get(args.port, f"{api}&page={page}", cookie)
                assert status == 200, status
                page += 1

        competitor, competitor_p90 = _timed(client_side, args.runs)
        api_queries = _queries(client, api) * ((total + 99) // 100)
        print(f"{'request':<40} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'vs client-side grid':>20}")
        for label, path in ours.items():
            status, _size = _get(args.port, path, cookie)
            assert status == 200, (path, status)
            median, p90 = _timed(lambda path=path: _get(args.port, path, cookie), args.runs)
            print(f"{label:<40} {median:>10.1f} {p90:>8.1f} {_queries(client, path):>8} {competitor / median:>19.1f}x")
        label = "client-side grid: all anomalies (API)"
        print(f"{label:<40} {competitor:>10.1f} {competitor_p90:>8.1f} {api_queries:>8} {1:>19.1f}x")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
