"""``oeuvre notify digest|deadlines``: send the daily digest, look for approaching deadlines (the worker does both
every day; a script or cron may too)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from oeuvre.core.cli import StageCommand, add_json_argument, print_json
from oeuvre.web import notifications


class Command(StageCommand):
    help = "Notifications: send the daily e-mail digest, or notify the deadlines that approach."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        digest = sub.add_parser("digest", help="e-mail each person the notifications not sent yet")
        add_json_argument(digest)
        deadlines = sub.add_parser("deadlines", help="notify the CCAG-TIC deadlines that approach")
        add_json_argument(deadlines)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "digest":
            totals = notifications.digest_send()
            if options["json"]:
                print_json(totals)
                return
            self.stdout.write(
                _("Digest sent to %(people)s person(s), %(n)s notification(s).")
                % {"people": totals["people"], "n": totals["notifications"]}
            )
            return
        created = notifications.deadlines_notify()
        if options["json"]:
            print_json({"created": len(created)})
            return
        self.stdout.write(_("%(n)s deadline notification(s) created.") % {"n": len(created)})
