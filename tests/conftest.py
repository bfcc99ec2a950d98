"""Shared fixtures: one persona per role on a project, plus an outsider and a project administrator."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.factories import MembershipFactory, ProjectFactory, UserFactory

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# One cache of compiled engine kernels for every test worker and every demo built in a subprocess (they
# inherit the variable): otherwise each fresh data directory compiles the levelling kernels again (~20 s).
os.environ.setdefault("NUMBA_CACHE_DIR", str(REPO / ".cache" / "numba"))

# One ledger key for every process of the run (this one, the demos built in subprocesses, the served apps): each
# has its own data directory, hence its own secret key, and a chain sealed by one must verify in another.
os.environ.setdefault("OEUVRE_LEDGER_KEY", "ledger key shared by every process of a test run")


def _share_the_ledger_key() -> None:
    from django.conf import settings

    from oeuvre.conf import ledger_key

    settings.OEUVRE_LEDGER_KEY = ledger_key(settings.SECRET_KEY)  # settings may be loaded before this file


_share_the_ledger_key()


# Tests that touch no database give the same result on both; the PostgreSQL pass of `dev.py test`
# (OEUVRE_TEST_DATABASE_ONLY=1) runs only the tests that use one, so nothing is run twice for nothing.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server", "demo_database", "demo_db"}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if os.environ.get("OEUVRE_TEST_DATABASE_ONLY", "") not in {"1", "true", "yes"}:
        return
    kept, dropped = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ())
        )
        (kept if uses_database else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_setup(
    request: Any,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Any:
    """pytest-django's fixture, except that each test database is a copy of one migrated template (see
    ``tests/migrated.py``) rather than migrated again by each xdist worker. ``--reuse-db`` and ``--no-migrations``
    keep pytest-django's own path."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests.migrated import from_migrated_templates

    keepdb = django_db_keepdb and not django_db_createdb
    if not django_db_use_migrations:
        _disable_migrations()
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    templated = django_db_use_migrations and not keepdb
    with django_db_blocker.unblock(), from_migrated_templates(aliases if templated else (), _code_fingerprint()):
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=verbosity)
            except Exception as exc:
                request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))


@pytest.fixture(scope="session")
def migrated_template(django_db_setup: None, django_db_blocker: Any) -> Any:
    """The migrated template of this run's test databases, by vendor (``sqlite``: a file's path, ``postgresql``: a
    database's name). A subprocess given a fresh data folder can start from a copy of it: its own ``migrate`` then
    finds nothing to apply (migrating an empty database is what building the template, and every demo, does)."""
    from django.test.utils import setup_databases, teardown_databases

    from tests.migrated import TEMPLATES, from_migrated_templates

    created = None
    if not TEMPLATES:  # no test of this session uses a database: set one up, for its template
        with django_db_blocker.unblock(), from_migrated_templates({"default"}, _code_fingerprint()):
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
    yield dict(TEMPLATES)
    if created is not None:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture(autouse=True)
