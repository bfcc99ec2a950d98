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
from django.utils.translation import gettext as _

__all__ = [
    "CheckedUpload",
    "PrivateArea",
    "check_upload",
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


# --- The upload guard: what a person may attach (evidence rules) ---------------------------------------------

# Sniffed kind → (stored extension, content type served, extensions the user's name may have).
_UPLOAD_KINDS: dict[str, tuple[str, str, frozenset[str]]] = {
    "png": (".png", "image/png", frozenset({".png"})),
    "jpeg": (".jpg", "image/jpeg", frozenset({".jpg", ".jpeg"})),
    "gif": (".gif", "image/gif", frozenset({".gif"})),
    "pdf": (".pdf", "application/pdf", frozenset({".pdf"})),
    "zip": (".zip", "application/zip", frozenset({".zip"})),
    "text": (".txt", "text/plain", frozenset({".txt", ".log", ".csv", ".json", ".har", ".md", ".out", ""})),
}
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|svg|script|iframe|body|\?xml)", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"<>:|?*]")


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the user's file name, cleaned
    suffix: str  # the extension it is stored under
    content_type: str  # the type it is served with


def _sniff_upload(data: bytes) -> str | None:
    """The kind of a file from its first bytes (never its name), or ``None`` if not accepted."""
    for magic, kind in (
        (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
        (b"%PDF-", "pdf"), (b"PK\x03\x04", "zip"),
    ):  # fmt: skip
        if data.startswith(magic):
            return kind
    if b"\x00" in data[:65536]:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data.decode("cp1252")  # a log written by a Windows tool
        except UnicodeDecodeError:
            return None
    if _MARKUP.search(data[:4096]):
        return None  # HTML, SVG or XML: could run script if a browser ever rendered it
    return "text"


def check_upload(
    filename: str, data: bytes, max_bytes: int = 10 * 1024 * 1024, *, fallback_name: str = "file"
) -> CheckedUpload:
    """Accept an uploaded file by its content (an image, a PDF, a ZIP archive or plain text), its size and a name
    that agrees with its content; otherwise raise :class:`~oeuvre.core.errors.ValidationFailed` on ``file``.

    The one guard of every upload people attach (comment attachments, execution evidence); ``fallback_name``
    names a file whose name was nothing but unsafe characters."""
    from oeuvre.core.errors import ValidationFailed

    base = re.split(r"[\\/]", filename or "")[-1]
    name = _UNSAFE_NAME.sub("_", base).strip(" .")[-200:] or fallback_name
    if not data:
        raise ValidationFailed({"file": [_("The file « %(name)s » is empty.") % {"name": name}]})
    if len(data) > max_bytes:
        raise ValidationFailed(
            {"file": [_("The file « %(name)s » is larger than %(mib)s MiB.")
                      % {"name": name, "mib": max_bytes // (1024 * 1024)}]}
        )  # fmt: skip
    kind = _sniff_upload(data)
    if kind is None:
        raise ValidationFailed(
            {"file": [_("« %(name)s » is not an accepted file: send a PNG, JPEG or GIF image, a PDF, a ZIP "
                        "archive or a text/log file.") % {"name": name}]}
        )  # fmt: skip
    suffix, content_type, allowed = _UPLOAD_KINDS[kind]
    if Path(name).suffix.lower() not in allowed:
        raise ValidationFailed(
            {"file": [_("« %(name)s » does not contain what its name says (its content is %(kind)s).")
                      % {"name": name, "kind": kind.upper()}]}
        )  # fmt: skip
    return CheckedUpload(name, suffix, content_type)
