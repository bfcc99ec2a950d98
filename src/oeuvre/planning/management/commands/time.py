"""``oeuvre time import FILE``: import time entries (imputations) from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from rich.console import Console

from oeuvre.core.cli import StageCommand, activate_cli_language, actor_named, add_user_argument, fail, project_named
from oeuvre.core.errors import DomainError
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.timesheet_csv import read_time_entries
from oeuvre.planning import services
from oeuvre.planning.files import file_error_messages


class Command(StageCommand):
    help = "Import time entries from CSV (date; person; task; effort; comment; optional project column)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a CSV of time entries, all or nothing")
        imp.add_argument("file", type=Path)
        imp.add_argument("--project", help="the project, when the file has no project column")
        add_user_argument(imp, deprecated_alias="--as")

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        console = Console(file=self.stdout)  # type: ignore[arg-type]  # a text stream
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"file not found: {path}")
        try:
            rows = read_time_entries(path.read_bytes(), source=path.name)
        except FileFormatError as exc:  # every problem of the file, each naming its row and column
            raise CommandError("\n".join(file_error_messages(exc))) from None
        groups: dict[str, list[Any]] = {}
        for row in rows:
            code = row.project or options.get("project")
            if not code:
                raise CommandError(f"{path.name}, row {row.row}: no project column; give --project")
            groups.setdefault(code, []).append(row)
        actor = actor_named(options["user"])
        total = 0
        try:
            with transaction.atomic():
                for code, project_rows in groups.items():
                    project = project_named(code)
                    result = services.time_entries_import(actor=actor, project=project, rows=project_rows)
                    total += result.saved
                    for warning in result.warnings:
                        console.print(f"[yellow]warning:[/] {warning}")
        except (DomainError, PermissionDenied) as exc:
            raise fail(exc) from None
        console.print(f"[green]Imported[/] {total} time entries into {len(groups)} project(s).")
