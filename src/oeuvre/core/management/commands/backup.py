from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oeuvre.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a consistent snapshot of the database and uploaded files to FILE (.tar.gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(options["file"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{options['file']}: {manifest['objects']} objects from {manifest['database']}")
