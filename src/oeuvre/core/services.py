"""The write helpers every stage's services share: one way to validate, save and update a domain object.

A service function of a stage stays the place where the business rules live; it calls these helpers so
that every write goes through the same path: unknown fields refused, ``full_clean`` run, the version
bumped under a row lock, the author and the reason recorded by django-simple-history (which also writes
the project's activity feed). Bulk paths that cannot go through :func:`save_with_history` use
simple-history's ``bulk_create_with_history`` / ``bulk_update_with_history`` or write one summary
activity event, and say which in a comment (``tests/test_house_rules.py`` keeps the list).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.models import VersionedModel

__all__ = ["check_fields", "delete_with_history", "full_clean", "model_update", "save_with_history"]


def full_clean(instance: models.Model, exclude: Iterable[str] | None = None) -> None:
    """Run Django's field validation and raise :class:`ValidationFailed` naming the fields."""
    try:
        instance.full_clean(exclude=list(exclude or ()), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


def check_fields(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Refuse names that are not in ``allowed`` (an API body or a CLI option naming a field it cannot set)."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})


def save_with_history(
    instance: models.Model,
    *,
    actor: Any = None,
    reason: str = "",
    update_fields: Iterable[str] | None = None,
) -> None:
    """Save ``instance`` with its author and reason in history, in a request or not (API token, CLI, job, demo).

    ``update_fields`` limits the ``UPDATE`` to those columns; ``version`` and ``updated_at`` are added for
    versioned models so that the ETag moves with every write.
    """
    if actor is not None:
        instance._history_user = actor  # type: ignore[attr-defined]
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]
    if update_fields is None:
        instance.save()
        return
    fields = set(update_fields)
    if isinstance(instance, VersionedModel):
        fields |= {"version", "updated_at"}
    instance.save(update_fields=sorted(fields))


def delete_with_history(instance: models.Model, *, actor: Any = None, reason: str = "") -> None:
    """Delete with the author recorded on the history row of the deletion."""
    if actor is not None:
        instance._history_user = actor  # type: ignore[attr-defined]
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]
    instance.delete()


def model_update[M: VersionedModel](
    *,
    instance: M,
    fields: Iterable[str],
    data: Mapping[str, Any],
    actor: Any = None,
    expected_version: int | None = None,
    reason: str = "",
    lock: bool = True,
) -> tuple[M, list[str]]:
    """Set ``data`` on ``instance`` (only names listed in ``fields``), validate and save with history.

    Must run inside ``transaction.atomic``. With ``lock`` (the default) the row is re-read under a lock and
    ``expected_version`` is checked (``None`` skips the check for internal writes); the version is bumped.
    Returns the saved instance and the names of the fields whose value changed. Nothing is saved when
    nothing changed, so a no-op edit leaves no history row and keeps the ETag.
    """
    allowed = frozenset(fields)
    check_fields(data, allowed)
    fresh = lock_for_update(instance, expected_version) if lock else instance
    changed = [name for name, value in data.items() if getattr(fresh, name) != value]
    if not changed:
        if lock:
            fresh.version -= 1  # lock_for_update bumped it for a save that will not happen
        return fresh, []
    for name in changed:
        setattr(fresh, name, data[name])
    if not lock:
        fresh.version += 1
    full_clean(fresh)
    save_with_history(fresh, actor=actor, reason=reason)
    return fresh, changed
