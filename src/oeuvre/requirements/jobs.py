"""Imports run as jobs: the page (or the terminal) shows their progress; the result holds the row-by-row plan."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation

from oeuvre.accounts.models import User
from oeuvre.core.errors import DomainError
from oeuvre.core.jobs import Progress, job_enqueue, job_handler
from oeuvre.core.models import Job
from oeuvre.interop.errors import FileFormatError
from oeuvre.projects.models import Project
from oeuvre.requirements.imports import apply_import, file_error_message, plan_import, read_source

__all__ = ["IMPORT_JOB", "enqueue_import", "register_upload", "remember_mapping", "store_upload", "upload_info"]

IMPORT_JOB = "requirements.import"
_UPLOAD_TTL = 24 * 3600


def _upload_key(token: str) -> str:
    return f"oeuvre:requirements:upload:{token}"


def register_upload(project: Project, filename: str, data: bytes, header_row: int | None) -> str:
    """Keep an upload between the mapping screen, the dry run and the commit (a day, in the shared cache)."""
    token = uuid.uuid4().hex
    stored = store_upload(project, filename, data)
    info = {"project": project.pk, "stored": stored, "filename": filename, "header_row": header_row, "mapping": {}}
    cache.set(_upload_key(token), info, _UPLOAD_TTL)
    return token


def upload_info(token: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = cache.get(_upload_key(token))
    return found


def remember_mapping(token: str, mapping: dict[str, str]) -> None:
    info = upload_info(token)
    if info is not None:
        info["mapping"] = mapping
        cache.set(_upload_key(token), info, _UPLOAD_TTL)


def store_upload(project: Project, filename: str, data: bytes) -> str:
    """Keep an uploaded file for the mapping step and the job; returns its storage name."""
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in filename)[-80:] or "import"
    return default_storage.save(f"imports/{project.code}/{safe}", ContentFile(data))


def enqueue_import(
    *,
    actor: User,
    project: Project,
    stored: str,
    filename: str,
    mapping: dict[str, str],
    dry_run: bool,
    header_row: int | None = None,
) -> Job:
    params = {
        "stored": stored,
        "filename": filename,
        "mapping": mapping,
        "dry_run": dry_run,
        "header_row": header_row,
    }
    return job_enqueue(kind=IMPORT_JOB, params=params, actor=actor, project=project)


@job_handler(IMPORT_JOB)
def run_import(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    if job.created_by_id is None or job.project_id is None:
        raise DomainError("an import job needs its author and its project")
    actor = User.objects.get(pk=job.created_by_id)
    project = Project.objects.get(pk=job.project_id)
    with translation.override(actor.language or "fr"):
        progress.start(1, translation.gettext("Reading the file"))
        with default_storage.open(params["stored"], "rb") as handle:
            data = handle.read()
        try:
            source = read_source(data, params["filename"], header_row=params.get("header_row"))
        except FileFormatError as exc:
            raise DomainError(file_error_message(exc)) from None
        total = len(source.table.rows)
        progress.start(total, translation.gettext("Checking the rows"))

        def advance(done: int, _total: int) -> None:
            progress.advance(done - progress.done)

        if params.get("dry_run"):
            plan = plan_import(project, source, params["mapping"], progress=advance)
        else:
            plan = apply_import(
                actor=actor, project=project, source=source, mapping=params["mapping"], progress=advance
            )
        summary = plan.summary()
        summary["dry_run"] = bool(params.get("dry_run"))
        if summary["dry_run"]:
            message = translation.gettext("%(create)s to create, %(update)s to update, %(error)s in error")
        else:
            message = translation.gettext("%(create)s created, %(update)s updated")
        progress.message = message % summary
        return summary
