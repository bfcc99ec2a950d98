from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionedModel(models.Model):
    """Base for domain models edited concurrently: ``version`` backs ETag/If-Match and form conflict checks."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class Job(models.Model):
    """A long piece of work run by the worker, with progress that pages and the terminal poll."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=100)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    progress = models.PositiveIntegerField(_("progress"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Written every few seconds by the process running the job: a row "running" whose heartbeat stopped belongs
    # to a worker that was killed, and the reaper marks it failed.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "kind": self.kind,
            "status": self.status,
            "progress": self.progress,
            "total": self.total,
            "percent": self.percent,
            "message": self.message,
            "result": self.result,
            "error": self.error,
        }


class ActivityEvent(models.Model):
    """One line of a project's activity feed, written when django-simple-history records a change.

    The feed reads this one table, so it costs one query however many stages and models there are;
    labels of models and fields are stored as names and translated when shown.
    """

    # No database constraint: deleting a project cascades to its members, whose deletions are recorded
    # here mid-cascade; the project's post_delete handler then removes every event of the project.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.DO_NOTHING, db_constraint=False, related_name="activity_events"
    )
    when = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=1)  # "+", "~" or "-", as in simple-history
    model = models.CharField(max_length=100)  # "app_label.modelname"
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300)
    changed_fields = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["project", "-when"], name="activity_project_when")]
        ordering = ["-when", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.model} {self.object_label}"


class ReferenceCounter(models.Model):
    """The next number of one kind of reference (``EX-``, ``ANO-``, ``RSK-``…) in one project.

    :func:`oeuvre.core.references.allocate_references` takes this row under a lock, so two concurrent
    creations never get the same reference, on SQLite (IMMEDIATE transactions) as on PostgreSQL (row lock).
    The prefix itself stays in the stage's settings, where the project configures it.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="reference_counters")
    key = models.CharField(max_length=60)  # "<app>.<kind>", e.g. "requirements.exigence"
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="reference_counter_unique")]

    def __str__(self) -> str:
        return f"{self.key} #{self.next_number}"


class PeriodicRun(models.Model):
    """When a periodic job (weekly snapshot, daily digest, housekeeping) is next due.

    Every worker process checks the due rows about once a minute and takes each under a row lock, so a
    periodic job is queued once however many workers run.
    """

    kind = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.kind} at {self.next_run_at:%Y-%m-%d %H:%M}"
