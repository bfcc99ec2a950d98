"""Helpers shared by the ``oeuvre recette`` subcommands."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError

from oeuvre.accounts.models import User
from oeuvre.projects.models import Project


def project_named(code: str) -> Project:
    project = Project.objects.filter(code=code).first()
    if project is None:
        raise CommandError(f"unknown project {code!r}")
    return project


def add_user_argument(parser: Any) -> None:
    parser.add_argument(
        "--user",
        default=os.environ.get("OEUVRE_USER", ""),
        help="the member the command acts as (default: $OEUVRE_USER); their role must allow it",
    )


def actor_named(username: str) -> User:
    if not username:
        raise CommandError("say who acts: --user USERNAME or OEUVRE_USER")
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"unknown user {username!r}")
    return user
