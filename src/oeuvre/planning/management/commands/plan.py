"""``oeuvre plan import|export|schedule``: the plan from the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rich.console import Console
from rich.table import Table

from oeuvre.accounts.permissions import can, require
from oeuvre.core.cli import (
    StageCommand,
    activate_cli_language,
    actor_named,
    add_user_argument,
    fail,
    project_named,
    run_job,
)
from oeuvre.core.errors import DomainError
from oeuvre.planning import exporting, selectors, services
from oeuvre.planning.analysis import risk_analysis
from oeuvre.planning.importing import import_summary, plan_import_enqueue
from oeuvre.planning.permissions import PLANNING_ANALYSE, PLANNING_VIEW, PLANNING_VIEW_COSTS


class Command(StageCommand):
    help = "Import, export and schedule a project's plan."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import MS Project XML (.xml), .mpp or the plan workbook (.xlsx)")
        imp.add_argument("file", type=Path)
        imp.add_argument("--project", required=True)
        imp.add_argument("--replace", action="store_true", help="replace the current plan")
        add_user_argument(imp, deprecated_alias="--as")
        exp = sub.add_parser("export", help="export the plan")
        exp.add_argument("--project", required=True)
        exp.add_argument("--format", choices=["mspdi", "xlsx", "ics"], required=True)
        exp.add_argument("-o", "--output", type=Path, required=True)
        exp.add_argument(
            "--user", "--as", dest="user", default="", help="optional: export what this member may see (costs)"
        )
        sch = sub.add_parser("schedule", help="reschedule; print the finish, the critical path and the P80")
        sch.add_argument("--project", required=True)
        sch.add_argument("--level", action="store_true", help="level the resources and apply the result")
        sch.add_argument("--method", choices=["heuristic", "cpsat"], default="heuristic")
        sch.add_argument("--time-limit", type=float, default=10.0)
        sch.add_argument("--risk", type=int, metavar="N", help="run a Monte Carlo of N iterations")
        sch.add_argument("--seed", type=int, default=1)
        add_user_argument(sch, deprecated_alias="--as")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout)  # type: ignore[arg-type]  # a text stream
        activate_cli_language()
        project = project_named(options["project"])
        # Export only reads: it does not ask who you are; given a member, it exports what they may see.
        reading = options["action"] == "export" and not options["user"]
        actor = None if reading else actor_named(options["user"])
        try:
            getattr(self, f"_{options['action']}")(console, project, actor, options)
        except (DomainError, PermissionDenied) as exc:
            raise fail(exc) from None

    def _import(self, console: Console, project: Any, actor: Any, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"file not found: {path}")
        job = plan_import_enqueue(
            actor=actor,
            project=project,
            filename=path.name,
            data=path.read_bytes(),
            replace=options["replace"],
            queue=False,
        )
        result = run_job(job, "Import").result
        imported, note_label = _("Imported:"), _("note:")
        console.print(f"[green]{imported}[/] {import_summary(result)}")
        for note in result.get("notes", []):
            console.print(f"[yellow]{note_label}[/] {note}")
        self._summary(console, project)

    def _export(self, console: Console, project: Any, actor: Any, options: dict[str, Any]) -> None:
        if actor is not None:
            require(actor, project, PLANNING_VIEW)
        fmt = options["format"]
        if fmt == "mspdi":
            data = exporting.export_mspdi(project)
        elif fmt == "xlsx":
            # Without --user the terminal (which holds the server's files anyway) exports the costs too.
            data = exporting.export_xlsx(project, with_costs=actor is None or can(actor, project, PLANNING_VIEW_COSTS))
        else:
            data = exporting.export_ics(project, user=actor)
        output: Path = options["output"]
        output.write_bytes(data)
        console.print(f"[green]Wrote[/] {output} ({len(data):,} bytes)")

    def _schedule(self, console: Console, project: Any, actor: Any, options: dict[str, Any]) -> None:
        services.plan_reschedule(actor=actor, project=project)
        if options["level"]:
            require(actor, project, PLANNING_ANALYSE)
            job = services.levelling_start(
                actor=actor, project=project, method=options["method"], time_limit=options["time_limit"]
            )
            job = run_job(job, "Levelling")
            result = job.result
            services.levelling_apply(actor=actor, project=project, job=job)
            console.print(
                f"Levelling ({result['method']}): finish {result['current_finish']} → {result['levelled_finish']}, "
                f"{len(result['moved'])} tasks moved"
            )
        self._summary(console, project)
        if options["risk"]:
            require(actor, project, PLANNING_VIEW)
            plan = selectors.plan_of(project)
            risk = risk_analysis(project, plan, iterations=options["risk"], seed=options["seed"])
            table = Table(title=f"Monte Carlo, {risk['iterations']} iterations (seed {risk['seed']})")
            for key in ("P10", "P50", "P80", "P90"):
                table.add_column(key)
            table.add_row(*(risk["percentiles"][k] for k in ("P10", "P50", "P80", "P90")))
            console.print(table)
            console.print(
                f"P80: [bold]{risk['percentiles']['P80']}[/] (± {risk['p80_standard_error_days']} working days)"
            )
            for milestone in risk["milestones"]:
                chance = "" if milestone["probability"] is None else f", {100 * milestone['probability']:.1f} % on time"
                console.print(
                    f"{milestone['code']} {milestone['name']}: P50 {milestone['P50']}, P80 [bold]{milestone['P80']}[/]"
                    f" (contract {milestone['deadline'] or '—'}{chance})"
                )
            if risk["tornado"]:
                console.print(
                    "Drivers of the finish: "
                    + ", ".join(f"{t['code']} ({t['sensitivity']:+.2f})" for t in risk["tornado"][:5])
                )

    def _summary(self, console: Console, project: Any) -> None:
        summary = selectors.schedule_summary(project)
        finish = summary["finish"]
        console.print(_("Finish: %(date)s") % {"date": f"[bold]{finish:%Y-%m-%d}[/]" if finish else "—"})
        if summary["baseline_finish"] and summary["slip_working_days"] is not None:
            console.print(
                _("Baseline finish: %(date)s (slippage %(days)s working days)")
                % {"date": f"{summary['baseline_finish']:%Y-%m-%d}", "days": f"{summary['slip_working_days']:+d}"}
            )
        for milestone in summary["milestones"]:
            if milestone["deadline"] and milestone["forecast"]:
                console.print(
                    _("%(code)s %(name)s: forecast %(forecast)s, contract %(deadline)s (%(days)s days)")
                    % {
                        "code": milestone["code"],
                        "name": milestone["name"],
                        "forecast": f"{milestone['forecast']:%Y-%m-%d}",
                        "deadline": f"{milestone['deadline']:%Y-%m-%d}",
                        "days": f"{milestone['late_days']:+d}",
                    }
                )
        path = summary["critical_path"]
        console.print(
            ngettext("Critical path (%(n)s task): %(path)s", "Critical path (%(n)s tasks): %(path)s", len(path))
            % {"n": len(path), "path": " → ".join(t["code"] for t in path)}
        )
        warning_label = _("warning:")
        for warning in summary["warnings"]:
            console.print(f"[red]{warning_label}[/] {warning}")
