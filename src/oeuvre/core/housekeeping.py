"""Housekeeping jobs."""

from __future__ import annotations

import os
import socket
from datetime import time, timedelta
from typing import Any

from django.utils import timezone

from oeuvre.core.files import sweep_orphans
from oeuvre.core.jobs import Progress, job_handler
from oeuvre.core.models import Job
from oeuvre.core.periodic import register_periodic


@job_handler("core.prune_jobs")
def prune_jobs(job: Job, progress: Progress) -> dict[str, Any]:
    """Delete finished jobs older than ``days`` (default 30); the records of running ones stay."""
    days = int(job.params.get("days", 30))
    old = Job.objects.filter(finished_at__lt=timezone.now() - timedelta(days=days)).exclude(pk=job.pk)
    progress.start(1, "pruning")
    deleted, _ = old.delete()
    progress.advance(1, f"{deleted} old jobs deleted")
    # Which process ran it, so an operator can see the queue is shared by every worker.
    return {"deleted": deleted, "worker": f"{socket.gethostname()}:{os.getpid()}"}


@job_handler("core.sweep_files")
def sweep_files(job: Job, progress: Progress) -> dict[str, Any]:
    """Remove private files that no row points at (written by a transaction that failed, or left by a killed job)."""
    progress.start(1, "sweeping")
    removed = sweep_orphans(grace_seconds=int(job.params.get("grace_seconds", 3600)))
    progress.advance(1)
    return {"removed": removed}


def register_housekeeping() -> None:
    register_periodic("core.prune_jobs", every=timedelta(days=1), at=time(3, 0))
    register_periodic("core.sweep_files", every=timedelta(days=1), at=time(3, 30))
