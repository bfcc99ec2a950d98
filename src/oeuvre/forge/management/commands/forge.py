"""``oeuvre forge add|links|replay``: forge repositories and what the code says about the chain."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser

from oeuvre.accounts.permissions import require
from oeuvre.core.cli import (
    StageCommand,
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
from oeuvre.forge import selectors
from oeuvre.forge.models import FixPolicy, ForgeEvent, ForgeKind
from oeuvre.forge.permissions import FORGE_VIEW
from oeuvre.forge.services import events as event_services
from oeuvre.forge.services import repositories as services


class Command(StageCommand):
    help = "Forge repositories (GitLab, GitHub, Gitea/Forgejo), their links to the chain, replay of deliveries."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register a repository; prints its webhook address")
        add_project_argument(add)
        add.add_argument("--kind", required=True, choices=ForgeKind.values)
        add.add_argument("--name", required=True, help="e.g. group/project")
        add.add_argument("--secret", required=True, help="the webhook secret (at least 16 characters)")
        add.add_argument("--web-url", default="", help="the repository's address on the forge")
        add.add_argument("--fix-policy", default=FixPolicy.KEYWORD, choices=FixPolicy.values)
        add.add_argument("--fix-release", default="", help="release recorded on anomalies a merged fix delivers")
        add_user_argument(add)
        add_json_argument(add)
        links = sub.add_parser("links", help="commits, merge requests and pipelines linked to one reference")
        add_project_argument(links)
        links.add_argument("reference", help="EX-012, T-045, ANO-007…")
        links.add_argument("--user", default="", help="read as this member (default: no permission check)")
        add_json_argument(links)
        replay = sub.add_parser("replay", help="process a stored delivery again, here and now")
        replay.add_argument("event_id", type=int)
        add_user_argument(replay)
        add_json_argument(replay)

    @property
    def _out(self) -> IO[str]:
        return cast(IO[str], self.stdout)  # Django's OutputWrapper writes like a text stream

    def handle(self, *args: Any, **options: Any) -> None:
        {"add": self._add, "links": self._links, "replay": self._replay}[options["action"]](options)

    def _add(self, options: dict[str, Any]) -> None:
        project = project_named(options["project"])
        actor = actor_named(options["user"])
        try:
            repository = services.repository_create(
                actor=actor,
                project=project,
                kind=options["kind"],
                name=options["name"],
                secret=options["secret"],
                web_url=options["web_url"],
                fix_policy=options["fix_policy"],
                fix_release=options["fix_release"],
            )
        except PermissionDenied:
            raise CommandError(f"{options['user']}: your role does not allow this on this project") from None
        except DomainError as exc:
            raise fail(exc) from None
        if options["json"]:
            print_json(
                {
                    "id": repository.pk,
                    "name": repository.name,
                    "kind": repository.kind,
                    "webhook_url": repository.webhook_path,
                },
                self._out,
            )
        else:
            self.stdout.write(f"{repository.name}: {repository.webhook_path}")

    def _links(self, options: dict[str, Any]) -> None:
        project = project_named(options["project"])
        if options["user"]:
            try:
                require(actor_named(options["user"]), project, FORGE_VIEW)
            except PermissionDenied:
                raise CommandError(f"{options['user']}: not a member allowed to see {project.code}") from None
        rows = selectors.links_for_reference(project, options["reference"])
        if options["json"]:
            print_json(rows, self._out)
            return
        print_table(
            ["kind", "sha/iid", "state", "title", "url"],
            [[r["kind"], r.get("iid") or r.get("id") or r["sha"][:12], r["state"], r["title"], r["url"]] for r in rows],
            stream=self._out,
        )

    def _replay(self, options: dict[str, Any]) -> None:
        event = ForgeEvent.objects.select_related("project").filter(pk=options["event_id"]).first()
        if event is None:
            raise CommandError(f"unknown delivery {options['event_id']}")
        try:
            event = event_services.event_replay_now(actor=actor_named(options["user"]), event=event)
        except PermissionDenied:
            raise CommandError(f"{options['user']}: your role does not allow this on this project") from None
        except DomainError as exc:
            raise fail(exc) from None
        if options["json"]:
            print_json(
                {"id": event.pk, "status": event.status, "summary": event.summary, "error": event.error}, self._out
            )
        else:
            self.stdout.write(f"#{event.pk} {event.status}: {event.summary or event.error}")
