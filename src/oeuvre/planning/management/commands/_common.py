"""Shared helpers of the planning commands: the acting user and job progress in the terminal."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oeuvre.accounts.models import User
from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.projects.models import Project


def project_of(code: str) -> Project:
    project = Project.objects.filter(code=code).first()
    if project is None:
        raise CommandError(f"unknown project {code!r}")
    return project


def actor_for(project: Project, username: str | None) -> User:
    """``--as USER``, else $OEUVRE_USER, else the project's first administrator (history names them)."""
    name = username or os.environ.get("OEUVRE_USER")
    if name:
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"unknown or deactivated user {name!r}")
        return user
    membership = project.memberships.filter(is_admin=True, user__is_active=True).select_related("user").first()
    if membership is None:
        raise CommandError(f"project {project.code!r} has no administrator: give --as USERNAME")
    return membership.user


def run_job(job: Job, console: Console, label: str) -> Job:
    with Progress(
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def show(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=total or None, description=message)

        job = execute_job(job, listener=show)
    if job.status != Job.Status.DONE:
        raise CommandError(job.error or "the job failed")
    return job


def fail(exc: Any) -> CommandError:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        lines = [f"{field}: {' '.join(messages)}" for field, messages in errors.items()]
        return CommandError("\n".join(lines[:50]))
    return CommandError(str(getattr(exc, "message", exc)))
