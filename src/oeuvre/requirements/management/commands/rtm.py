"""``oeuvre rtm --project P -o FILE.xlsx``: the traceability matrix, formatted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from oeuvre.core.cli import StageCommand
from oeuvre.requirements import exports
from oeuvre.requirements.management.commands.requirements import project_named
from oeuvre.requirements.selectors import RtmFilters


class Command(StageCommand):
    help = "Write the requirements traceability matrix (RTM) of a project to .xlsx or .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="project code")
        parser.add_argument("-o", "--output", type=Path, required=True, help="FILE.xlsx or FILE.csv")
        parser.add_argument("--gaps-only", action="store_true", help="only the rows with a gap")

    def handle(self, *args: Any, **options: Any) -> None:
        project = project_named(options["project"])
        output: Path = options["output"]
        filters = RtmFilters(gap="any" if options["gaps_only"] else "")
        if output.suffix.lower() == ".csv":
            data = exports.rtm_csv(project, filters)
        elif output.suffix.lower() == ".xlsx":
            data = exports.rtm_xlsx(project, filters)
        else:
            raise CommandError("the output file must end in .xlsx or .csv")
        output.write_bytes(data)
        self.stdout.write(f"{output}: {len(data)} bytes")
