"""Long work as jobs: a registry of handlers, one task that runs them, and progress everyone can read.

Progress lives in the shared cache while a job runs, not in its database row: a handler usually
writes inside one transaction (an import is all or nothing), and rows written there stay invisible to
the pages polling them until the commit. The row gets the final figures when the job ends.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.core.errors import DomainError
from oeuvre.core.models import Job
from oeuvre.interop.errors import FileFormatError

__all__ = ["Progress", "execute_job", "job_enqueue", "job_handler", "job_or_404", "job_state", "run_job"]

logger = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}
_CACHE_TTL = 24 * 3600


def job_or_404(job_id: object, **filters: Any) -> Job:
    """The job ``job_id`` that matches ``filters``, or a 404, also when the id is not a UUID at all (a lookup
    with a malformed id would raise a validation error, that is a server error)."""
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        raise Http404("job") from None
    return get_object_or_404(Job.objects.select_related("project"), pk=pk, **filters)


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register ``fn(job, progress) -> result dict`` as the handler of jobs of ``kind``."""

    def register(fn: Handler) -> Handler:
        if kind in _HANDLERS and _HANDLERS[kind] is not fn:
            raise ValueError(f"job kind {kind!r} is registered twice")
        _HANDLERS[kind] = fn
        return fn

    return register


def _cache_key(job_id: object) -> str:
    return f"oeuvre:job:{job_id}"


class Progress:
    """Progress reporter handed to a job handler.

    It writes to the cache when the whole percentage changes or a tenth of a second has passed, so a
    tight loop of ten thousand steps costs about a hundred writes and the page is never far behind.
    """

    def __init__(self, job: Job, listener: Callable[[int, int, str], None] | None = None) -> None:
        self.job = job
        self.done = 0
        self.total = 0
        self.message = ""
        self._listener = listener
        self._last_write = 0.0
        self._last_percent = -1

    def start(self, total: int, message: str = "") -> None:
        self.total = max(total, 0)
        self.done = 0
        self.message = message
        self._publish(force=True)

    def advance(self, step: int = 1, message: str | None = None) -> None:
        self.done = min(self.done + step, self.total) if self.total else self.done + step
        if message is not None:
            self.message = message
        self._publish(force=self.done >= self.total)

    def _publish(self, *, force: bool = False) -> None:
        if self._listener is not None:
            self._listener(self.done, self.total, self.message)
        now = time.monotonic()
        percent = int(100 * self.done / self.total) if self.total else 0
        if force or percent != self._last_percent or now - self._last_write >= 0.1:
            self._last_write = now
            self._last_percent = percent
            state = {"progress": self.done, "total": self.total, "message": self.message[:300]}
            cache.set(_cache_key(self.job.pk), state, _CACHE_TTL)


def job_enqueue(
    *, kind: str, params: dict[str, Any], actor: Any = None, project: Any = None, queue: bool = True
) -> Job:
    """Create a job and hand it to the worker once the caller's transaction commits.

    ``queue=False`` only creates the row, for a terminal that runs the job itself with its progress bar
    (``oeuvre.core.cli.run_job``): the same service then serves the page, the API and the CLI.
    """
    if kind not in _HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, params=params, created_by=actor, project=project)
    if queue:
        job_id = str(job.pk)
        transaction.on_commit(lambda: run_job.enqueue(job_id))
    return job


def execute_job(job: Job, listener: Callable[[int, int, str], None] | None = None) -> Job:
    """Run ``job`` in this process (the worker, or a terminal that shows its own progress bar)."""
    handler = _HANDLERS.get(job.kind)
    progress = Progress(job, listener)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    try:
        if handler is None:
            raise ValueError(f"unknown job kind {job.kind!r}")
        result = handler(job, progress)
    except (DomainError, FileFormatError, PermissionDenied) as exc:
        # An expected refusal (a bad file, a rule, a right): its message is written for the user.
        job.status = Job.Status.FAILED
        job.error = (str(exc.message) if isinstance(exc, DomainError) else str(exc)) or type(exc).__name__
        job.message = job.error[:300]
        job.result = {}
    except Exception:
        # A bug: the traceback goes to the log only, under an error id that the user and the API see.
        error_id = uuid.uuid4().hex[:12]
        logger.exception("job %s (%s) failed, error id %s", job.pk, job.kind, error_id)
        job.status = Job.Status.FAILED
        job.error = _("Unexpected error (id %(id)s): the administrator finds the details in the server log.") % {
            "id": error_id
        }
        job.message = job.error[:300]
        job.result = {"error_id": error_id}
    else:
        job.status = Job.Status.DONE
        job.result = result
        job.message = progress.message[:300]
    job.progress = progress.done
    job.total = progress.total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "message", "result", "progress", "total", "finished_at"])
    cache.delete(_cache_key(job.pk))
    return job


@task()
def run_job(job_id: str) -> str:
    job = Job.objects.get(pk=job_id)
    return execute_job(job).status


def job_state(job: Job) -> dict[str, Any]:
    """The job's state for a page or the API, with live progress from the cache while it runs."""
    state = job.as_dict()
    if not job.finished:
        live = cache.get(_cache_key(job.pk))
        if live:
            state.update(live)
            state["percent"] = int(100 * live["progress"] / live["total"]) if live["total"] else 0
    return state
