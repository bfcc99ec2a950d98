from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from oeuvre.core.periodic import enqueue_due, start_scheduler_thread


class Command(BaseCommand):
    help = "Run a job worker: the database queue by default, Redis (RQ) when REDIS_URL is set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run the queued jobs, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            enqueue_due()  # a batch run queues what is due, then runs it with the rest
        else:
            start_scheduler_thread()
        if settings.REDIS_URL:
            extra = ["--burst"] if options["batch"] else []
            call_command("rqworker", "default", "--job-class", "django_tasks_rq.Job", *extra)
        else:
            extra = ["--batch"] if options["batch"] else []
            call_command("db_worker", "--queue-name", "*", "--no-startup-delay", "--no-reload", *extra)
