"""``oeuvre design criteria|dat …``: the design stage's command line (thin: selectors and the DAT builder)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from oeuvre.core.cli import (
    StageCommand,
    activate_cli_language,
    add_json_argument,
    add_project_argument,
    fail,
    print_json,
    print_table,
    project_named,
)
from oeuvre.core.errors import DomainError
from oeuvre.design import selectors


class Command(StageCommand):
    help = "The design stage: the DAT's measurable criteria with their last result, and the DAT document."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        criteria = sub.add_parser("criteria", help="the criteria of the DAT: met, not met or not measured")
        add_project_argument(criteria)
        add_json_argument(criteria)
        criteria.set_defaults(handler=self._criteria)

        dat = sub.add_parser("dat", help="write the DAT as a Word document built from the model")
        add_project_argument(dat)
        dat.add_argument("-o", "--output", required=True, help="the .docx file to write")
        dat.add_argument("--lang", choices=["fr", "en"], default=None, help="language (default: the terminal's)")
        dat.add_argument("--template", default=None, help="a .docx whose styles and first pages the DAT uses")
        dat.set_defaults(handler=self._dat)

    def _out(self) -> IO[str]:
        return cast(IO[str], self.stdout)

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        options["handler"](options)

    def _criteria(self, options: dict[str, Any]) -> None:
        project = project_named(options["project"])
        rows = selectors.criterion_rows(project)
        if options["json"]:
            buffer = io.StringIO()  # one write: the command's wrapper would end every chunk with a newline
            print_json([r.as_dict() for r in rows], buffer)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        state = {"met": _("met"), "not_met": _("not met"), "not_measured": _("not measured")}
        print_table(
            [_("reference"), _("applies to"), _("criterion"), _("measured"), _("result")],
            [
                (
                    r.criterion.reference,
                    str(r.subject),
                    r.criterion.describe(),
                    "" if r.latest is None else r.latest.display,
                    state[r.state],
                )
                for r in rows
            ],
            stream=self._out(),
        )

    def _dat(self, options: dict[str, Any]) -> None:
        from django.utils.translation import get_language

        from oeuvre.design.dat import dat_docx

        project = project_named(options["project"])
        template = None
        if options["template"]:
            path = Path(options["template"])
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            template = path.read_bytes()
        language = options["lang"] or (get_language() or "fr")[:2]
        try:
            data = dat_docx(project, language=language, template=template)
        except DomainError as exc:
            raise fail(exc) from None
        output = Path(options["output"])
        output.write_bytes(data)
        self.stdout.write(_("%(file)s written (%(size)s bytes)") % {"file": output, "size": len(data)})
