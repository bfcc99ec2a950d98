from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from oeuvre.core.api import ErrorOut
from oeuvre.core.jobs import job_state
from oeuvre.core.views import visible_job

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: str
    kind: str
    status: str
    progress: int
    total: int
    percent: int
    message: str
    result: dict[str, Any]
    error: str


@router.get("/jobs/{job_id}", response={200: JobOut, 404: ErrorOut}, summary="A job's status and progress")
def get_job(request: HttpRequest, job_id: str) -> object:
    return job_state(visible_job(request, job_id))
