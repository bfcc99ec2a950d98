"""Housekeeping jobs."""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import Any

from django.utils import timezone

from oeuvre.core.jobs import Progress, job_handler
from oeuvre.core.models import Job


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
