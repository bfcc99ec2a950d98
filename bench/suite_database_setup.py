"""What one test worker pays to get its test database, side by side: migrating it, or copying the template.

    DATABASE_URL= python bench/suite_database_setup.py [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_bench python bench/suite_database_setup.py

- **migrate**: Django's ``create_test_db``, as each xdist worker did before (the whole migration graph);
- **template**: ``tests/migrated.py``, as each worker does now: a copy of one migrated template (the sqlite3 backup
  API into the in-memory database, or ``CREATE DATABASE … TEMPLATE …``). The template itself costs one migration
  per version of the code (it is the first worker's migrated database, kept), printed apart.

Run from the repository root with the sources on the path (``PYTHONPATH=src``); the database named in
``DATABASE_URL`` is only used to derive the test databases' names: give it a name of its own on PostgreSQL (a new
template drops the older ones of the same name).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")
    import django

    django.setup()
    from _common import machine
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_test_environment
    from tests import migrated

    setup_test_environment()
    connection = connections["default"]
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    fingerprint = f"bench{uuid.uuid4().hex[:11]}"  # a template of its own, dropped at the end
    # Its own folder: a new SQLite template removes the others beside it (the test runs' one included).
    migrated.CACHE = Path(tempfile.mkdtemp(prefix="bench-migrated-"))

    def timed(create: object) -> float:
        started = time.perf_counter()
        create(verbosity=0, autoclobber=True)  # type: ignore[operator]
        elapsed = time.perf_counter() - started
        creation.destroy_test_db(old_name, verbosity=0)
        settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = old_name
        return elapsed

    print(f"{connection.vendor}; {machine()}")
    from_template = migrated.create_test_db_from_template(creation, fingerprint)
    first = timed(from_template)  # no template yet: migrates, then keeps it
    template = migrated.TEMPLATES[connection.vendor]
    migrate = [timed(creation.create_test_db) for _ in range(args.repeat)]
    copy = [timed(from_template) for _ in range(args.repeat)]
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template)}")
    shutil.rmtree(migrated.CACHE, ignore_errors=True)
    m, c = statistics.median(migrate), statistics.median(copy)
    print(f"template, once per version of the code: {first:7.2f} s")
    print(f"per worker, migrate  (median of {args.repeat}): {m:7.2f} s  {[round(t, 2) for t in migrate]}")
    print(f"per worker, template (median of {args.repeat}): {c:7.2f} s  {[round(t, 2) for t in copy]}")
    print(f"ratio migrate / template: {m / c:.0f}x")


if __name__ == "__main__":
    main()
