from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from oeuvre.accounts import selectors, services
from oeuvre.accounts.models import ApiToken, User
from oeuvre.core.cli import StageCommand


class Command(StageCommand):
    help = "Manage personal API tokens: create USERNAME, list USERNAME, revoke USERNAME PREFIX."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new token for USERNAME")
        create.add_argument("username")
        create.add_argument("--name", default="CLI", help="a label to recognise the token later")
        listing = sub.add_parser("list", help="list USERNAME's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke USERNAME's token by its prefix")
        revoke.add_argument("username")
        revoke.add_argument("prefix")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"unknown user {username!r}")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["username"])
        if options["action"] == "create":
            if not user.is_active:
                raise CommandError(f"user {user.username!r} is deactivated")
            _token, raw = services.token_create(user=user, name=options["name"])
            self.stdout.write(raw)
        elif options["action"] == "list":
            for token in selectors.tokens_of(user):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(f"{token.prefix}\t{token.name}\t{token.created_at:%Y-%m-%d %H:%M}\t{state}")
        else:
            found = ApiToken.objects.filter(user=user, prefix=options["prefix"]).first()
            if found is None:
                raise CommandError(f"{user.username!r} has no token with prefix {options['prefix']!r}")
            services.token_revoke(actor=user, token=found)
            self.stdout.write(f"revoked {found.prefix}")
