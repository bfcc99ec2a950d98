"""Forge repositories: register, edit, remove (with history; the secret is encrypted, never returned)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.services import check_fields, delete_with_history, full_clean, model_update, save_with_history
from oeuvre.forge.models import FixPolicy, ForgeKind, Repository
from oeuvre.forge.permissions import FORGE_MANAGE
from oeuvre.forge.secrets import encrypt_secret
from oeuvre.projects.models import Project

__all__ = ["repository_create", "repository_delete", "repository_update"]

_EDITABLE = frozenset({"name", "web_url", "fix_policy", "fix_release", "retention_days"})
MIN_SECRET = 16


def _check_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if len(secret) < MIN_SECRET:
        raise ValidationFailed(
            {"secret": [_("Give a secret of at least %(count)d characters.") % {"count": MIN_SECRET}]}
        )
    if len(secret) > 200:
        raise ValidationFailed({"secret": [_("The secret is longer than 200 characters.")]})
    return secret


def _check_name(project: Project, name: str, exclude_pk: int | None = None) -> None:
    taken = Repository.objects.filter(project=project, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed({"name": [_("A repository of this project already has this name.")]})


@transaction.atomic
def repository_create(*, actor: User, project: Project, kind: str, name: str, secret: str, **fields: Any) -> Repository:
    """Register a repository; its webhook address is ``repository.webhook_path``."""
    require(actor, project, FORGE_MANAGE)
    check_fields(fields, _EDITABLE - {"name"})
    if kind not in ForgeKind.values:
        raise ValidationFailed({"kind": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(ForgeKind.values)}]})
    if fields.get("fix_policy", FixPolicy.KEYWORD) not in FixPolicy.values:
        raise ValidationFailed(
            {"fix_policy": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(FixPolicy.values)}]}
        )
    name = (name or "").strip()
    repository = Repository(
        project=project,
        kind=kind,
        name=name,
        secret_encrypted=encrypt_secret(_check_secret(secret)),
        acting_user=actor,
        **fields,
    )
    full_clean(repository, exclude=["hook_token"])
    _check_name(project, name)
    try:
        with transaction.atomic():
            save_with_history(repository, actor=actor)
    except IntegrityError:
        raise ValidationFailed({"name": [_("A repository of this project already has this name.")]}) from None
    return repository


@transaction.atomic
def repository_update(
    *, actor: User, repository: Repository, expected_version: int | None, secret: str = "", **changes: Any
) -> Repository:
    """Edit the settings; a non-empty ``secret`` replaces the stored one."""
    require(actor, repository.project, FORGE_MANAGE)
    check_fields(changes, _EDITABLE)
    if "fix_policy" in changes and changes["fix_policy"] not in FixPolicy.values:
        raise ValidationFailed(
            {"fix_policy": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(FixPolicy.values)}]}
        )
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        _check_name(repository.project, changes["name"], exclude_pk=repository.pk)
    if secret:
        changes["secret_encrypted"] = encrypt_secret(_check_secret(secret))
    fresh, _changed = model_update(
        instance=repository,
        fields=_EDITABLE | {"secret_encrypted"},
        data=changes,
        actor=actor,
        expected_version=expected_version,
    )
    return fresh


@transaction.atomic
def repository_delete(*, actor: User, repository: Repository) -> None:
    """Remove the repository with its deliveries and links (the history keeps that it existed)."""
    require(actor, repository.project, FORGE_MANAGE)
    delete_with_history(repository, actor=actor)
