"""Writes on accounts: personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.accounts.models import ApiToken, Organisation, User
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, ValidationFailed

__all__ = [
    "may_manage_organisations",
    "organisation_create",
    "organisation_update",
    "token_authenticate",
    "token_create",
    "token_revoke",
]

TOKEN_PREFIX = "oeu"  # noqa: S105 — a marker, not a secret


def _digest(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough: no dictionary attack applies.
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the record and the secret, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": [_("Give the token a name, to recognise it later.")]})
    if len(name) > 100:
        raise ValidationFailed({"name": [_("At most 100 characters.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed({"expires_at": [_("The expiry date must be in the future.")]})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(raw), expires_at=expires_at)
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise DomainError(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> User | None:
    """The active owner of a valid, unrevoked, unexpired token; None otherwise."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.digest, _digest(raw)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    # Recording the last use is not history: a plain update keeps the history tables quiet.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def may_manage_organisations(user: User) -> bool:
    """Organisations are shared by every project: creating or renaming one is a staff right."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


@transaction.atomic
def organisation_create(*, actor: User, name: str, kind: str, siret: str = "", city: str = "") -> Organisation:
    if not may_manage_organisations(actor):
        raise PermissionDenied(_("Only staff members can create organisations."))
    org = Organisation(name=name.strip(), kind=kind, siret=siret.strip(), city=city.strip())
    _validate(org)
    org.save()
    return org


@transaction.atomic
def organisation_update(
    *, actor: User, organisation: Organisation, expected_version: int | None, **changes: object
) -> Organisation:
    if not may_manage_organisations(actor):
        raise PermissionDenied(_("Only staff members can change organisations."))
    unknown = set(changes) - {"name", "kind", "siret", "city"}
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    fresh = lock_for_update(organisation, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value.strip() if isinstance(value, str) else value)
    _validate(fresh)
    fresh.save()
    return fresh


def _validate(instance: Organisation) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
    if instance.siret and (not instance.siret.isdigit() or len(instance.siret) != 14):
        raise ValidationFailed({"siret": [_("A SIRET has 14 digits.")]})
