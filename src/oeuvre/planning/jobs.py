"""Long planning work as jobs: rescheduling a large plan, levelling, Monte Carlo, file imports."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from oeuvre.core.files import private_path, register_private_area, remove_private
from oeuvre.core.jobs import Progress, job_handler
from oeuvre.core.models import Job
from oeuvre.planning.models import Plan
from oeuvre.projects.models import Project

__all__ = ["import_plan_job", "level_job", "risk_job", "schedule_job"]


def _project(job: Job) -> Project:
    return Project.objects.get(pk=job.params["project"])


def _fraction(progress: Progress, total: int = 100) -> Any:
    """An engine callback (a fraction done, maybe a phase) that moves the job's progress bar."""
    progress.start(total)

    def report(fraction: float, phase: str | None = None) -> None:
        target = min(total, int(fraction * total))
        if target > progress.done:
            progress.advance(target - progress.done, phase)

    return report


@job_handler("planning.schedule")
def schedule_job(job: Job, progress: Progress) -> dict[str, Any]:
    from oeuvre.planning.services import plan_locked, reschedule

    project = _project(job)
    progress.start(2, "loading the plan")
    with transaction.atomic():
        plan = plan_locked(project)
        progress.advance(1, "scheduling")
        outcome = reschedule(project, plan)
    progress.advance(1, "done")
    return {"finish": outcome.finish.isoformat() if outcome.finish else None, "tasks": outcome.plan.n}


@job_handler("planning.level")
def level_job(job: Job, progress: Progress) -> dict[str, Any]:
    from oeuvre.planning.analysis import levelling_proposal

    project = _project(job)
    report = _fraction(progress)
    with transaction.atomic():
        plan, _ = Plan.objects.get_or_create(project=project)
        revision = plan.revision
        result = levelling_proposal(
            project,
            plan,
            method=job.params.get("method", "heuristic"),
            time_limit=float(job.params.get("time_limit", 10)),
            progress=report,
        )
    report(1.0, f"{len(result['moved'])} tasks moved")
    return {**result, "revision": revision}


@job_handler("planning.risk")
def risk_job(job: Job, progress: Progress) -> dict[str, Any]:
    from oeuvre.planning.analysis import risk_analysis

    project = _project(job)
    iterations = int(job.params.get("iterations", 5000))
    report = _fraction(progress)
    plan, _ = Plan.objects.get_or_create(project=project)
    result = risk_analysis(project, plan, iterations=iterations, seed=int(job.params.get("seed", 1)), progress=report)
    report(1.0, f"P80 {result['percentiles']['P80']}")
    return {**result, "revision": plan.revision}


@job_handler("planning.import")
def import_plan_job(job: Job, progress: Progress) -> dict[str, Any]:
    from oeuvre.accounts.models import User
    from oeuvre.planning.importing import PLAN_UPLOADS, import_plan_file

    project = _project(job)
    actor = User.objects.get(pk=job.params["actor"])
    stored = job.params["stored"]
    data = private_path(PLAN_UPLOADS, stored).read_bytes()
    try:
        return import_plan_file(
            actor=actor,
            project=project,
            filename=job.params["filename"],
            data=data,
            replace=bool(job.params.get("replace")),
            progress=progress,
        )
    finally:
        remove_private(PLAN_UPLOADS, stored)


def _waiting_uploads() -> list[str]:
    """Files of imports not run yet; any other file of the area is an orphan for the housekeeping sweep."""
    pending = Job.objects.filter(kind="planning.import", status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    return [str(params.get("stored", "")) for params in pending.values_list("params", flat=True)]


register_private_area("plan-imports", _waiting_uploads)