def _isolated_settings(settings: Any, tmp_path: Path) -> None:
    # Each test gets its own uploaded-files folder and cache; fast hashing keeps user factories cheap
    # (argon2 is checked on its own in test_settings).
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Personas:
    """A project with one member per role; ``outsider`` belongs to another project only."""

    project: Any
    other_project: Any
    moa: Any
    amoa: Any
    moe: Any
    amoe: Any
    exploitation: Any
    contributor: Any
    reader: Any
    admin: Any  # a contributor with the project administrator flag
    outsider: Any

    def by_role(self) -> dict[str, Any]:
        return {
            "moa": self.moa,
            "amoa": self.amoa,
            "moe": self.moe,
            "amoe": self.amoe,
            "exploitation": self.exploitation,
            "contributor": self.contributor,
            "reader": self.reader,
            "admin": self.admin,
            "outsider": self.outsider,
        }

    def client(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def personas(db: Any) -> Personas:
    project = ProjectFactory(code="alpha")
    other = ProjectFactory(code="beta")
    people: dict[str, Any] = {}
    for role in ["moa", "amoa", "moe", "amoe", "exploitation", "contributor", "reader"]:
        people[role] = UserFactory(username=role)
        MembershipFactory(project=project, user=people[role], role=role)
    admin = UserFactory(username="chef")
    MembershipFactory(project=project, user=admin, role="contributor", is_admin=True)
    outsider = UserFactory(username="outsider")
    MembershipFactory(project=other, user=outsider, role="moa", is_admin=True)
    return Personas(project=project, other_project=other, admin=admin, outsider=outsider, **people)


# --- Browser tests -----------------------------------------------------------------------------------
CHROMIUM = os.environ.get("OEUVRE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _serialise_requests_on_a_shared_sqlite_connection() -> None:
    """With SQLite in memory, the live server's request threads share the test's one connection (Django's docs: "it's
    important to prevent simultaneous database queries via this shared connection"). A page firing several requests
    at once (the page, the bell, htmx fragments) then met `sqlite3.InterfaceError: bad parameter or other API misuse`
    under load. Requests are served one at a time in that case; PostgreSQL keeps its concurrent server."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test import testcases

    class SerialWhenShared(ThreadedWSGIServer):
        _lock = threading.Lock()

        def set_app(self, application: Any) -> None:
            if not getattr(self, "connections_override", None):
                super().set_app(application)
                return

            def serial(environ: Any, start_response: Any) -> Any:
                with self._lock:
                    return application(environ, start_response)

            super().set_app(serial)

    testcases.LiveServerThread.server_class = SerialWhenShared


_serialise_requests_on_a_shared_sqlite_connection()


@pytest.fixture(scope="session")
def browser() -> Any:
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: CI installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests make between
    # page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def login(page: Any, username: str, password: str = "correct-horse-battery") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/p/**")


# --- The demo, built once per test session and database -----------------------------------------------
# Generating the small demo costs about a minute. It is generated by the real command in a subprocess
# (`oeuvre demo --no-serve`) into a template: a SQLite file (kept between runs under the code's fingerprint), or
# a PostgreSQL database used as TEMPLATE (once per run). Each test that needs it gets a fresh copy (a file
# copy, or CREATE DATABASE … TEMPLATE), so tests can change the demo freely and never see each other's changes.
DEMO_TODAY = dt.date(2026, 11, 25)
DEMO_SEED = 42


@dataclass
class DemoDatabase:
    """A fresh copy of the demo: ``url`` for subprocesses; the ``demo_db`` fixture also points the ORM at it."""

    url: str
    today: dt.date
    data_dir: Path


def _postgres_admin(settings_dict: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        host=settings_dict.get("HOST") or "127.0.0.1",
        port=settings_dict.get("PORT") or 5432,
        user=settings_dict.get("USER") or "postgres",
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )


def _postgres_url(settings_dict: dict[str, Any], name: str) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _build_demo_template(url: str, data_dir: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "OEUVRE_DATA_DIR": str(data_dir),
        "OEUVRE_ENV": "development",
        "LANGUAGE": "fr",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "oeuvre",
            "demo",
            "--no-serve",
            "--force",
            "--seed",
            str(DEMO_SEED),
            "--today",
            DEMO_TODAY.isoformat(),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the demo template could not be built:\n{result.stdout}\n{result.stderr}")


def _run_folder(tmp_path_factory: Any) -> Path:
    """One folder per run: the run's base folder, which xdist workers see as their parent."""
    shared = tmp_path_factory.getbasetemp()
    return shared.parent if os.environ.get("PYTEST_XDIST_WORKER") else shared


def _demo_template(tmp_path_factory: Any, engine: str, migrated: dict[str, str]) -> dict[str, Any]:
    """Build the demo template of ``engine`` once (xdist workers share it through a file lock): PostgreSQL once
    per run, SQLite once per version of the code."""
    import fcntl

    from django.conf import settings as django_settings

    settings_dict = django_settings.DATABASES["default"]
    if engine == "sqlite":
        return _sqlite_demo_template(settings_dict, migrated.get("sqlite"))
    shared = _run_folder(tmp_path_factory)
    data_dir = shared / f"demo-data-{engine}"
    with open(shared / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = shared / f"demo-{engine}.built"
        # The first worker to get here names and builds the template; the others read its name from the
        # marker (each xdist worker's own database name differs, so deriving it again would miss the template).
        if marker.exists():
            name = marker.read_text().strip()
        else:
            name = f"test_{settings_dict['NAME']}_demo"[:60]
            with _postgres_admin(settings_dict) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                # From the migrated template when there is one: the demo's own `migrate` then has nothing to do.
                template = f' TEMPLATE "{migrated["postgresql"]}"' if "postgresql" in migrated else ""
                admin.execute(f'CREATE DATABASE "{name}"{template}')
            _build_demo_template(_postgres_url(settings_dict, name), data_dir)
            marker.write_text(name)
        return {"engine": engine, "name": name, "data_dir": data_dir, "settings": settings_dict}


@functools.cache
def _code_fingerprint() -> str:
    """A hash of everything a migrated database depends on: the code, its data files and catalogues, and the
    locked packages."""
    import hashlib

    digest = hashlib.sha256()
    files = [p for p in (REPO / "src" / "oeuvre").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted([*files, REPO / "uv.lock"]):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def _source_fingerprint() -> str:
    """A hash of everything the demo depends on: the code (see above) and this file (the demo's seed and date)."""
    import hashlib

    return hashlib.sha256(_code_fingerprint().encode() + Path(__file__).read_bytes()).hexdigest()[:16]


def _sqlite_demo_template(settings_dict: dict[str, Any], migrated: str | None) -> dict[str, Any]:
    """The SQLite demo is a file: it is kept between runs in ``.cache/demo`` under the fingerprint of the code,
    so the PostgreSQL pass (its backup test restores a SQLite demo) and the next run reuse it."""
    import fcntl

    cache = REPO / ".cache" / "demo"
    cache.mkdir(parents=True, exist_ok=True)
    folder = cache / f"sqlite-{_source_fingerprint()}"
    path, data_dir, marker = folder / "demo.sqlite3", folder / "demo-data", folder / "built"
    with open(cache / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            for stale in cache.glob("sqlite-*"):  # demos of earlier code, of no use any more
                shutil.rmtree(stale, ignore_errors=True)
            folder.mkdir()
            if migrated:  # the demo's own `migrate` then has nothing to do
                shutil.copyfile(migrated, path)
            _build_demo_template(f"sqlite:///{path}", data_dir)
            with sqlite3.connect(path) as connection:  # one self-contained file, no WAL beside it
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                connection.execute("PRAGMA journal_mode=DELETE")
            marker.touch()
    return {"engine": "sqlite", "path": path, "data_dir": data_dir, "settings": settings_dict}


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: Any, migrated_template: dict[str, str]) -> dict[str, Any]:
    from django.conf import settings as django_settings

    postgres = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    return _demo_template(tmp_path_factory, "postgresql" if postgres else "sqlite", migrated_template)


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: Any, migrated_template: dict[str, str]) -> dict[str, Any]:
    """The SQLite demo whatever the run's database (a backup made by another installation, say)."""
    return _demo_template(tmp_path_factory, "sqlite", migrated_template)


_demo_copies = itertools.count()


@pytest.fixture
def demo_database(demo_template: dict[str, Any], tmp_path: Path) -> Any:
    """A fresh copy of the demo database and of its data folder (uploaded files), for subprocesses (the CLI, a
    served application): run them with ``DATABASE_URL=url`` and ``OEUVRE_DATA_DIR=data_dir``."""
    data_dir = tmp_path / "demo-data"
    media = demo_template["data_dir"] / "media"
    if media.is_dir():
        shutil.copytree(media, data_dir / "media")
    data_dir.mkdir(exist_ok=True)
    if demo_template["engine"] == "sqlite":
        copy = tmp_path / "demo.sqlite3"
        shutil.copyfile(demo_template["path"], copy)
        yield DemoDatabase(url=f"sqlite:///{copy}", today=DEMO_TODAY, data_dir=data_dir)
        return
    settings_dict = demo_template["settings"]
    name = f"{demo_template['name']}_{os.getpid()}_{next(_demo_copies)}"[:63]
    with _postgres_admin(settings_dict) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{demo_template["name"]}" STRATEGY FILE_COPY')
    try:
        yield DemoDatabase(url=_postgres_url(settings_dict, name), today=DEMO_TODAY, data_dir=data_dir)
    finally:
        with _postgres_admin(settings_dict) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def demo_db(demo_database: DemoDatabase, django_db_blocker: Any, settings: Any) -> Any:
    """The ORM of this test reads and writes a fresh copy of the demo (instead of the empty test database), and
    its uploaded files (signed PVs, evidence) are in ``MEDIA_ROOT``.

    Use it instead of ``db``; the copy is thrown away after the test.
    """
    settings.MEDIA_ROOT = str(demo_database.data_dir / "media")
    # The demo's accounts were hashed by the real command (argon2); new users of the test stay cheap.
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.Argon2PasswordHasher"]
    import copy as copying

    import dj_database_url
    from django.db import connections

    original = connections["default"]
    parsed = dj_database_url.parse(demo_database.url)
    settings_dict = copying.deepcopy(original.settings_dict)
    settings_dict["NAME"] = parsed["NAME"]
    with django_db_blocker.unblock():
        swapped = original.__class__(settings_dict, alias="default")
        connections["default"] = swapped
        try:
            yield demo_database
        finally:
            swapped.close()
            connections["default"] = original
