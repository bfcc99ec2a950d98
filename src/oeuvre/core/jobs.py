"""Long work as jobs: a registry of handlers, one task that runs them, and progress everyone can read.

Progress lives in the shared cache while a job runs, not in its database row: a handler usually
writes inside one transaction (an import is all or nothing), and rows written there stay invisible to
the pages polling them until the commit. The row gets the final figures when the job ends.

While a job runs, a thread of the process running it writes a heartbeat on its row every
:data:`HEARTBEAT_EVERY`. A worker killed mid-job (``kill -9``, a lost machine) leaves its row "running"; the
reaper (:func:`jobs_reap`, run at each tick of the worker's scheduler thread) marks such rows failed once their
heartbeat is older than :data:`STALE_AFTER`, and the page and the API then say the job stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.core.errors import DomainError
from oeuvre.core.models import Job
from oeuvre.interop.errors import FileFormatError

__all__ = [
    "HEARTBEAT_EVERY",
    "STALE_AFTER",
    "Progress",
    "execute_job",
    "job_enqueue",
    "job_handler",
    "job_or_404",
    "job_state",
    "jobs_reap",
    "run_job",
]

logger = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}
_CACHE_TTL = 24 * 3600

#: How often the process running a job writes its heartbeat.
HEARTBEAT_EVERY = dt.timedelta(seconds=20)
#: A running job whose heartbeat is older than this lost its process (many missed beats, not a slow one).
STALE_AFTER = dt.timedelta(minutes=3)


class _Heartbeat(threading.Thread):
    """Writes ``heartbeat_at`` on the job's row until stopped, from its own database connection.

    The handler may hold a long write transaction (an import is all or nothing): the beat is a one-row
    update outside it. A beat that fails (a locked SQLite file) is skipped; the next one tries again.
    """

    def __init__(self, job_id: Any, every: dt.timedelta) -> None:
        super().__init__(name=f"job-heartbeat-{job_id}", daemon=True)
        self.job_id = job_id
        self.every = every.total_seconds()
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())
                except Exception:  # a beat must never kill the job; the next one tries again
                    logger.debug("heartbeat of job %s skipped", self.job_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def jobs_reap(now: dt.datetime | None = None) -> int:
    """Mark failed the jobs left "running" by a process that died; return how many."""
    now = now or timezone.now()
    limit = now - STALE_AFTER
    stale = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit)
    )
    error = _("The process running this job stopped (a worker was killed or restarted): start it again.")
    return stale.update(status=Job.Status.FAILED, error=error, message=error[:300], finished_at=now)


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
    started = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=started, heartbeat_at=started)
    heartbeat = _Heartbeat(job.pk, HEARTBEAT_EVERY)
    heartbeat.start()
    try:
        if handler is None:
            raise ValueError(f"unknown job kind {job.kind!r}")
        result = handler(job, progress)
    except KeyboardInterrupt:
        # Ctrl-C in the terminal running the job: the row says so instead of staying "running".
        heartbeat.stop()
        error = _("Interrupted before the end: nothing of it was kept.")
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=error, message=error[:300], finished_at=timezone.now()
        )
        raise
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
    finally:
        heartbeat.stop()
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
