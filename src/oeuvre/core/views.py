from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from oeuvre.accounts.permissions import PROJECT_VIEW, can
from oeuvre.core.jobs import job_or_404, job_state
from oeuvre.core.models import Job
from oeuvre.web.decorators import user_page

_REGION = re.compile(r"#[A-Za-z][\w-]*")  # the id of the region a finished job refreshes


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
    context: dict[str, Any] = {"job": job, "state": job_state(job)}
    refresh = request.GET.get("refresh", "")
    if request.htmx and _REGION.fullmatch(refresh):  # type: ignore[attr-defined]
        # The page that polls names the region showing the job's result; once the job is over, the partial
        # asks that page again (same origin: its path only) and swaps the region in, with no reload.
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        if page.path.startswith("/"):
            context |= {"refresh": refresh, "refresh_url": page.path + (f"?{page.query}" if page.query else "")}
    return render(request, template, context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)
