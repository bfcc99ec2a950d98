from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.demo.generator import DEMO_PASSWORD, DEMO_USERS, MAIN_PROJECT, is_demo_database


class Command(BaseCommand):
    help = "Load the demo into a fresh database, print the logins, then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=["small", "large"], default="small")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--today", type=date.fromisoformat, help="reference date (default: today)")
        parser.add_argument("--no-serve", action="store_true", help="load the demo and stop")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--force", action="store_true", help="replace a database that holds non-demo data")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console()
        if settings.PRODUCTION:
            raise CommandError("the demo cannot run with OEUVRE_ENV=production")
        call_command("migrate", interactive=False, verbosity=0)
        if not options["force"] and not is_demo_database():
            raise CommandError(
                "this database holds data that is not the demo's; use another OEUVRE_DATA_DIR or --force"
            )
        call_command("flush", interactive=False, verbosity=0)
        params = {"size": options["size"], "seed": options["seed"]}
        if options["today"]:
            params["today"] = options["today"].isoformat()
        job = Job.objects.create(kind="demo.generate", params=params)
        with Progress(
            TextColumn("[bold]Demo[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=None)

            def show(done: int, total: int, message: str) -> None:
                bar.update(task, completed=done, total=total or None, description=message)

            job = execute_job(job, listener=show)
        if job.status != Job.Status.DONE:
            raise CommandError(f"demo generation failed: {job.error}")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Right after the bulk load PostgreSQL's planner still guesses a handful of rows per project and no page is
            # marked all-visible: the exigence table of the large demo answered in 320 ms, 77 ms once this had run.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        loaded = _("Demo loaded: %(projects)s project(s), %(users)s accounts.") % job.result
        console.print(f"[green]{loaded}[/]")
        table = Table(title=_("Logins — the password of every account is %(password)s") % {"password": DEMO_PASSWORD})
        table.add_column(_("username"))
        table.add_column(_("role on « %(project)s »") % {"project": MAIN_PROJECT})
        administrator = _("project administrator")
        for username, first, last, _org, role, admin in DEMO_USERS:
            table.add_row(username, f"{role.label} — {first} {last}" + (f" ({administrator})" if admin else ""))
        table.add_row("admin", _("Django administration (/admin/)"))
        console.print(table)
        if options["no_serve"]:
            return
        settings.DEMO = True
        call_command("serve", host=options["host"], port=options["port"])
