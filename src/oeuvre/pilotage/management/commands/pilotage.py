"""``oeuvre pilotage SUBCOMMAND …``: the steering stage's command line (``meteo``, ``snapshot``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

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


class Command(StageCommand):
    help = (
        "Steering: the QCD météo with its reasons, météo snapshots, change requests, the COPIL deck, the flash report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        meteo = sub.add_parser("meteo", help="the verdict of each axis (quality, cost, schedule, scope) and why")
        add_project_argument(meteo)
        add_json_argument(meteo)
        meteo.set_defaults(handler=_meteo)
        snapshot = sub.add_parser("snapshot", help="keep today's météo in the project's history")
        add_project_argument(snapshot)
        add_user_argument(snapshot)
        snapshot.set_defaults(handler=_snapshot)
        changes = sub.add_parser("changes", help="the change requests: status, waiting days, cost, delay, avenant")
        add_project_argument(changes)
        add_json_argument(changes)
        changes.add_argument("--status", default="", help="only this status (brouillon, soumise, analysee…)")
        changes.set_defaults(handler=_changes)
        risks = sub.add_parser(
            "risks", help="Monte Carlo of the finish with and without the open risks, and each risk's contribution"
        )
        add_project_argument(risks)
        add_json_argument(risks)
        risks.add_argument("--iterations", type=int, default=2000, help="Monte Carlo iterations (default 2000)")
        risks.set_defaults(handler=_risks)
        deck = sub.add_parser("deck", help="write the COPIL deck (PowerPoint with native charts) from live data")
        add_project_argument(deck)
        deck.add_argument("-o", "--output", required=True, help="the .pptx file to write")
        deck.set_defaults(handler=_deck)
        flash = sub.add_parser("flash", help="write the one-page flash report (PDF) for the weekly COPROJ")
        add_project_argument(flash)
        flash.add_argument("-o", "--output", required=True, help="the .pdf file to write")
        flash.add_argument("--lang", choices=["fr", "en"], default=None, help="language (default: the environment's)")
        flash.set_defaults(handler=_flash)

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        handler = options.get("handler")
        if handler is None:
            raise CommandError("choose a subcommand (see --help)")
        handler(self, options)


def _meteo(command: BaseCommand, options: dict[str, Any]) -> None:
    from oeuvre.pilotage.selectors.meteo import as_json, meteo_of
    from oeuvre.pilotage.words import axis_label, weather_label

    project = project_named(options["project"])
    meteo = meteo_of(project)
    data = as_json(meteo)
    if options["json"]:
        print_json(data)
        return
    rows: list[list[Any]] = [
        [axis_label("overall"), weather_label(data["overall"]), weather_label(data["computed_overall"]), ""]
    ]
    for axis, entry in data["axes"].items():
        rows.append([axis_label(axis), weather_label(entry["verdict"]), weather_label(entry["computed"]), ""])
        rows.extend(["", "", "", reason] for reason in entry["reasons"])
    print_table(["axis", "verdict", "computed", "reason"], rows, title=project.code)


def _changes(command: BaseCommand, options: dict[str, Any]) -> None:
    from django.utils import timezone

    from oeuvre.pilotage.models import ChangeStatus
    from oeuvre.pilotage.selectors.changes import ChangeFilters, change_as_json, changes_for

    project = project_named(options["project"])
    if options["status"] and options["status"] not in ChangeStatus.values:
        raise CommandError(f"--status: choose one of {', '.join(ChangeStatus.values)}")
    today = timezone.localdate()
    rows = [change_as_json(c, today) for c in changes_for(project, ChangeFilters(status=options["status"]))]
    if options["json"]:
        print_json({"project": project.code, "changes": rows})
        return
    labels = dict(ChangeStatus.choices)
    table = [
        [
            r["reference"],
            r["title"],
            str(labels.get(r["status"], r["status"])),
            "" if r["waiting_days"] is None else r["waiting_days"],
            "" if r["analysis"] is None else f"{r['analysis']['extra_cost']:.0f}",
            "" if r["analysis"] is None else r["analysis"]["delay_days"],
            r["avenant_number"] or ("!" if r["status"] == "acceptee" and r["needs_avenant"] else ""),
        ]
        for r in rows
    ]
    print_table(
        ["reference", "title", "status", "waiting (days)", "cost (€)", "delay (days)", "avenant"],
        table,
        title=project.code,
    )


def _risks(command: BaseCommand, options: dict[str, Any]) -> None:
    from oeuvre.pilotage.selectors.risks import schedule_risk_analysis

    project = project_named(options["project"])
    if not 100 <= options["iterations"] <= 100_000:
        raise CommandError("--iterations: between 100 and 100000")
    result = schedule_risk_analysis(project, iterations=options["iterations"])
    if result is None:
        raise CommandError(f"{project.code}: the project has no plan to simulate yet")
    if options["json"]:
        print_json(
            {
                "project": project.code,
                "p50_with_risks": result["with_risks"]["P50"],
                "p80_with_risks": result["with_risks"]["P80"],
                "p50_without_risks": result["without_risks"]["P50"],
                "p80_without_risks": result["without_risks"]["P80"],
                **result,
            }
        )
        return
    rows: list[list[Any]] = [
        [
            "finish",
            result["without_risks"]["P50"],
            result["without_risks"]["P80"],
            result["with_risks"]["P50"],
            result["with_risks"]["P80"],
        ]
    ]
    rows.extend(
        [
            m["code"],
            m["without_risks"]["P50"],
            m["without_risks"]["P80"],
            m["with_risks"]["P50"],
            m["with_risks"]["P80"],
        ]
        for m in result["milestones"]
    )
    print_table(["", "P50 without", "P80 without", "P50 with", "P80 with"], rows, title=project.code)
    print_table(
        ["risk", "title", "chance", "P80 shift (working days)"],
        [[c["key"], c["name"], f"{c['probability']:.0%}", c["p80_shift_days"]] for c in result["contributions"]],
        title="contributions",
    )


def _snapshot(command: BaseCommand, options: dict[str, Any]) -> None:
    from oeuvre.pilotage.services.meteo import snapshot_take
    from oeuvre.pilotage.words import weather_label

    project = project_named(options["project"])
    actor = actor_named(options["user"])
    try:
        snapshot = snapshot_take(actor=actor, project=project)
    except (DomainError, PermissionDenied) as exc:
        raise fail(exc) from exc
    command.stdout.write(f"{project.code} {snapshot.taken_on.isoformat()}: {weather_label(snapshot.overall)}")


def _deck(command: BaseCommand, options: dict[str, Any]) -> None:
    import shutil

    from oeuvre.core.cli import cli_language, run_job
    from oeuvre.core.models import Job
    from oeuvre.pilotage.deck import deck_path

    project = project_named(options["project"])
    job = Job.objects.create(
        kind="pilotage.deck", params={"project": project.pk, "language": cli_language()}, project=project
    )
    job = run_job(job, "COPIL")
    try:
        shutil.copyfile(deck_path(job), options["output"])
    except OSError as exc:
        raise CommandError(f"{options['output']}: {exc.strerror}") from exc
    command.stdout.write(f"{options['output']}: {job.result['size']} bytes")


def _flash(command: BaseCommand, options: dict[str, Any]) -> None:
    from oeuvre.core.cli import cli_language
    from oeuvre.pilotage.flash import flash_pdf

    project = project_named(options["project"])
    data = flash_pdf(project, options["lang"] or cli_language())
    try:
        with open(options["output"], "wb") as out:
            out.write(data)
    except OSError as exc:
        raise CommandError(f"{options['output']}: {exc.strerror}") from exc
    command.stdout.write(f"{options['output']}: {len(data)} bytes")
