"""``oeuvre mep releases|gonogo …``: the deployment stage's command line (thin: selectors and print helpers)."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from oeuvre.core.cli import (
    StageCommand,
    activate_cli_language,
    add_json_argument,
    add_project_argument,
    print_json,
    print_table,
    project_named,
)
from oeuvre.mep import runbook, selectors


class Command(StageCommand):
    help = "The deployment stage: releases, their go/no-go proposal and their cut-over runbook."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        releases = sub.add_parser("releases", help="list a project's releases")
        add_project_argument(releases)
        add_json_argument(releases)
        releases.set_defaults(handler=self._releases)

        gonogo = sub.add_parser("gonogo", help="the go/no-go proposal of a release, criterion by criterion")
        add_project_argument(gonogo)
        gonogo.add_argument("--release", required=True, help="release number")
        add_json_argument(gonogo)
        gonogo.set_defaults(handler=self._gonogo)

        board = sub.add_parser("runbook", help="the cut-over runbook of a release: steps, timing, rollback")
        add_project_argument(board)
        board.add_argument("--release", required=True, help="release number")
        add_json_argument(board)
        board.set_defaults(handler=self._runbook)

    def _out(self) -> IO[str]:
        return cast(IO[str], self.stdout)  # OutputWrapper: write() and isatty() of the stream it wraps

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        options["handler"](options)

    def _releases(self, options: dict[str, Any]) -> None:
        project = project_named(options["project"])
        rows = list(selectors.releases_for(project))
        garanties = selectors.garantie_for(project, rows)
        if options["json"]:
            print_json(
                [
                    {
                        "number": r.number,
                        "title": r.title,
                        "status": r.status,
                        "planned_date": r.planned_date,
                        "actual_date": r.actual_date,
                        "garantie": garanties[r.pk].as_dict() if r.pk in garanties else None,
                    }
                    for r in rows
                ],
                stream=self._out(),
            )
            return
        print_table(
            [_("Number"), _("Title"), _("Status"), _("Planned go-live"), _("Actual go-live"), _("Warranty days left")],
            [
                (
                    r.number,
                    r.title,
                    r.get_status_display(),
                    r.planned_date or "-",
                    r.actual_date or "-",
                    garanties[r.pk].days_left if r.pk in garanties else "-",
                )
                for r in rows
            ],
            stream=self._out(),
        )

    def _release(self, options: dict[str, Any]) -> Any:
        project = project_named(options["project"])
        release = selectors.release_named(project, options["release"])
        if release is None:
            raise CommandError(
                _("no release %(number)s in %(code)s") % {"number": options["release"], "code": project.code}
            )
        return release

    def _runbook(self, options: dict[str, Any]) -> None:
        board = runbook.runbook_board(self._release(options))
        if options["json"]:
            print_json(board.as_dict(), stream=self._out())
            return
        print_table(
            ["#", _("Step"), _("Owner"), _("Status"), _("Planned (min)"), _("Elapsed (min)"), _("Note")],
            [
                (
                    r.step.position,
                    r.step.title,
                    r.step.owner.username if r.step.owner else "-",
                    r.step.get_status_display(),
                    r.step.planned_minutes,
                    "-" if r.elapsed_minutes is None else r.elapsed_minutes,
                    r.step.note,
                )
                for r in board.rows
            ],
            title=_("Runbook of %(number)s: %(done)s of %(total)s steps done or skipped")
            % {"number": board.release.number, "done": board.done, "total": board.total},
            stream=self._out(),
        )
        if board.propose_rollback:
            self.stdout.write(_("A step failed: the rollback is proposed."))

    def _gonogo(self, options: dict[str, Any]) -> None:
        project = project_named(options["project"])
        release = selectors.release_named(project, options["release"])
        if release is None:
            raise CommandError(
                _("no release %(number)s in %(code)s") % {"number": options["release"], "code": project.code}
            )
        view = selectors.gonogo_for(release)
        if options["json"]:
            print_json(
                {
                    "release": release.number,
                    "proposal": view.proposal,
                    "criteria": [
                        {"code": c.code, "met": c.met, "applies": c.applies, "evidence": c.evidence}
                        for c in view.criteria
                    ],
                },
                stream=self._out(),
            )
            return
        print_table(
            [_("Criterion"), pgettext("go/no-go criterion", "Met"), _("Evidence")],
            [
                (
                    c.label if c.applies else f"{c.label} ({_('not applied')})",
                    _("yes") if c.met else _("no"),
                    c.evidence,
                )
                for c in view.criteria
            ],
            title=_("Go/no-go of %(number)s: proposal %(proposal)s")
            % {"number": release.number, "proposal": _("go") if view.proposal == "go" else _("no go")},
            stream=self._out(),
        )
