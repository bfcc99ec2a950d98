"""The scale-out setup: PostgreSQL, Redis job queue, two app servers and two workers, no local state.

Runs in the PostgreSQL pass of the suite, against its own copy of the demo; CI provides PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.request import HTTPCookieProcessor, build_opener

import psycopg
import pytest
from django.db import connection

from tests.conftest import IN_CI

pytestmark = pytest.mark.slow


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def cluster_env(request: Any, tmp_path: Path) -> Iterator[dict[str, str]]:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    if not _reachable(6379):
        if IN_CI:
            pytest.fail("Redis is required in CI on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    # A fresh copy of the demo (built once per run by `oeuvre demo`), in a PostgreSQL database of its own.
    demo = request.getfixturevalue("demo_database")
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("OEUVRE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env = {
        **base,
        "DATABASE_URL": demo.url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{9 + uuid.uuid4().int % 6}",
        "OEUVRE_SECRET_KEY": "s" * 50,
        "OEUVRE_DATA_DIR": str(tmp_path / "unused"),
    }
    try:
        yield env
    finally:
        subprocess.run(["redis-cli", "-u", env["REDIS_URL"], "FLUSHDB"], capture_output=True, check=False)


def _oeuvre(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "oeuvre", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_it_runs_two_app_servers_and_two_workers_on_shared_services(
    cluster_env: dict[str, str], tmp_path: Path
) -> None:
    ports = [_free_port(), _free_port()]
    processes: list[subprocess.Popen[Any]] = []
    try:
        for index, port in enumerate(ports):
            # Each process gets its own data directory: nothing may depend on an app server's disk.
            env = {**cluster_env, "OEUVRE_DATA_DIR": str(tmp_path / f"app{index}")}
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "oeuvre",
                        "serve",
                        "--port",
                        str(port),
                        "--no-worker",
                        "--no-migrate",
                        "--workers",
                        "1",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "oeuvre", "worker"],
                    env={**cluster_env, "OEUVRE_DATA_DIR": str(tmp_path / f"worker{index}")},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in ports:
            for _ in range(120):
                if _reachable(port):
                    break
                time.sleep(0.5)

        # Log in on the first server, then use the same session on the second one.
        jar = CookieJar()
        browser = build_opener(HTTPCookieProcessor(jar))
        page = browser.open(f"http://127.0.0.1:{ports[0]}/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        form = urllib.parse.urlencode(
            {"login": "moa", "password": "oeuvre-demo", "csrfmiddlewaretoken": token.group(1)}
        )
        browser.addheaders = [("Referer", f"http://127.0.0.1:{ports[0]}/accounts/login/")]
        browser.open(f"http://127.0.0.1:{ports[0]}/accounts/login/", data=form.encode(), timeout=30)
        home = browser.open(f"http://127.0.0.1:{ports[1]}/p/guichet-usagers/", timeout=30)
        assert home.url.endswith("/p/guichet-usagers/")
        assert "Guichet usagers" in home.read().decode()

        # Jobs queued in Redis are shared by both workers.
        enqueue = (
            "from django.db import transaction; from oeuvre.core.jobs import job_enqueue\n"
            "with transaction.atomic():\n"
            "    [job_enqueue(kind='core.prune_jobs', params={'days': 1}) for _ in range(6)]"
        )
        _oeuvre(cluster_env, "shell", "-c", enqueue)
        statuses: list[str] = []
        with psycopg.connect(cluster_env["DATABASE_URL"], autocommit=True) as conn:
            for _ in range(120):
                rows = conn.execute("SELECT status FROM core_job WHERE kind = 'core.prune_jobs'").fetchall()
                statuses = [row[0] for row in rows]
                if statuses.count("done") == 6:
                    break
                time.sleep(0.5)
        assert statuses.count("done") == 6, statuses
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
