"""Jobs whose process died: heartbeats while a job runs, and a reaper that marks the dead ones failed.

Before, a worker killed mid-job left its job "running" forever, and the page polled it forever.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from oeuvre.core import jobs
from oeuvre.core.jobs import STALE_AFTER, execute_job, job_enqueue, jobs_reap
from oeuvre.core.models import Job


@jobs.job_handler("tests.nap")
def _nap(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    time.sleep(float(job.params.get("seconds", 0.4)))
    if job.params.get("interrupt"):
        raise KeyboardInterrupt
    return {"slept": True}


@pytest.mark.django_db(transaction=True)
def test_it_beats_while_a_job_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", dt.timedelta(seconds=0.05))
    job = job_enqueue(kind="tests.nap", params={"seconds": 0.6}, queue=False)
    done = execute_job(job)
    done.refresh_from_db()
    assert done.status == Job.Status.DONE
    assert done.started_at is not None
    assert done.heartbeat_at is not None
    assert done.heartbeat_at > done.started_at + dt.timedelta(seconds=0.1)  # beats came after the start


@pytest.mark.django_db
def test_the_reaper_fails_only_the_jobs_whose_heartbeat_stopped() -> None:
    now = timezone.now()
    old = now - STALE_AFTER - dt.timedelta(seconds=1)
    dead = Job.objects.create(kind="tests.nap", status=Job.Status.RUNNING, started_at=old, heartbeat_at=old)
    alive = Job.objects.create(kind="tests.nap", status=Job.Status.RUNNING, started_at=old, heartbeat_at=now)
    # A row from before heartbeats existed: its start tells.
    legacy = Job.objects.create(kind="tests.nap", status=Job.Status.RUNNING, started_at=old, heartbeat_at=None)
    queued = Job.objects.create(kind="tests.nap", status=Job.Status.QUEUED)
    finished = Job.objects.create(kind="tests.nap", status=Job.Status.DONE, started_at=old, heartbeat_at=old)
    assert jobs_reap(now) == 2
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses[dead.pk] == statuses[legacy.pk] == Job.Status.FAILED
    assert (statuses[alive.pk], statuses[queued.pk], statuses[finished.pk]) == ("running", "queued", "done")
    dead.refresh_from_db()
    assert dead.finished_at == now
    assert "stopped" in dead.error or "arrêté" in dead.error
    assert jobs_reap(now) == 0  # once


@pytest.mark.django_db
def test_an_interrupted_job_says_so_instead_of_running_forever() -> None:
    job = job_enqueue(kind="tests.nap", params={"seconds": 0, "interrupt": True}, queue=False)
    with pytest.raises(KeyboardInterrupt):
        execute_job(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.finished_at is not None


_WORKER = textwrap.dedent(
    """
    import datetime as dt, sys, time
    import django
    django.setup()
    from django.db import connection
    from oeuvre.core import jobs
    from oeuvre.core.models import Job
    with connection.schema_editor() as editor:  # the job table alone: migrating everything takes long
        editor.create_model(Job)
    connection.disable_constraint_checking()  # its user and project tables do not exist here

    @jobs.job_handler("tests.forever")
    def forever(job, progress):
        time.sleep(600)
        return {}

    jobs.HEARTBEAT_EVERY = dt.timedelta(seconds=0.2)
    job = jobs.job_enqueue(kind="tests.forever", params={}, queue=False)
    print(job.pk, flush=True)
    jobs.execute_job(job)
    """
)

_REAPER = textwrap.dedent(
    """
    import datetime as dt
    import django
    django.setup()
    from django.db import connection
    connection.disable_constraint_checking()
    from django.utils import timezone
    from oeuvre.core.jobs import STALE_AFTER, jobs_reap
    print(jobs_reap(timezone.now() + STALE_AFTER + dt.timedelta(seconds=1)))
    """
)


@pytest.mark.slow
def test_a_worker_killed_mid_job_leaves_a_failed_job_not_a_running_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OEUVRE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))}
    env.update(OEUVRE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="oeuvre.settings")
    worker = subprocess.Popen(
        [sys.executable, "-c", _WORKER], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None
        job_id = worker.stdout.readline().strip().replace("-", "")
        assert job_id, worker.stderr.read() if worker.stderr else ""
        database = sqlite3.connect(tmp_path / "oeuvre.sqlite3", timeout=30)
        beats: set[str] = set()
        deadline = time.monotonic() + 120
        while len(beats) < 3 and time.monotonic() < deadline:  # the heartbeat moves while it runs
            row = database.execute("select status, heartbeat_at from core_job where id = ?", (job_id,)).fetchone()
            if row and row[0] == "running":
                beats.add(row[1])
            time.sleep(0.1)
        assert len(beats) >= 3
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=60)
    status = database.execute("select status from core_job where id = ?", (job_id,)).fetchone()[0]
    assert status == "running"  # what the killed worker left behind
    reaper = subprocess.run(
        [sys.executable, "-c", _REAPER], env=env, capture_output=True, text=True, timeout=300, check=True
    )
    assert reaper.stdout.strip() == "1"
    status, error = database.execute("select status, error from core_job where id = ?", (job_id,)).fetchone()
    assert status == "failed"
    assert error
