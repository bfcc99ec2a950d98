"""Benchmark of incoming forge deliveries (issue 18: 1,000 pushes of 10 commits accepted in < 20 ms each at p95,
processed by one worker in < 60 s), queued design vs processing inside the request.

    OEUVRE_DATA_DIR=var/bench-forge python bench/forge_hooks.py [--events 1000] [--commits 10]

The script migrates the configured database, builds a throw-away project with 50 exigences and a GitLab
repository, then times:

- **accept (queued)**: each push POSTed to the real endpoint through Django's test client (signature check, replay
  check, raw body stored, job queued) — per-request wall time, p50 and p95;
- **accept (in-request)**: the competing design, where the request itself reads the payload, records the commits
  and links them (``event_receive(process_now=True)``, called without HTTP, which favours it);
- **worker**: the queued jobs run one after the other by ``execute_job``, as one worker does.

Everything printed is measured in this run; the project is deleted at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from oeuvre.accounts.models import Organisation, User  # noqa: E402
from oeuvre.core.jobs import execute_job  # noqa: E402
from oeuvre.core.models import Job  # noqa: E402
from oeuvre.forge.models import ChainLink, Repository  # noqa: E402
from oeuvre.forge.secrets import encrypt_secret  # noqa: E402
from oeuvre.forge.services.events import event_receive  # noqa: E402
from oeuvre.projects.models import Project  # noqa: E402
from oeuvre.requirements.models import Exigence  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"  # noqa: S105 — a throw-away project's secret


def push(n: int, commits: int) -> bytes:
    return json.dumps(
        {
            "object_kind": "push",
            "ref": f"refs/heads/feature/ex-{n % 50 + 1:03d}",
            "commits": [
                {
                    "id": hashlib.sha1(f"{n}:{i}".encode(), usedforsecurity=False).hexdigest(),
                    "message": f"EX-{(n + i) % 50 + 1:03d}: étape {i} de la livraison {n}",
                    "timestamp": "2026-11-04T10:00:00+01:00",
                    "url": f"https://gitlab.example.com/moe/bench/-/commit/{n}-{i}",
                    "author": {"name": "Bench", "email": "bench@example.com"},
                }
                for i in range(commits)
            ],
        }
    ).encode()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=10)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    Project.objects.filter(code__startswith="bench-forge").delete()
    org, _ = Organisation.objects.get_or_create(name="Bench")
    User.objects.get_or_create(username="bench-forge")
    projects = []
    for code in ("bench-forge-q", "bench-forge-s"):
        project = Project.objects.create(code=code, name=code, moa_organisation=org, moe_organisation=org)
        Exigence.objects.bulk_create(
            [Exigence(project=project, reference=f"EX-{i:03d}", number=i, title=f"Exigence {i}") for i in range(1, 51)]
        )
        repo = Repository.objects.create(
            project=project, kind="gitlab", name="moe/bench", secret_encrypted=encrypt_secret(SECRET)
        )
        projects.append((project, repo))
    bodies = [push(n, args.commits) for n in range(args.events)]
    client = Client(SERVER_NAME="localhost")
    (queued_project, queued_repo), (sync_project, sync_repo) = projects

    accept: list[float] = []
    for n, body in enumerate(bodies):
        started = time.perf_counter()
        response = client.post(
            queued_repo.webhook_path,
            body,
            content_type="application/json",
            headers={"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": SECRET, "X-Gitlab-Event-UUID": f"q-{n}"},
        )
        accept.append(1000 * (time.perf_counter() - started))
        assert response.status_code == 202, response.content

    in_request: list[float] = []
    for n, body in enumerate(bodies):
        headers = {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": SECRET, "X-Gitlab-Event-UUID": f"s-{n}"}
        started = time.perf_counter()
        event_receive(token=sync_repo.hook_token, headers=headers, body=body, process_now=True)
        in_request.append(1000 * (time.perf_counter() - started))

    jobs = list(Job.objects.filter(project=queued_project, kind="forge.process_event").order_by("created_at"))
    started = time.perf_counter()
    for job in jobs:
        execute_job(job)
    worker = time.perf_counter() - started
    links = ChainLink.objects.filter(project=queued_project).count()
    assert links == ChainLink.objects.filter(project=sync_project).count()

    load = os.getloadavg()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"database: {django.db.connection.vendor}; {args.events} pushes of {args.commits} commits; {links} links")
    print(f"accept, queued (endpoint over the test client): p50 {percentile(accept, 0.5):.1f} ms, "
          f"p95 {percentile(accept, 0.95):.1f} ms (target < 20 ms)")  # fmt: skip
    print(f"accept, processed in the request:               p50 {percentile(in_request, 0.5):.1f} ms, "
          f"p95 {percentile(in_request, 0.95):.1f} ms")  # fmt: skip
    print(f"ratio in-request / queued at p95: {percentile(in_request, 0.95) / percentile(accept, 0.95):.1f}x")
    print(f"one worker: {len(jobs)} deliveries in {worker:.1f} s (target < 60 s), "
          f"{statistics.mean([worker / max(len(jobs), 1) * 1000]):.1f} ms each")  # fmt: skip
    Project.objects.filter(code__startswith="bench-forge").delete()


if __name__ == "__main__":
    main()
