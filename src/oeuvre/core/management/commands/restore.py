from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oeuvre.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Replace the database and uploaded files with the backup FILE (made on SQLite or PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            answer = input("Every current record and uploaded file will be replaced. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            manifest = backup_restore(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            f"restored {manifest['objects']} objects from a {manifest['database']} backup of {manifest['created_at']}"
        )
