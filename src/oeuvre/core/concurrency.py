"""Optimistic concurrency: every edit names the version it was based on."""

from __future__ import annotations

from oeuvre.core.errors import StaleVersion
from oeuvre.core.models import VersionedModel

__all__ = ["lock_for_update"]


def lock_for_update[M: VersionedModel](instance: M, expected_version: int | None) -> M:
    """Re-read ``instance`` under a row lock and refuse if its version moved since the caller read it.

    Must run inside ``transaction.atomic``. ``expected_version=None`` skips the check (internal writes).
    On SQLite the IMMEDIATE transaction already serialises writers, so the lock is implicit there.
    """
    fresh = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleVersion(fresh.version)
    fresh.version += 1
    return fresh
