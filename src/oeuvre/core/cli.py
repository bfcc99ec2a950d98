"""What every ``oeuvre`` command shares: ``--project``, ``--user``, job progress, errors and output.

Conventions (``docs/DEVELOPING.md``):

- ``--project CODE`` names the project; ``--user USERNAME`` (or ``$OEUVRE_USER``) names who acts, for
  commands that write. Only active users are accepted, and there is never a silent fallback to an
  administrator: history must name the person who acted. Commands that only read do not ask who you are.
- Machine-readable output (``--json``, CSV) goes straight to stdout with the standard library; tables,
  colours and progress bars only on a terminal, progress on stderr.
- Messages are in the language of ``$LANGUAGE`` / ``$LC_ALL`` / ``$LANG`` (French unless it says English).
- A refused input is one message and exit status 1 (``CommandError``); never a traceback.
- The stages' commands derive from :class:`StageCommand`, which skips Django's system checks.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

__all__ = [
    "StageCommand",
    "activate_cli_language",
    "actor_named",
    "add_json_argument",
    "add_project_argument",
    "add_user_argument",
    "cli_language",
    "fail",
    "print_json",
    "print_table",
    "project_named",
    "run_job",
]


class StageCommand(BaseCommand):
    """A stage's command (``oeuvre plan``, ``oeuvre pilotage``…): no system checks before it runs.

    Django runs every system check before a command by default, and the URL checks import every view and
    build every API schema: seconds of start-up that a script calling ``oeuvre pilotage meteo`` in a loop
    pays each time. The checks run where configuration matters: ``oeuvre serve``, ``migrate`` and ``check``.
    """

    requires_system_checks: list[str] = []

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except DatabaseError:
            # A missing table after an upgrade is a traceback to the user; say what to do instead. The
            # migration graph is read only then, so a command that works pays nothing for the check.
            if pending_migrations():
                raise CommandError(
                    _("The database is not up to date with this version of Œuvre: run « oeuvre migrate » first.")
                ) from None
            raise


def pending_migrations() -> bool:
    """True when migrations of this version are not applied to the default database."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def cli_language(environ: dict[str, str] | None = None) -> str:
    """``en`` when the environment's language says English, else ``fr`` (the project's default)."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.split(":")[0].lower().startswith("en") else "fr"
    return "fr"


def activate_cli_language() -> None:
    translation.activate(cli_language())


def add_project_argument(parser: Any, *, required: bool = True) -> None:
    parser.add_argument("--project", required=required, help="project code")


def add_user_argument(parser: Any, *, deprecated_alias: str | None = None) -> None:
    """``--user USERNAME`` (default ``$OEUVRE_USER``): the member a writing command acts as."""
    names = ["--user"] + ([deprecated_alias] if deprecated_alias else [])
    parser.add_argument(
        *names,
        dest="user",
        default=os.environ.get("OEUVRE_USER", ""),
        help="the member the command acts as (default: $OEUVRE_USER); their role must allow it",
    )


def add_json_argument(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON (machine-readable) instead of a table")


def project_named(code: str) -> Any:
    # Looked up through the app registry: the kernel sits below the projects app and does not import it.
    project = apps.get_model("projects", "Project").objects.filter(code=code).first()
    if project is None:
        raise CommandError(_("unknown project %(code)r") % {"code": code})
    return project


def actor_named(username: str) -> Any:
    """The active user ``username``; refuses an empty name, an unknown or a deactivated account."""
    if not username:
        raise CommandError(_("say who acts: --user USERNAME or OEUVRE_USER"))
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("unknown or deactivated user %(name)r") % {"name": username})
    return user


def fail(exc: Any) -> CommandError:
    """A service's refusal as one ``CommandError`` naming the fields (at most 50 lines)."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        lines = [f"{field}: {' '.join(messages)}" for field, messages in errors.items()]
        return CommandError("\n".join(lines[:50]))
    return CommandError(str(getattr(exc, "message", exc)))


def print_json(data: Any, stream: IO[str] | None = None) -> None:
    """Write ``data`` as JSON straight to stdout: no pretty printer, no colour, dates as ISO text."""
    out = sys.stdout if stream is None else stream
    json.dump(data, out, ensure_ascii=False, default=_json_default)
    out.write("\n")


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def print_table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "", stream: IO[str] | None = None
) -> None:
    """A table: drawn by rich on a terminal, tab-separated text otherwise (so a pipe gets plain lines)."""
    out = sys.stdout if stream is None else stream
    if out.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title or None)
        for header in headers:
            table.add_column(str(header))
        for row in rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        Console(file=out).print(table)
        return
    if title:
        out.write(f"{title}\n")
    out.write("\t".join(str(h) for h in headers) + "\n")
    for row in rows:
        out.write("\t".join("" if v is None else str(v) for v in row) + "\n")


def run_job(job: Any, label: str) -> Any:
    """Run ``job`` in this process with a progress bar on stderr (when it is a terminal).

    An expected refusal (a bad file) ends as ``CommandError`` with the job's message; an unexpected
    failure prints its error id, the traceback stays in the log.
    """
    from oeuvre.core.jobs import execute_job
    from oeuvre.core.models import Job

    listener: Callable[[int, int, str], None] | None = None
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn(f"[bold]{label}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("", total=None)

            def show(done: int, total: int, message: str) -> None:
                bar.update(task, completed=done, total=total or None, description=message)

            listener = show
            job = execute_job(job, listener=listener)
    else:
        job = execute_job(job)
    if job.status != Job.Status.DONE:
        raise CommandError(job.error or _("the job failed"))
    return job
