from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console

from oeuvre.core.server import run_server


class Command(BaseCommand):
    help = "Migrate the database, then serve Œuvre with gunicorn and a job worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("OEUVRE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("OEUVRE_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=settings.OEUVRE_WEB_WORKERS, help="web processes")
        parser.add_argument("--no-worker", action="store_true", help="do not start a job worker beside the server")
        parser.add_argument("--no-migrate", action="store_true", help="do not migrate first (several app servers)")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console()
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "oeuvre", "worker"])

            def stop_worker() -> None:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
                    try:
                        worker.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        worker.kill()

            atexit.register(stop_worker)
        url = f"http://{options['host']}:{options['port']}/"
        console.print(f"[bold green]Œuvre[/] is served at [link={url}]{url}[/link]  (Ctrl+C to stop)")
        run_server(options["host"], options["port"], workers=options["workers"], threads=settings.OEUVRE_WEB_THREADS)
