"""``oeuvre recette junit`` (push CI results) and ``oeuvre recette campaigns`` (campaigns with their progress)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from rich.console import Console
from rich.table import Table

from oeuvre.accounts.permissions import require
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.recette.cli.common import actor_named, add_user_argument, project_named
from oeuvre.recette.models import Campaign, Iteration
from oeuvre.recette.permissions import RECETTE_VIEW
from oeuvre.recette.selectors import testbook as selectors
from oeuvre.recette.services import testbook as services


def add_subcommands(sub: Any) -> None:
    junit = sub.add_parser(
        "junit",
        help="import JUnit XML results (pytest, Surefire, Jest…) into a campaign",
        description="Create one execution per test case found in a JUnit XML report, in bulk. Results are mapped "
        "to test cases by a saved mapping or by the reference in their name (test_CT_012_login, CT-012).",
    )
    junit.add_argument("file", help="the JUnit XML report")
    junit.add_argument("--project", required=True, help="project code")
    junit.add_argument("--campaign", required=True, help="campaign name or id")
    junit.add_argument("--iteration", type=int, default=None, help="iteration number (default: the latest)")
    add_user_argument(junit)
    junit.set_defaults(handler=junit_command)

    campaigns = sub.add_parser("campaigns", help="list the campaigns of a project with their progress")
    campaigns.add_argument("--project", required=True, help="project code")
    add_user_argument(campaigns)
    campaigns.set_defaults(handler=campaigns_command)


def _campaign(project: Any, name: str) -> Campaign:
    found = Campaign.objects.filter(project=project, name=name).select_related("project").first()
    if found is None and name.isdigit():
        found = Campaign.objects.filter(project=project, pk=int(name)).select_related("project").first()
    if found is None:
        raise CommandError(f"unknown campaign {name!r} in project {project.code}")
    return found


def _fail(exc: Exception) -> CommandError:
    if isinstance(exc, ValidationFailed):
        return CommandError("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.errors.items()))
    if isinstance(exc, DomainError):
        return CommandError(str(exc.message))
    return CommandError(str(exc) or "permission denied")


def junit_command(command: Any, options: dict[str, Any]) -> None:
    project = project_named(options["project"])
    actor = actor_named(options["user"])
    campaign = _campaign(project, options["campaign"])
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    iteration = None
    if options["iteration"] is not None:
        iteration = Iteration.objects.filter(campaign=campaign, number=options["iteration"]).first()
        if iteration is None:
            raise CommandError(f"campaign {campaign.name!r} has no iteration {options['iteration']}")
    try:
        result = services.junit_import(
            actor=actor, campaign=campaign, data=path.read_bytes(), filename=path.name, iteration=iteration
        )
    except (DomainError, PermissionDenied) as exc:
        raise _fail(exc) from None
    number = Iteration.objects.get(pk=result.iteration_id).number
    console = Console(file=command.stdout, width=120)
    console.print(
        f"[bold]{path.name}[/bold] → {campaign.name}, iteration {number}: {result.total} results, "
        f"{result.created} executions created, {result.planned} test cases newly planned"
    )
    table = Table("status", "executions")
    for status, n in sorted(result.by_status.items()):
        table.add_row(status, str(n))
    console.print(table)
    if result.unmapped:
        console.print(f"[yellow]{len(result.unmapped)} unmapped[/yellow] (no test case matched; save a mapping):")
        for name in result.unmapped[:50]:
            console.print(f"  {name}", markup=False, highlight=False)
        if len(result.unmapped) > 50:
            console.print(f"  … and {len(result.unmapped) - 50} more")
    if result.failures:
        console.print(f"[red]{len(result.failures)} failures[/red] (each proposes an anomaly):")
        for draft in result.failures[:50]:
            console.print(f"  {draft['title']}", markup=False, highlight=False)
        if len(result.failures) > 50:
            console.print(f"  … and {len(result.failures) - 50} more")


def campaigns_command(command: Any, options: dict[str, Any]) -> None:
    project = project_named(options["project"])
    actor = actor_named(options["user"])
    try:
        require(actor, project, RECETTE_VIEW)
    except PermissionDenied as exc:
        raise _fail(exc) from None
    campaigns = list(selectors.campaigns_for(project).order_by("starts_on", "pk"))
    progress = selectors.campaign_progress(campaigns)
    table = Table("id", "campaign", "kind", "status", "planned", "OK", "KO", "bloqué", "not run", "run %", "pass %")
    for c in campaigns:
        p = progress[c.pk]
        table.add_row(
            str(c.pk), c.name, c.kind, c.status, str(p.planned), str(p.ok), str(p.ko), str(p.bloque), str(p.not_run),
            f"{p.execution_rate:.1f}", f"{p.pass_rate:.1f}",
        )  # fmt: skip
    Console(file=command.stdout, width=160).print(table)
