"""Periodic jobs: the weekly météo snapshot, the daily digest, housekeeping.

A stage declares ``register_periodic("pilotage.snapshot_all", every=timedelta(days=7), at=time(6, 0))`` in
its ``AppConfig.ready()``. Each worker process runs :func:`enqueue_due` about once a minute (a daemon thread
started by ``oeuvre worker``); a due row is taken under a lock and moved to its next time in the same
transaction, so the job is queued once however many workers run. ``oeuvre periodic`` lists the schedule.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from oeuvre.core.jobs import job_enqueue, jobs_reap
from oeuvre.core.models import PeriodicRun

__all__ = ["Periodic", "enqueue_due", "periodic_jobs", "register_periodic", "start_scheduler_thread"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    kind: str
    every: timedelta
    at: time | None = None  # local time of day for daily/weekly runs
    params: dict[str, Any] = field(default_factory=dict)

    def first_run(self, now: datetime) -> datetime:
        if self.at is None:
            return now
        local = timezone.localtime(now)
        candidate = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        return candidate if candidate > local else candidate + timedelta(days=1)

    def next_after(self, due: datetime, now: datetime) -> datetime:
        nxt = due + self.every
        while nxt <= now:  # a worker that was down does not queue every missed run
            nxt += self.every
        return nxt


_PERIODIC: dict[str, Periodic] = {}


def register_periodic(
    kind: str, *, every: timedelta, at: time | None = None, params: dict[str, Any] | None = None
) -> None:
    """Queue a job of ``kind`` (a registered job handler) every ``every``, at ``at`` local time if given."""
    if every <= timedelta(0):
        raise ValueError("every must be positive")
    _PERIODIC[kind] = Periodic(kind, every, at, dict(params or {}))


def periodic_jobs() -> list[Periodic]:
    return sorted(_PERIODIC.values(), key=lambda p: p.kind)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Queue every periodic job that is due; returns the kinds queued."""
    moment = now or timezone.now()
    queued: list[str] = []
    for periodic in periodic_jobs():
        try:
            with transaction.atomic():
                PeriodicRun.objects.get_or_create(
                    kind=periodic.kind, defaults={"next_run_at": periodic.first_run(moment)}
                )
        except IntegrityError:
            pass  # another worker created it
        with transaction.atomic():
            row = PeriodicRun.objects.select_for_update().get(kind=periodic.kind)
            if row.next_run_at > moment:
                continue
            job = job_enqueue(kind=periodic.kind, params=dict(periodic.params))
            row.last_run_at = moment
            row.last_job = job
            row.next_run_at = periodic.next_after(row.next_run_at, moment)
            row.save(update_fields=["last_run_at", "last_job", "next_run_at"])
            queued.append(periodic.kind)
    return queued


def start_scheduler_thread(interval_seconds: float = 60.0) -> threading.Event:
    """Run :func:`enqueue_due` and the reaper of dead jobs every ``interval_seconds`` in a daemon thread; set the
    event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        from django.db import close_old_connections

        while not stop.is_set():
            try:
                close_old_connections()
                enqueue_due()
                # Jobs left "running" by a killed worker: checked each tick, without a job of its own
                # (a job every minute would fill the job list).
                reaped = jobs_reap()
                if reaped:
                    logger.warning("%s job(s) marked failed: their process stopped", reaped)
            except Exception:  # the scheduler must outlive a database hiccup
                logger.exception("periodic scheduler")
            stop.wait(interval_seconds)

    threading.Thread(target=loop, name="oeuvre-periodic", daemon=True).start()
    return stop
