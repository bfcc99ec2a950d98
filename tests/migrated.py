"""Test databases copied from one migrated template instead of migrating each xdist worker's own.

Migrating the whole graph costs about a minute per database; with one test database per xdist worker, every
worker used to pay it. Here the first process to need a test database migrates its own with Django's method, under
a file lock, and keeps a copy as the template: a SQLite file under ``.cache/migrated``, or a PostgreSQL database
used as TEMPLATE, both named after the fingerprint of the code and the locked packages (so the next run of the
same code reuses them, and the templates of earlier code are dropped). Every other test database starts as a copy
of it: ``CREATE DATABASE … TEMPLATE …`` on PostgreSQL, the sqlite3 backup API into the in-memory database (or a
file copy) on SQLite.

Only the creation of the test database changes: Django's ``setup_databases``/``teardown_databases`` still run
(mirrors, serialized contents for ``serialized_rollback``, the drop at the end), and so do pytest-django's
transactions and savepoints. ``--reuse-db``, ``--no-migrations`` and ``TEST["MIGRATE"] = False`` keep Django's
own path.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "migrated"
# The template of each database vendor this process set up: a SQLite file's path or a PostgreSQL database's name.
TEMPLATES: dict[str, str] = {}


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    """One builder at a time across the processes of this checkout (xdist workers, parallel runs)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _template_name(connection: Any, fingerprint: str) -> tuple[str, str]:
    """The template of this code (a file path, or a database name) and the prefix shared by every version's."""
    if connection.vendor == "postgresql":
        prefix = f"test_{connection.settings_dict['NAME']}"[:40] + "_migrated_"
        return prefix + fingerprint[:12], prefix
    return str(CACHE / f"sqlite-{fingerprint}.sqlite3"), "sqlite-"


def _template_exists(connection: Any, template: str) -> bool:
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            return cursor.fetchone() is not None
    return Path(template).exists()


def _copy_template(connection: Any, template: str, test_name: str) -> None:
    """Make ``test_name`` a copy of ``template`` (the in-memory SQLite database is filled once connected)."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)} STRATEGY FILE_COPY")
    elif not connection.creation.is_in_memory_db(test_name):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(test_name + suffix).unlink(missing_ok=True)
        with (
            contextlib.closing(sqlite3.connect(template)) as source,
            contextlib.closing(sqlite3.connect(test_name)) as target,
        ):
            source.backup(target)


def _save_template(connection: Any, template: str, prefix: str) -> None:
    """Keep the freshly migrated test database as the template, and drop the templates of earlier code."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        test_name = connection.settings_dict["NAME"]
        connection.close()  # a template must have no session open
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(test_name)} STRATEGY FILE_COPY")
            cursor.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s", [prefix, template]
            )
            stale = [row[0] for row in cursor.fetchall()]
        for name in stale:  # one being copied right now by another run stays
            with contextlib.suppress(Exception), connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        connection.ensure_connection()
        return
    building = Path(template + ".building")
    building.unlink(missing_ok=True)
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(building)) as target:
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no WAL beside it
    os.replace(building, template)  # complete or absent, never half-written
    for earlier in CACHE.glob(f"{prefix}*.sqlite3"):
        if str(earlier) != template:
            earlier.unlink(missing_ok=True)


def create_test_db_from_template(creation: Any, fingerprint: str) -> Callable[..., str]:
    """A replacement for ``creation.create_test_db`` (same signature and result): the first process to get here
    migrates its test database with Django's own method and keeps it as the template; the others copy it."""
    from django.conf import settings

    connection = creation.connection
    migrate_and_create = creation.create_test_db  # Django's method, bound

    def create_test_db(
        verbosity: int = 1, autoclobber: bool = False, serialize: Any = None, keepdb: bool = False
    ) -> str:
        template, prefix = _template_name(connection, fingerprint)
        with _locked(prefix.rstrip("_-")):
            if not _template_exists(connection, template):
                options = {} if serialize is None else {"serialize": serialize}
                test_name = migrate_and_create(verbosity=verbosity, autoclobber=autoclobber, keepdb=keepdb, **options)
                _save_template(connection, template, prefix)
                TEMPLATES[connection.vendor] = template
                return test_name
            test_name = creation._get_test_db_name()
            if verbosity >= 1:
                display = creation._get_database_display_str(verbosity, test_name)
                creation.log(f"Copying the migrated template into the test database for alias {display}...")
            _copy_template(connection, template, test_name)
            TEMPLATES[connection.vendor] = template
        connection.close()
        settings.DATABASES[connection.alias]["NAME"] = test_name
        connection.settings_dict["NAME"] = test_name
        connection.ensure_connection()
        if connection.vendor == "sqlite" and creation.is_in_memory_db(test_name):
            # The shared in-memory database lives as long as Django's connection to it (never closed in tests).
            with contextlib.closing(sqlite3.connect(template)) as source:
                source.backup(connection.connection)
        if serialize:
            connection._test_serialized_contents = creation.serialize_db_to_string()
        return test_name

    return create_test_db


@contextlib.contextmanager
def from_migrated_templates(aliases: Any, fingerprint: str) -> Iterator[None]:
    """While Django's ``setup_databases`` runs, create the test databases of ``aliases`` from templates."""
    from django.db import connections

    patched = []
    for alias in aliases:
        connection = connections[alias]
        if (
            connection.vendor not in {"postgresql", "sqlite"}
            or connection.settings_dict["TEST"].get("MIGRATE") is False
        ):
            continue
        connection.creation.create_test_db = create_test_db_from_template(connection.creation, fingerprint)
        patched.append(connection.creation)
    try:
        yield
    finally:
        for creation in patched:
            del creation.create_test_db
