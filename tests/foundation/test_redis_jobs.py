"""With REDIS_URL set, jobs go through Redis (RQ) and `oeuvre worker` runs them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import IN_CI


def test_it_runs_jobs_through_redis_when_redis_url_is_set(tmp_path: Path, migrated_template: dict[str, str]) -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if IN_CI:
            pytest.fail("Redis is required in CI on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("OEUVRE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env = {**base, "OEUVRE_DATA_DIR": str(tmp_path), "REDIS_URL": f"redis://127.0.0.1:6379/{9 + uuid.uuid4().int % 6}"}
    if "sqlite" in migrated_template:  # `migrate` below still runs, with nothing left to apply
        shutil.copyfile(migrated_template["sqlite"], tmp_path / "oeuvre.sqlite3")

    def oeuvre(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "oeuvre", *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    try:
        oeuvre("migrate", "-v0")
        backend = "from django.tasks import task_backends; print(type(task_backends['default']).__name__)"
        assert oeuvre("shell", "-c", backend).split()[-1] == "RQBackend"
        enqueue = (
            "from django.db import transaction; from oeuvre.core.jobs import job_enqueue\n"
            "with transaction.atomic(): print(job_enqueue(kind='core.prune_jobs', params={'days': 1}).pk)"
        )
        job_id = oeuvre("shell", "-c", enqueue).split()[-1]
        oeuvre("worker", "--batch")
        status = (
            f"from oeuvre.core.models import Job; j = Job.objects.get(pk='{job_id}');"
            "print(j.status, j.result['deleted'], j.result['worker'].split(':')[1] != str(__import__('os').getpid()))"
        )
        # Done by the worker process, not by the shell that queued it.
        assert oeuvre("shell", "-c", status).split()[-3:] == ["done", "0", "True"]
    finally:
        subprocess.run(["redis-cli", "-u", env["REDIS_URL"], "FLUSHDB"], capture_output=True, check=False)
