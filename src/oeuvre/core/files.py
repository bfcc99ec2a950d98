"""Private files: one root, one naming rule, one sweep of orphans.

Every file the application keeps for a project (execution evidence, signed PVs, comment attachments,
generated decks and release notes, uploads waiting for a job) lives under ``settings.OEUVRE_PRIVATE_ROOT``
(``OEUVRE_PRIVATE_DIR``, by default ``<media>/private``), in one folder per *area*. A stored file is named
by the application, never by the user: ``<area>/<2 hex>/<32 hex><suffix>``; the user's file name is kept in
the database only. A file written inside a transaction that then fails has no row pointing at it:
:func:`sweep_orphans` (run by the housekeeping job) removes such files once they are older than a grace
period, for every area registered with :func:`register_private_area`.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

__all__ = [
    "PrivateArea",
    "private_path",
    "private_root",
    "register_private_area",
    "remove_private",
    "store_private",
    "sweep_orphans",
]

_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")
_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]{1,10})?$")


@dataclass(frozen=True)
class PrivateArea:
    """A folder of private files and the way to list the names the database still points at."""

    name: str
    referenced: Callable[[], Iterable[str]]


_AREAS: dict[str, PrivateArea] = {}


def register_private_area(name: str, referenced: Callable[[], Iterable[str]]) -> None:
    """Declare an area; ``referenced()`` returns the stored names (as :func:`store_private` gave them) in use."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", name):
        raise ValueError(f"bad private area name {name!r}")
    _AREAS[name] = PrivateArea(name, referenced)


def private_root() -> Path:
    configured = getattr(settings, "OEUVRE_PRIVATE_ROOT", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "private"


def private_path(area: str, stored_name: str) -> Path:
    """The path of a stored file; refuses any name that :func:`store_private` could not have produced."""
    if area not in _AREAS and not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", area):
        raise ValueError(f"bad private area {area!r}")
    if not _NAME.fullmatch(stored_name):
        raise ValueError(f"bad stored file name {stored_name!r}")
    return private_root() / area / stored_name


def store_private(area: str, data: bytes, suffix: str = "") -> str:
    """Write ``data`` under a generated name in ``area``; returns the stored name to keep in the database.

    The file is written to a temporary name and renamed, so a reader never sees half a file.
    """
    suffix = suffix.lower()
    if suffix and not _SUFFIX.fullmatch(suffix):
        suffix = ""
    token = uuid.uuid4().hex
    stored = f"{token[:2]}/{token}{suffix}"
    target = private_path(area, stored)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, target)
    return stored


def remove_private(area: str, stored_name: str) -> None:
    """Remove a stored file if it is there (deleting its row is the caller's business)."""
    private_path(area, stored_name).unlink(missing_ok=True)


def sweep_orphans(grace_seconds: int = 3600, now: float | None = None) -> dict[str, int]:
    """Remove files of registered areas that no row points at and that are older than ``grace_seconds``.

    The grace period protects a file written by a transaction that has not committed yet.
    Returns the number of files removed per area.
    """
    moment = time.time() if now is None else now
    removed: dict[str, int] = {}
    for area in _AREAS.values():
        folder = private_root() / area.name
        if not folder.is_dir():
            continue
        in_use = set(area.referenced())
        count = 0
        for path in folder.glob("*/*"):
            if not path.is_file():
                continue
            name = f"{path.parent.name}/{path.name}"
            if name in in_use or moment - path.stat().st_mtime < grace_seconds:
                continue
            path.unlink(missing_ok=True)
            count += 1
        removed[area.name] = count
    return removed
