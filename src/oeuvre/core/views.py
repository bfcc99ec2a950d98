from __future__ import annotations

import time

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from oeuvre.accounts.permissions import PROJECT_VIEW, can
from oeuvre.core.jobs import job_or_404, job_state
from oeuvre.core.models import Job
from oeuvre.web.decorators import user_page


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 otherwise. Says nothing else."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "checks": {"database": "unavailable"}}, status=503)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse({"status": "ok", "checks": {"database": "ok", "database_ms": elapsed_ms}})


def visible_job(request: HttpRequest, job_id: str) -> Job:
    job = job_or_404(job_id)
    if job.created_by_id == request.user.pk:
        return job
    if job.project is not None and can(request.user, job.project, PROJECT_VIEW):
        return job
    raise Http404("job")


@user_page
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = visible_job(request, job_id)
    template = "core/_job_progress.html" if request.htmx else "core/job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job, "state": job_state(job)})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)
