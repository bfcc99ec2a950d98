"""House rules of docs/DEVELOPING.md that a reviewer would otherwise have to remember.

- The pure core (``oeuvre.engine``, ``oeuvre.interop``) imports nothing from Django, anywhere in its source.
- SQL goes through the ORM: raw SQL is allowed only where a module documents why (listed here, with the reason).
- No machine-specific absolute path in the code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "oeuvre"

# module -> why raw SQL is needed there
RAW_SQL_ALLOWED = {
    "core/backup.py": "database-level snapshot and sequence reset, vendor-specific by nature",
    "core/views.py": "the health check runs SELECT 1 without touching any table",
    "planning/scheduling.py": "one UPDATE … FROM unnest writes a schedule on PostgreSQL (bench/planning_schedule)",
    "recette/services/testbook.py": "one INSERT … SELECT FROM unnest per JUnit import (bench/recette_junit)",
}
RAW_SQL = re.compile(r"\.raw\(|\.cursor\(|RawSQL\(|\.extra\(")


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", ["engine", "interop"])
def test_it_keeps_the_pure_core_free_of_django(package: str) -> None:
    offenders = {
        str(path.relative_to(SRC)): sorted(m for m in _imported_modules(path) if m.split(".")[0] == "django")
        for path in _python_files(SRC / package)
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_it_allows_raw_sql_only_where_documented() -> None:
    using = {
        str(path.relative_to(SRC)) for path in _python_files(SRC) if RAW_SQL.search(path.read_text(encoding="utf-8"))
    }
    assert using <= set(RAW_SQL_ALLOWED), (
        f"raw SQL outside the documented places: {sorted(using - set(RAW_SQL_ALLOWED))}"
    )


def test_it_writes_no_machine_path_into_the_code() -> None:
    machine = re.compile(r"/(?:work|home|root|Users)/[A-Za-z0-9_.-]+/")
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*")
        if path.suffix in {".py", ".html", ".js", ".css", ".md"}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if machine.search(line)
    ]
    assert offenders == []
