"""Consistent backups of the database and uploaded files, restorable on SQLite or PostgreSQL.

A backup is a gzip'd tar holding ``manifest.json``, ``data.json`` (Django's serialisation with natural
foreign keys, so it loads into either database) and ``media/``. The dump runs in one transaction at
REPEATABLE READ on PostgreSQL (one snapshot) and holds SQLite's write lock, so it is consistent.
Restore replaces everything in one transaction: a bad file changes nothing.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from oeuvre.core.errors import DomainError

__all__ = ["BackupError", "backup_create", "backup_restore"]

FORMAT = 1
# Rebuilt by migrate, or transient: not worth restoring, and contenttype ids differ between databases.
TRANSIENT_APPS = {"contenttypes", "sessions", "django_tasks_database"}
DERIVED_MODELS = ["web.searchrankrow"]


def _excluded() -> list[str]:
    from django.apps import apps

    labels = [config.label for config in apps.get_app_configs() if config.label in TRANSIENT_APPS]
    # PostgreSQL's ranking rows of the search are written by a trigger from the search entries, which are restored.
    return [*labels, "auth.permission", *DERIVED_MODELS]


class BackupError(DomainError):
    pass


def _applied_migrations() -> list[list[str]]:
    return sorted([m.app, m.name] for m in MigrationRecorder.Migration.objects.all())


def backup_create(path: Path) -> dict[str, Any]:
    buffer = io.StringIO()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for every table; inside a caller's transaction the caller's isolation applies.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=_excluded(),
            format="json",
            stdout=buffer,
            verbosity=0,
        )
        migrations = _applied_migrations()
    data = buffer.getvalue().encode()
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "database": connection.vendor,
        "migrations": migrations,
        "objects": data.count(b'"model":'),
    }
    media_root = Path(settings.MEDIA_ROOT)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        _add_bytes(archive, "data.json", data)
        if media_root.is_dir():
            archive.add(media_root, arcname="media")
    partial.replace(path)
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(payload))


def backup_restore(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with tarfile.open(path, "r:gz") as archive, tempfile.TemporaryDirectory() as tmp:
            return _restore_from(archive, Path(tmp), path)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"{path}: not a readable Œuvre backup ({exc})") from None


def _restore_from(archive: tarfile.TarFile, tmp: Path, path: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(_read_member(archive, "manifest.json"))
    except (KeyError, ValueError):
        raise BackupError(f"{path}: not an Œuvre backup (no valid manifest.json)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')!r} is not supported")
    missing = {tuple(m) for m in manifest["migrations"]} - {tuple(m) for m in _applied_migrations()}
    if missing:
        first = ", ".join(f"{a}.{n}" for a, n in sorted(missing)[:3])
        raise BackupError(f"{path}: made by a newer version of Œuvre (unknown migrations: {first}); upgrade first")
    data_file = tmp / "data.json"
    data_file.write_bytes(_read_member(archive, "data.json"))
    members = [m for m in archive.getmembers() if m.name == "media" or m.name.startswith("media/")]
    # The 'data' filter refuses absolute paths, links out of the tree and device files.
    archive.extractall(tmp, members=members, filter="data")
    with transaction.atomic(), _history_off():
        _flush_everything()
        call_command("loaddata", str(data_file), verbosity=0)
    # Files follow once the database has committed; a failed load above leaves them untouched.
    _replace_media(tmp / "media")
    return manifest


@contextmanager
def _history_off() -> Iterator[None]:
    """The backup holds the history tables themselves: loading a model must not write history of its own.

    simple-history skips raw saves, but not the many-to-many changes ``loaddata`` makes afterwards; on
    PostgreSQL those new history rows take ids the backup's history rows need.
    """
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


def _read_member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member.read()


def _flush_everything() -> None:
    """Empty the tables that the backup restores, inside the caller's transaction."""
    from django.apps import apps

    tables = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in TRANSIENT_APPS or model._meta.label_lower == "auth.permission":
            continue
        if model._meta.managed and not model._meta.proxy:
            tables.append(model._meta.db_table)
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA defer_foreign_keys = ON")
        else:
            # TRUNCATE refuses tables with deferred checks still pending in this transaction: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _replace_media(source: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.rmtree(media_root)
    if source.is_dir():
        shutil.copytree(source, media_root)
    else:
        media_root.mkdir(parents=True, exist_ok=True)
