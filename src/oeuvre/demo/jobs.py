from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from oeuvre.core.jobs import Progress, job_handler
from oeuvre.core.models import Job
from oeuvre.demo.generator import generate
from oeuvre.web import notifications


@job_handler("demo.generate")
def generate_demo(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    today = date.fromisoformat(params["today"]) if params.get("today") else timezone.localdate()
    with notifications.paused():  # the history's events are past: the web step writes what waits for people
        ctx = generate(
            size=params.get("size", "small"), seed=int(params.get("seed", 42)), today=today, progress=progress
        )
    progress.message = f"{len(ctx.projects)} projects"
    return {"projects": len(ctx.projects), "users": len(ctx.users)}
