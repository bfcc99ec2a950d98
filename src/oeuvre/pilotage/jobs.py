"""Background work of the pilotage stage: the weekly météo snapshot of every project."""

from __future__ import annotations

import logging
from datetime import time, timedelta
from typing import Any

from oeuvre.core.jobs import Progress, job_handler
from oeuvre.core.models import Job
from oeuvre.core.periodic import register_periodic
from oeuvre.projects.models import Project

__all__ = ["register", "snapshot_all_job", "snapshot_job"]

logger = logging.getLogger(__name__)


@job_handler("pilotage.snapshot_all")
def snapshot_all_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Keep this week's météo of every project; one project's failure does not stop the others."""
    from oeuvre.pilotage.models import SnapshotKind
    from oeuvre.pilotage.services.meteo import snapshot_record

    projects = list(Project.objects.order_by("code"))
    progress.start(len(projects), "météo snapshots")
    taken, failed = 0, []
    for project in projects:
        try:
            snapshot_record(project=project, kind=SnapshotKind.WEEKLY)
            taken += 1
        except Exception:  # a broken plan of one project must not hide the others' météo
            logger.exception("météo snapshot of %s failed", project.code)
            failed.append(project.code)
        progress.advance(1, project.code)
    return {"taken": taken, "failed": failed}


@job_handler("pilotage.snapshot")
def snapshot_job(job: Job, progress: Progress) -> dict[str, Any]:
    from oeuvre.accounts.models import User
    from oeuvre.pilotage.services.meteo import snapshot_take

    project = Project.objects.get(pk=job.params["project"])
    actor = User.objects.get(pk=job.params["actor"])
    progress.start(1, project.code)
    snapshot = snapshot_take(actor=actor, project=project)
    progress.advance(1)
    return {"taken_on": snapshot.taken_on.isoformat(), "overall": snapshot.overall}


def register() -> None:
    register_periodic("pilotage.snapshot_all", every=timedelta(days=7), at=time(6, 0))
