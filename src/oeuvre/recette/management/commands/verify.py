"""``oeuvre verify --project P``: re-check the project's hash chain and name any record changed after signing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oeuvre.mep.verify import gonogo_verify
from oeuvre.recette.cli.common import project_named
from oeuvre.recette.models import LedgerEntry
from oeuvre.recette.services.ledger import ledger_verify


class Command(BaseCommand):
    help = "Verify the hash chain of signed records (PV, decisions, lifted réserves) of a project."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="project code")

    def handle(self, *args: Any, **options: Any) -> None:
        project = project_named(options["project"])
        entries = LedgerEntry.objects.filter(project=project).count()
        problems = ledger_verify(project) + gonogo_verify(project)  # go/no-go decisions share the chain
        if not problems:
            self.stdout.write(f"OK: {entries} entries verified, no record changed after signing ({project.code})")
            return
        for problem in problems:
            self.stdout.write(f"FAIL: {problem.message}")
        raise CommandError(f"{len(problems)} problem(s) in the hash chain of {project.code}")
