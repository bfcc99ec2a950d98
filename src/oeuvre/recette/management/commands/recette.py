"""``oeuvre recette SUBCOMMAND …``: the recette stage's command line (subcommands listed by ``--help``)."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import CommandError, CommandParser

from oeuvre.core.cli import StageCommand
from oeuvre.recette.cli import SLICES


class Command(StageCommand):
    help = "The recette stage: test book, campaigns, JUnit results, anomalies, PV de recette, timers."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in SLICES:
            importlib.import_module(f"oeuvre.recette.cli.{name}").add_subcommands(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        handler = options.get("handler")
        if handler is None:
            raise CommandError("choose a subcommand (see --help)")
        handler(self, options)
