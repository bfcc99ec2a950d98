"""``oeuvre webhooks test --project P URL``: send a signed test delivery to a registered webhook, now."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser

from oeuvre.core.cli import (
    StageCommand,
    actor_named,
    add_json_argument,
    add_project_argument,
    add_user_argument,
    fail,
    print_json,
    project_named,
)
from oeuvre.core.errors import DomainError
from oeuvre.forge.models import DeliveryStatus, WebhookSubscription
from oeuvre.forge.services.webhooks import subscription_test


class Command(StageCommand):
    help = "Outgoing webhooks: send a test delivery to a registered address."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        test = sub.add_parser("test", help="send a signed webhook.test delivery and print the outcome")
        add_project_argument(test)
        test.add_argument("url", help="the address of a webhook registered on the project")
        add_user_argument(test)
        add_json_argument(test)

    def handle(self, *args: Any, **options: Any) -> None:
        project = project_named(options["project"])
        actor = actor_named(options["user"])
        subscription = WebhookSubscription.objects.filter(project=project, url=options["url"]).first()
        if subscription is None:
            raise CommandError(f"no webhook of {project.code} has the address {options['url']}")
        try:
            delivery = subscription_test(actor=actor, subscription=subscription)
        except PermissionDenied:
            raise CommandError(f"{actor.username}: your role does not allow managing webhooks") from None
        except DomainError as exc:
            raise fail(exc) from None
        result = {
            "delivery": str(delivery.uuid),
            "status": delivery.status,
            "response_code": delivery.response_code,
            "duration_ms": delivery.duration_ms,
            "error": delivery.error,
        }
        if options["json"]:
            print_json(result, cast(IO[str], self.stdout))
        else:
            self.stdout.write(
                f"{delivery.status}: HTTP {delivery.response_code or '—'} in {delivery.duration_ms} ms {delivery.error}"
            )
        if delivery.status != DeliveryStatus.SUCCEEDED:
            raise CommandError(f"not delivered: {delivery.error}")
