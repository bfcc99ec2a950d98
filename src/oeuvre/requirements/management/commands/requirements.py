"""``oeuvre requirements import FILE --project P [--dry-run]`` and ``oeuvre requirements export …``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oeuvre.accounts.models import User
from oeuvre.core.cli import StageCommand
from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.interop.errors import FileFormatError
from oeuvre.projects.models import Project
from oeuvre.requirements import exports, imports, jobs


def project_named(code: str) -> Project:
    project = Project.objects.filter(code=code).first()
    if project is None:
        raise CommandError(f"unknown project {code!r}")
    return project


class Command(StageCommand):
    help = "Import exigences from xlsx/csv/reqif, or export them as xlsx, csv or reqif."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import FILE (xlsx, csv, reqif, reqifz) into a project")
        imp.add_argument("file", type=Path)
        imp.add_argument("--project", required=True, help="project code")
        imp.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
        imp.add_argument(
            "--user",
            default=os.environ.get("OEUVRE_USER", ""),
            help="the member the import is done as (default: $OEUVRE_USER); their role must allow imports",
        )
        imp.add_argument("--mapping", default="", help="JSON object, column → field (default: guessed from the names)")
        imp.add_argument("--header-row", type=int, default=None, help="row of the column titles (default: found)")
        exp = sub.add_parser("export", help="export a project's exigences")
        exp.add_argument("--project", required=True)
        exp.add_argument("--format", choices=["xlsx", "csv", "reqif"], default="xlsx")
        exp.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        project = project_named(options["project"])
        if options["action"] == "export":
            writer = {"xlsx": exports.exigences_xlsx, "csv": exports.exigences_csv, "reqif": exports.exigences_reqif}
            data = writer[options["format"]](project)
            options["output"].write_bytes(data)
            self.stdout.write(f"{options['output']}: {len(data)} bytes")
            return
        self._import(project, options)

    def _import(self, project: Project, options: dict[str, Any]) -> None:
        console = Console()
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        username = options["user"]
        if not username:
            raise CommandError("say who imports: --user USERNAME (or set OEUVRE_USER)")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"unknown user {username!r}")
        data = path.read_bytes()
        try:
            source = imports.read_source(data, path.name, header_row=options["header_row"])
        except FileFormatError as exc:
            raise CommandError(f"{path}: {imports.file_error_message(exc)}") from None
        if options["mapping"]:
            try:
                mapping = json.loads(options["mapping"])
            except ValueError as exc:
                raise CommandError(f"--mapping is not valid JSON: {exc}") from None
        else:
            mapping = imports.suggest_mapping(source.table.columns, source.table)
            console.print("Mapping (guessed): " + ", ".join(f"{c} → {f or '—'}" for c, f in mapping.items()))
        stored = jobs.store_upload(project, path.name, data)
        job = Job.objects.create(
            kind=jobs.IMPORT_JOB,
            params={"stored": stored, "filename": path.name, "mapping": mapping, "dry_run": options["dry_run"],
                    "header_row": options["header_row"]},
            created_by=user,
            project=project,
        )  # fmt: skip
        with Progress(
            TextColumn("[bold]Import[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=console, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("", total=None)

            def show(done: int, total: int, message: str) -> None:
                bar.update(task, completed=done, total=total or None, description=message)

            job = execute_job(job, listener=show)
        if job.status != Job.Status.DONE:
            raise CommandError(job.error)
        result = job.result
        verb = "would be" if options["dry_run"] else "were"
        console.print(
            f"{result['create']} {verb} created, {result['update']} {verb} updated, {result['unchanged']} unchanged, "
            f"{result['error']} in error; {result['links']} link(s)"
            + (f", {result['chapters']} chapter(s)." if result.get("chapters") else ".")
        )
        if not result["create"] and not result["update"] and not result["error"]:
            console.print("Nothing changed: every requirement is already as the file says.")
        errors = [r for r in result["rows"] if r["action"] == "error"]
        if errors:
            table = Table(title="Rows in error")
            table.add_column("row", justify="right")
            table.add_column("field")
            table.add_column("message")
            for row in errors:
                for error in row["errors"]:
                    table.add_row(str(row["row"]), error["field"], error["message"])
            console.print(table)
            if options["dry_run"]:
                raise CommandError(f"{len(errors)} row(s) in error: nothing can be imported until they are fixed")
