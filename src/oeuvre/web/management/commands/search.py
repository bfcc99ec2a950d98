"""``oeuvre search WORDS --user U [--json]`` and ``oeuvre search reindex [--project P]``.

Searching needs to know who asks (the results are those ``--user`` may see, as in the search box); rebuilding
the index does not, and is the only meaning of ``reindex`` without ``--user``.
"""

from __future__ import annotations

import os
import time
from typing import IO, Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from oeuvre.core.cli import (
    StageCommand,
    activate_cli_language,
    actor_named,
    add_json_argument,
    print_json,
    print_table,
    project_named,
)


class Command(StageCommand):
    help = (
        "Search every project a user may see (by reference or words), or rebuild the search index: "
        "« oeuvre search reindex [--project P] »."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("words", nargs="+", help="a reference (ANO-042) or words; « reindex » to rebuild")
        parser.add_argument("--user", default="", help="who searches (required to search; $OEUVRE_USER)")
        parser.add_argument("--project", default="", help="project code: search or rebuild one project only")
        parser.add_argument("--kind", action="append", default=[], help="kind of object (exigence, anomaly…)")
        parser.add_argument("--limit", type=int, default=20, help="how many results (at most 200)")
        add_json_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        username = options["user"] or os.environ.get("OEUVRE_USER", "")
        if options["words"] == ["reindex"] and not options["user"]:
            self._reindex(options)
            return
        self._search(actor_named(username), options)

    def _reindex(self, options: dict[str, Any]) -> None:
        from oeuvre.web.searchable import reindex

        project_ids = [project_named(options["project"]).pk] if options["project"] else None
        started = time.perf_counter()
        count = reindex(project_ids=project_ids)
        elapsed = time.perf_counter() - started
        if options["json"]:
            print_json({"indexed": count, "seconds": round(elapsed, 3)})
        else:
            self.stdout.write(_("%(count)s objects indexed in %(seconds).1f s") % {"count": count, "seconds": elapsed})

    def _search(self, user: Any, options: dict[str, Any]) -> None:
        from oeuvre.web.searchable import searchable
        from oeuvre.web.selectors import search

        unknown = [k for k in options["kind"] if searchable(k) is None]
        if unknown:
            raise CommandError(_("unknown kind %(kind)r") % {"kind": unknown[0]})
        hits = search(
            user,
            " ".join(options["words"]),
            kinds=options["kind"] or None,
            project=options["project"] or None,
            limit=options["limit"],
        )
        if options["json"]:
            print_json(
                [
                    {
                        "kind": h.kind,
                        "reference": h.reference,
                        "title": h.title,
                        "project": h.project_code,
                        "url": h.url,
                    }
                    for h in hits
                ]
            )
            return
        print_table(
            [pgettext("search", "Kind"), _("Reference"), _("Title"), _("Project")],
            [(str(h.kind_label), h.reference, h.title, h.project_code) for h in hits],
            title=_("Search"),
            stream=cast(IO[str], self.stdout),  # OutputWrapper: write() and isatty() of its stream
        )
