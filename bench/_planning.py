"""Helpers shared by the planning benchmarks: Django on the large demo database, timing, reporting.

The planning benchmarks run against a database loaded with ``oeuvre demo --size large`` (the demo
project ``demo-01`` carries a 5,000-task plan). Point ``DATABASE_URL`` at it; PostgreSQL is required
unless ``--allow-sqlite`` is given (the issue's figures are PostgreSQL figures).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from _common import machine

BIG_PROJECT = "demo-01"


def parser(doc: str | None) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", default=BIG_PROJECT, help="project code (default: the 5,000-task demo plan)")
    ap.add_argument("--repeat", type=int, default=7, help="warm runs; the median is reported")
    ap.add_argument("--allow-sqlite", action="store_true", help="run on SQLite too (figures are not the target's)")
    return ap


def setup(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        raise SystemExit(
            "these figures are PostgreSQL figures: set DATABASE_URL=postgres://… to a database loaded with "
            "`oeuvre demo --size large` (or pass --allow-sqlite)"
        )
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")


def project_and_admin(code: str) -> tuple[Any, Any]:
    from oeuvre.projects.models import Project

    try:
        project = Project.objects.get(code=code)
    except Project.DoesNotExist:
        raise SystemExit(f"project {code!r} not found: load the demo with `oeuvre demo --size large`") from None
    member = project.memberships.filter(is_admin=True).select_related("user").first()
    if member is None:
        raise SystemExit(f"project {code!r} has no administrator")
    return project, member.user


class Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the body in a transaction that is always rolled back, so every run starts from the same data."""
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - t0, value


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def verdict(seconds: float, target: float) -> str:
    return f"target < {ms(target) if target < 1 else f'{target:g} s'}: {'met' if seconds < target else 'NOT met'}"


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load {a:.2f} {b:.2f} {c:.2f}"


class QueryCounter:
    """Counts the SQL statements run inside the block (execute wrapper, no DEBUG needed)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    @contextmanager
    def active(self) -> Iterator[QueryCounter]:
        from django.db import connection

        with connection.execute_wrapper(self):
            yield self
