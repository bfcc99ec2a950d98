"""``oeuvre verify --project P``: re-check the project's hash chain and name any record changed after signing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from oeuvre.core.cli import StageCommand
from oeuvre.recette.cli.common import project_named
from oeuvre.recette.models import LedgerEntry
from oeuvre.recette.services.ledger import chain_verify


class Command(StageCommand):
    help = "Verify the hash chain of signed records (PV, decisions, lifted réserves) of a project."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="project code")

    def handle(self, *args: Any, **options: Any) -> None:
        project = project_named(options["project"])
        entries = LedgerEntry.objects.filter(project=project).count()
        problems = chain_verify(project)  # with the registered stages' records (MEP's go/no-go)
        if not problems:
            self.stdout.write(f"OK: {entries} entries verified, no record changed after signing ({project.code})")
            return
        for problem in problems:
            self.stdout.write(f"FAIL: {problem.message}")
        raise CommandError(f"{len(problems)} problem(s) in the hash chain of {project.code}")
