"""``oeuvre verify --project P``: re-check the project's hash chain and name any record changed after signing.

``--export-head FILE`` writes the chain's head (a few lines to keep elsewhere) once the chain verifies;
``--head FILE`` checks that the chain still holds that head unchanged, so that a chain rewritten or cut
before it is caught even by someone who had the ledger key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oeuvre.core.cli import StageCommand
from oeuvre.recette.cli.common import project_named
from oeuvre.recette.models import LedgerEntry
from oeuvre.recette.services.ledger import (
    Problem,
    chain_verify,
    head_read,
    head_text,
    head_verify,
    sha256_bytes,
)


class Command(StageCommand):
    help = "Verify the hash chain of signed records (PV, decisions, lifted réserves) of a project."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="project code")
        parser.add_argument("--head", metavar="FILE", help="a chain head exported earlier: check it is still there")
        parser.add_argument(
            "--pdf",
            metavar="FILE",
            action="append",
            default=[],
            help="a signed PV kept outside the server: check the chain still records this very document",
        )
        parser.add_argument(
            "--export-head", metavar="FILE", help="write the chain's head to FILE (when the chain verifies)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = project_named(options["project"])
        head = None
        if options.get("head"):
            try:
                head = head_read(Path(options["head"]).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as error:
                raise CommandError(
                    _("Cannot read the chain head %(file)s: %(error)s")
                    % {
                        "file": options["head"],
                        "error": error,
                    }
                ) from None
        entries = LedgerEntry.objects.filter(project=project).count()
        problems = chain_verify(project)  # with the registered stages' records (MEP's go/no-go)
        if head is not None:
            problems = head_verify(project, head) + problems
        for pdf in options.get("pdf") or []:
            try:
                digest = sha256_bytes(Path(pdf).read_bytes())
            except OSError as error:
                raise CommandError(
                    _("Cannot read the signed PDF %(file)s: %(error)s") % {"file": pdf, "error": error.strerror}
                ) from None
            entry = LedgerEntry.objects.filter(project=project, document_sha256=digest).first()
            if entry is None:
                message = _("the signed PDF %(file)s is not the document of any chain entry: the chain was rewritten")
                problems.insert(0, Problem("pdf_unknown", 0, message % {"file": pdf}))
            else:
                self.stdout.write(
                    _("OK: %(file)s is the document signed in entry #%(entry)s")
                    % {"file": pdf, "entry": entry.sequence}
                )
        if not problems:
            self.stdout.write(
                ngettext(
                    "OK: %(n)s entry verified, no record changed after signing (%(project)s)",
                    "OK: %(n)s entries verified, no record changed after signing (%(project)s)",
                    entries,
                )
                % {"n": entries, "project": project.code}
            )
            if head is not None:
                self.stdout.write(
                    _("OK: the chain still holds the exported head (entry #%(entry)s)") % {"entry": head["last entry"]}
                )
            if options.get("export_head"):
                try:
                    Path(options["export_head"]).write_text(head_text(project), encoding="utf-8")
                except OSError as error:
                    raise CommandError(
                        _("Cannot write the chain head to %(file)s: %(error)s")
                        % {"file": options["export_head"], "error": error.strerror}
                    ) from None
                self.stdout.write(
                    _("Chain head written to %(file)s: keep it outside the server.") % {"file": options["export_head"]}
                )
            return
        for problem in problems:
            self.stdout.write(_("FAIL: %(problem)s") % {"problem": problem.message})
        raise CommandError(
            ngettext(
                "%(n)s problem in the hash chain of %(project)s",
                "%(n)s problems in the hash chain of %(project)s",
                len(problems),
            )
            % {"n": len(problems), "project": project.code}
        )
