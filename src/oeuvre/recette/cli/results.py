"""``oeuvre recette results FILE``: push a load-test or security-scan report, as a pipeline pushes JUnit."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from oeuvre.core.cli import activate_cli_language, add_json_argument, fail, print_json, print_table
from oeuvre.core.errors import DomainError
from oeuvre.recette.cli.common import actor_named, add_user_argument, project_named
from oeuvre.recette.models import Campaign
from oeuvre.recette.services import results as services


def add_subcommands(sub: Any) -> None:
    results = sub.add_parser(
        "results",
        help="import a load-test or security-scan report (JMeter, k6, Gatling, Locust, SARIF, ZAP)",
        description="Compare the report's measurements with the criteria of the DAT: each test case verifying a "
        "measured criterion gets an execution in the campaign's iteration, passed when its criteria are met. "
        "Criteria not met and high or critical findings propose anomalies.",
    )
    results.add_argument(
        "file", nargs="+",
        help="the report file, a report folder (Gatling's, Locust's --csv output) or a zip; or the files of one run "
        "(Locust's _stats.csv and _stats_history.csv)",
    )  # fmt: skip
    results.add_argument("--project", required=True, help="project code")
    results.add_argument("--campaign", required=True, help="performance or security campaign, by name or id")
    results.add_argument("--iteration", type=int, default=None, help="iteration number (default: the latest)")
    add_user_argument(results)
    add_json_argument(results)
    results.set_defaults(handler=results_command)


def results_command(command: Any, options: dict[str, Any]) -> None:
    activate_cli_language()
    project = project_named(options["project"])
    actor = actor_named(options["user"])
    name = options["campaign"]
    campaign = Campaign.objects.filter(project=project, name=name).first()
    if campaign is None and name.isdigit():
        campaign = Campaign.objects.filter(project=project, pk=int(name)).first()
    if campaign is None:
        raise CommandError(f"unknown campaign {name!r} in project {project.code}")
    paths = [Path(f) for f in options["file"]]
    for path in paths:
        if not path.is_file() and not (path.is_dir() and len(paths) == 1):
            raise CommandError(f"{path}: no such file")
    if len(paths) > services.MAX_PARTS:
        raise CommandError(f"at most {services.MAX_PARTS} files of one run")
    path = paths[0]
    try:
        if len(paths) == 1:
            record = services.results_import(
                project=project, campaign=campaign, iteration=options["iteration"], path=path, user=actor,
            )  # fmt: skip
        else:
            record = services.results_import(
                project=project, campaign=campaign, iteration=options["iteration"], user=actor,
                paths=[(p, p.name) for p in paths],
            )  # fmt: skip
    except (DomainError, PermissionDenied) as exc:
        raise fail(exc) from None
    if options["json"]:
        buffer = io.StringIO()  # one write: the command's wrapper would end every chunk with a newline
        print_json(record.as_dict(), buffer)
        command.stdout.write(buffer.getvalue(), ending="")
        return
    command.stdout.write(
        _("%(file)s (%(tool)s) → %(campaign)s, iteration %(n)s")
        % {
            "file": " + ".join(p.name for p in paths),
            "tool": record.tool,
            "campaign": campaign.name,
            "n": record.iteration,
        }
    )
    rows = [
        (c["criterion"], c["test_case"], f"{c['metric']} {c['threshold']} {c['unit']}",
         services.format_measure(c["measured"], c["measured_unit"]),
         _("met") if c["met"] else _("not met"))
        for c in record.criteria
    ]  # fmt: skip
    print_table([_("criterion"), _("test case"), _("threshold"), _("measured"), _("result")], rows,
                stream=command.stdout)  # fmt: skip
    if record.unmeasured:
        command.stdout.write(_("Not in this file: %(refs)s") % {"refs": ", ".join(sorted(set(record.unmeasured)))})
    for proposal in record.proposals:
        command.stdout.write(_("Proposed anomaly: %(title)s") % {"title": proposal["title"]})
