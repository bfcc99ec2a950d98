"""``oeuvre mep releases|gonogo|waves|training …``: the deployment stage's command line (thin)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from oeuvre.accounts.permissions import require
from oeuvre.core.cli import (
    StageCommand,
    activate_cli_language,
    actor_named,
    add_json_argument,
    add_project_argument,
    add_user_argument,
    fail,
    print_json,
    print_table,
    project_named,
)
from oeuvre.core.errors import DomainError
from oeuvre.interop.errors import FileFormatError
from oeuvre.mep import configuration, glpi_import, release_notes, runbook, selectors, training, waves
from oeuvre.mep.permissions import INCIDENT_HANDLE
from oeuvre.requirements.imports import file_error_message


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

        config = sub.add_parser("config", help="the configuration items of every environment (never a secret)")
        add_project_argument(config)
        add_json_argument(config)
        config.set_defaults(handler=self._config)

        notes = sub.add_parser(
            "release-notes", aliases=["notes"], help="write a release's notes (.md or .pdf by -o's suffix; fr or en)"
        )
        add_project_argument(notes)
        notes.add_argument("--release", required=True, help="release number")
        notes.add_argument("--format", choices=release_notes.FORMATS, help="md or pdf (default: from -o's suffix)")
        notes.add_argument("--lang", choices=release_notes.LANGUAGES, default=None, help="fr or en")
        notes.add_argument("-o", "--output", required=True, help="file to write")
        notes.set_defaults(handler=self._notes)

        incidents = sub.add_parser("incidents", help="incidents after go-live")
        incidents_sub = incidents.add_subparsers(dest="incidents_action", required=True)
        imp = incidents_sub.add_parser("import", help="import GLPI's ticket CSV export (French or English columns)")
        imp.add_argument("file", type=Path)
        add_project_argument(imp)
        add_user_argument(imp)
        imp.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
        imp.add_argument("--mapping", default="", help="JSON object, column → field (default: from GLPI's names)")
        imp.add_argument(
            "--date-order", choices=glpi_import.DATE_ORDERS, default="auto", help="day-month (dmy) or month-day (mdy)"
        )
        imp.set_defaults(handler=self._incidents_import)

        plan = sub.add_parser("waves", help="the deployment waves of a release: sites, dates, users, go/no-go")
        add_project_argument(plan)
        plan.add_argument("--release", required=True, help="release number")
        add_json_argument(plan)
        plan.set_defaults(handler=self._waves)

        train = sub.add_parser(
            "training",
            help="the training plan of a release: courses, sessions, attendance, readiness per wave and role",
        )
        add_project_argument(train)
        train.add_argument("--release", required=True, help="release number")
        add_json_argument(train)
        train.set_defaults(handler=self._training)

        board = sub.add_parser("runbook", help="the cut-over runbook of a release: steps, timing, rollback")
        add_project_argument(board)
        board.add_argument("--release", required=True, help="release number")
        board.add_argument(
            "--run", choices=runbook.RUNS, default="cutover", help="the board of the cut-over (default) or the dry run"
        )
        board.add_argument(
            "--tolerance",
            type=int,
            default=runbook.LATE_TOLERANCE_MINUTES,
            help="minutes over its plan after which a step is late (default %(default)s)",
        )
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

    def _config(self, options: dict[str, Any]) -> None:
        project = project_named(options["project"])
        environments = list(selectors.environments_for(project))
        matrix = configuration.config_matrix(project, environments)
        if options["json"]:
            print_json(
                {
                    "environments": [{"name": e.name, "kind": e.kind} for e in environments],
                    "items": [
                        {
                            "name": row.name,
                            "differs": row.differs,
                            "values": {
                                env.name: None if item is None else {"value": item.value, "secret_ref": item.secret_ref}
                                for env, item in zip(environments, row.cells, strict=True)
                            },
                        }
                        for row in matrix["rows"]
                    ],
                    "differences": matrix["differences"],
                },
                stream=self._out(),
            )
            return

        def cell(item: Any) -> str:
            if item is None:
                return "-"
            if item.secret_ref:
                label = pgettext("mep configuration items", "secret")
                return f"[{label}] {item.secret_ref}"
            return str(item.value or "-")

        print_table(
            [pgettext("mep configuration items", "Setting"), *[e.name for e in environments], _("Staging ≠ prod")],
            [(row.name, *[cell(i) for i in row.cells], _("yes") if row.differs else "") for row in matrix["rows"]],
            stream=self._out(),
        )

    def _notes(self, options: dict[str, Any]) -> None:
        release = self._release(options)
        output = Path(options["output"])
        fmt = options["format"] or ("pdf" if output.suffix.lower() == ".pdf" else "md")
        language = options["lang"] or (get_language() or "fr")[:2]
        if language not in release_notes.LANGUAGES:
            language = "fr"
        output.write_bytes(release_notes.render_notes(release, fmt=fmt, language=language))
        self.stdout.write(_("Release notes written to %(path)s.") % {"path": output})

    def _incidents_import(self, options: dict[str, Any]) -> None:
        project = project_named(options["project"])
        actor = actor_named(options["user"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        try:
            table = glpi_import.read_export(path.read_bytes())
        except FileFormatError as exc:
            raise CommandError(f"{path}: {file_error_message(exc)}") from None
        if options["mapping"]:
            try:
                mapping = json.loads(options["mapping"])
            except ValueError as exc:
                raise CommandError(_("--mapping is not valid JSON: %(error)s") % {"error": exc}) from None
        else:
            mapping = glpi_import.suggest_mapping(table.columns)
        out = self._out()
        out.write(
            _("Mapping: %(mapping)s")
            % {"mapping": ", ".join(f"{c} → {glpi_import.FIELDS.get(f, f) if f else '—'}" for c, f in mapping.items())}
            + "\n"
        )
        try:
            require(actor, project, INCIDENT_HANDLE)
            plan = glpi_import.plan_import(project, table, mapping, date_order=options["date_order"])
            if plan.ok and not options["dry_run"]:
                plan = glpi_import.apply_import(
                    actor=actor, project=project, table=table, mapping=mapping, date_order=options["date_order"]
                )
        except PermissionDenied:
            raise CommandError(
                _("%(user)s may not import incidents in %(code)s") % {"user": actor.username, "code": project.code}
            ) from None
        except DomainError as exc:
            raise fail(exc) from None
        self._print_import(plan, dry_run=options["dry_run"] or not plan.ok)
        if not plan.ok:
            raise CommandError(_("%(n)s line(s) in error: nothing was imported.") % {"n": plan.count("error")})

    def _print_import(self, plan: glpi_import.ImportPlan, *, dry_run: bool) -> None:
        out = self._out()
        counts = {"create": plan.count("create"), "update": plan.count("update"), "unchanged": plan.count("unchanged"),
                  "error": plan.count("error")}  # fmt: skip
        template = (
            _("%(create)s would be created, %(update)s updated, %(unchanged)s unchanged, %(error)s in error.")
            if dry_run
            else _("%(create)s created, %(update)s updated, %(unchanged)s unchanged, %(error)s in error.")
        )
        out.write(template % counts + "\n")
        rows = [(o.row, column, message) for o in plan.outcomes for column, message in o.errors] + [
            (o.row, "", warning) for o in plan.outcomes for warning in o.warnings
        ]
        if rows:
            print_table(
                [
                    pgettext("incident import", "Line"),
                    pgettext("incident import", "Column"),
                    pgettext("incident import", "Message"),
                ],
                sorted(rows, key=lambda r: (r[0], r[1] == "")),
                stream=out,
            )

    def _waves(self, options: dict[str, Any]) -> None:
        plan = waves.wave_plan(self._release(options))
        if options["json"]:
            print_json(plan.as_dict(), stream=self._out())
            return
        print_table(
            [
                "#",
                pgettext("deployment wave", "Wave"),
                _("Sites or population"),
                pgettext("deployment wave", "Planned date"),
                pgettext("deployment wave", "Users"),
                _("Status"),
                _("Go/no-go"),
            ],
            [
                (
                    w.position,
                    w.name,
                    w.sites,
                    w.planned_date or "-",
                    w.users,
                    w.get_status_display(),
                    w.get_gonogo_display() if w.gonogo else "-",
                )
                for w in plan.waves
            ],
            stream=self._out(),
        )

    def _training(self, options: dict[str, Any]) -> None:
        plan = training.training_plan(self._release(options))
        if options["json"]:
            print_json(plan.as_dict(), stream=self._out())
            return
        out = self._out()
        print_table(
            [
                pgettext("mep training", "Wave"),
                pgettext("mep training", "Sessions"),
                pgettext("mep training", "Trained"),
                pgettext("mep training", "To train"),
                pgettext("deployment wave", "Users"),
            ],
            [
                (
                    (w.wave.name + (" *" if w.going_live else "")) if w.wave else pgettext("mep training", "No wave"),
                    w.sessions,
                    w.trained,
                    w.to_train if w.wave else "-",
                    w.users if w.wave else "-",
                )
                for w in plan.waves
            ],
            stream=out,
        )
        out.write(_("%(trained)s / %(users)s users trained.") % {"trained": plan.trained, "users": plan.users} + "\n")
        for row in plan.left_going_live:
            out.write(
                ngettext(
                    "%(wave)s goes live with %(left)s of %(users)s user left to train.",
                    "%(wave)s goes live with %(left)s of %(users)s users left to train.",
                    row.to_train,
                )
                % {"wave": row.wave.name if row.wave else "-", "left": row.to_train, "users": row.users}
                + "\n"
            )
        if plan.roles:
            print_table(
                [
                    _("Role or population"),
                    pgettext("mep training", "Trained"),
                    pgettext("mep training", "To train"),
                ],
                [(r.role, r.trained, r.to_train) for r in plan.roles],
                stream=out,
            )
        if plan.courses:
            print_table(
                [
                    pgettext("mep training", "Course"),
                    pgettext("mep training", "Audience"),
                    _("Duration (minutes)"),
                    pgettext("mep training", "Materials"),
                ],
                [
                    (
                        c.course.title,
                        c.course.audience,
                        c.course.duration_minutes,
                        ", ".join(d.title for d in c.materials) or "-",
                    )
                    for c in plan.courses
                ],
                stream=out,
            )
        print_table(
            [
                pgettext("mep training", "Date"),
                pgettext("mep training", "Audience"),
                pgettext("mep training", "Trainer"),
                pgettext("mep training", "Place or link"),
                pgettext("mep training", "Attended / capacity"),
            ],
            [
                (
                    s.date,
                    s.audience,
                    s.trainer,
                    s.place or "-",
                    f"{'-' if row.trained is None else row.trained} / {row.session.capacity}",
                )
                for row in plan.rows
                for s in [row.session]
            ],
            stream=out,
        )
        for sheet in plan.rows:
            for a in sheet.attendees:
                score = f" {a.satisfaction}/5" if a.satisfaction else ""
                out.write(f"  {sheet.session.date} {a.name} ({a.role or sheet.session.audience}): ")
                out.write(f"{a.get_attendance_display()}{score}\n")

    def _release(self, options: dict[str, Any]) -> Any:
        project = project_named(options["project"])
        release = selectors.release_named(project, options["release"])
        if release is None:
            raise CommandError(
                _("no release %(number)s in %(code)s") % {"number": options["release"], "code": project.code}
            )
        return release

    def _runbook(self, options: dict[str, Any]) -> None:
        release = self._release(options)
        board = runbook.runbook_board(release, run=options["run"])
        comparison = runbook.runbook_comparison(release, tolerance=options["tolerance"])
        if options["json"]:
            print_json({**board.as_dict(), "comparison": comparison.as_dict()}, stream=self._out())
            return
        title = (
            _("Dry run of %(number)s: %(done)s of %(total)s steps done or skipped")
            if board.run == "dry"
            else _("Runbook of %(number)s: %(done)s of %(total)s steps done or skipped")
        )
        print_table(
            ["#", _("Step"), _("Owner"), _("Status"), _("Planned (min)"), _("Elapsed (min)"), _("Note")],
            [
                (
                    r.step.position,
                    r.step.title,
                    r.step.owner.username if r.step.owner else "-",
                    r.rec.get_status_display(),
                    r.step.planned_minutes,
                    "-" if r.elapsed_minutes is None else r.elapsed_minutes,
                    r.rec.note,
                )
                for r in board.rows
            ],
            title=title % {"number": board.release.number, "done": board.done, "total": board.total},
            stream=self._out(),
        )
        if board.propose_rollback:
            self.stdout.write(_("A step failed: the rollback is proposed."))

        def _fmt(value: int | None, late: bool = False) -> str:
            text = "-" if value is None else (f"+{value}" if value > 0 else str(value))
            return f"{text} !" if late else text

        c = comparison
        drift = pgettext("runbook", "Drift")
        print_table(
            ["#", _("Step"), _("Planned (min)"), _("Dry run (min)"), drift, _("Cut-over (min)"), drift],
            [
                (
                    r.step.position,
                    r.step.title,
                    r.step.planned_minutes,
                    "-" if r.dry_minutes is None else r.dry_minutes,
                    _fmt(r.dry_drift, r.dry_late),
                    "-" if r.cutover_minutes is None else r.cutover_minutes,
                    _fmt(r.cutover_drift, r.cutover_late),
                )
                for r in c.rows
            ]
            + [
                (
                    "",
                    _("Total elapsed"),
                    c.planned_minutes,
                    "-" if c.dry.elapsed_minutes is None else c.dry.elapsed_minutes,
                    _("%(n)s late") % {"n": c.dry.late},
                    "-" if c.cutover.elapsed_minutes is None else c.cutover.elapsed_minutes,
                    _("%(n)s late") % {"n": c.cutover.late},
                )
            ],
            title=_("Against the plan (late: more than %(n)s min over; marked !)") % {"n": c.tolerance},
            stream=self._out(),
        )

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
