"""``oeuvre recette export`` (cahier de recette DOCX/PDF, anomalies xlsx), ``oeuvre recette anomalies`` (list)
and ``oeuvre recette anomaly REF ACTION`` (a workflow move, as a named member)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils import translation

from oeuvre.accounts.permissions import can
from oeuvre.core.errors import DomainError
from oeuvre.recette import exports
from oeuvre.recette.cli.common import actor_named, add_user_argument, project_named
from oeuvre.recette.models import Anomaly
from oeuvre.recette.permissions import RECETTE_VIEW
from oeuvre.recette.selectors.anomalies import AnomalyFilters, anomalies_for, severity_labels
from oeuvre.recette.services.anomalies import TRANSITIONS, anomaly_transition

FORMATS = ("docx", "pdf", "anomalies-xlsx")


def add_subcommands(sub: Any) -> None:
    exp = sub.add_parser("export", help="write the cahier de recette (docx, pdf) or the anomalies (xlsx) to a file")
    exp.add_argument("--project", required=True, help="project code")
    exp.add_argument("--format", required=True, choices=FORMATS)
    exp.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    exp.add_argument("--results", action="store_true", help="cahier: add each case's latest result")
    exp.add_argument("--language", default="fr", help="language of the document (fr, en)")
    exp.add_argument("--user", default="", help="optional: check that this member may read the project's recette")
    exp.set_defaults(handler=_export)

    lst = sub.add_parser("anomalies", help="list a project's anomalies")
    lst.add_argument("--project", required=True)
    lst.add_argument("--status", default="")
    lst.add_argument("--severity", default="")
    lst.add_argument("--open", action="store_true", help="only anomalies not closed nor rejected")
    lst.set_defaults(handler=_list)

    move = sub.add_parser("anomaly", help="move an anomaly along the workflow (as --user)")
    move.add_argument("reference", help="e.g. ANO-012")
    move.add_argument("action", choices=sorted(TRANSITIONS))
    move.add_argument("--project", required=True)
    move.add_argument("--reason", default="")
    move.add_argument("--release-fixed", default="", help="deliver: the release carrying the fix")
    add_user_argument(move)
    move.set_defaults(handler=_move)


def _export(command: Any, options: dict[str, Any]) -> None:
    project = project_named(options["project"])
    if options["user"]:
        user = actor_named(options["user"])
        if not can(user, project, RECETTE_VIEW):
            raise CommandError(f"{user.username} may not read the recette of {project.code}")
    with translation.override(options["language"]):
        fmt = options["format"]
        if fmt == "docx":
            data = exports.cahier_docx(project, with_results=options["results"])
        elif fmt == "pdf":
            data = exports.cahier_pdf(project, with_results=options["results"])
        else:
            data = exports.anomalies_xlsx(project)
    output: Path = options["output"]
    output.write_bytes(data)
    command.stdout.write(f"{output} ({len(data):,} bytes)")


def _list(command: Any, options: dict[str, Any]) -> None:
    project = project_named(options["project"])
    labels = severity_labels(project)
    rows = anomalies_for(
        project, AnomalyFilters(status=options["status"], severity=options["severity"], open_only=options["open"])
    )
    count = 0
    for a in rows:
        count += 1
        assignee = a.assignee.username if a.assignee else "-"
        status = str(a.get_status_display())
        severity = labels[a.severity]
        command.stdout.write(f"{a.reference:<10} {status:<14} {severity:<12} {a.priority:<3} {assignee:<12} {a.title}")
    command.stdout.write(f"{count} anomalies")


def _move(command: Any, options: dict[str, Any]) -> None:
    project = project_named(options["project"])
    actor = actor_named(options["user"])
    anomaly = Anomaly.objects.filter(project=project, reference=options["reference"]).first()
    if anomaly is None:
        raise CommandError(f"no anomaly {options['reference']} in {project.code}")
    fields = (
        {"release_fixed": options["release_fixed"]}
        if options["action"] == "deliver" and options["release_fixed"]
        else {}
    )
    try:
        moved = anomaly_transition(
            actor=actor,
            anomaly=anomaly,
            action=options["action"],
            expected_version=None,
            reason=options["reason"],
            **fields,
        )
    except PermissionDenied:
        raise CommandError(f"{actor.username} may not {options['action']} anomalies in {project.code}") from None
    except DomainError as exc:
        raise CommandError(str(exc.message)) from None
    command.stdout.write(f"{moved.reference}: {moved.get_status_display()} ({moved.get_kind_display()})")
