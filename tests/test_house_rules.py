"""House rules of docs/DEVELOPING.md that a reviewer would otherwise have to remember.

- The pure core (``oeuvre.engine``, ``oeuvre.interop``) imports nothing from Django, anywhere in its source.
- SQL goes through the ORM: raw SQL is allowed only where a module documents why (listed here, with the reason).
- No machine-specific absolute path in the code.
- Foundation order: core < accounts < projects < web < stages, and a stage imports only the stages before it
  in the life cycle; no module imports another module's ``_private`` names.
- Writes keep history: no ``QuerySet.update()`` nor plain ``bulk_create``/``bulk_update`` on a versioned or
  historical model outside a short list, each entry with its reason.
- Files that enter pass the guard: a function that opens a workbook (``load_workbook``) or reads a zip archive
  calls ``oeuvre.interop.safety.guard_workbook`` (or ``check_zip``) before it.
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
    "demo/management/commands/demo.py": "VACUUM ANALYZE after the demo's bulk load, on PostgreSQL (bench/tables_page)",
    "planning/scheduling.py": "one UPDATE … FROM unnest writes a schedule on PostgreSQL (bench/planning_schedule)",
    "recette/services/testbook.py": "one INSERT … SELECT FROM unnest per JUnit import (bench/recette_junit)",
    "web/fulltext.py": "SQLite FTS5's MATCH and bm25() have no ORM expression (bench/search)",
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


# (module, model, method) -> why this write may skip the save-with-history path. Everything else on a versioned
# (``VersionedModel``) or historical (``history = HistoricalRecords()``) model goes through
# ``oeuvre.core.services`` (model_update / save_with_history), simple-history's ``bulk_*_with_history``, or
# writes one summary line with ``oeuvre.core.activity.record_bulk_change``.
DEMO = "demo seed: generated data nobody authored, written in bulk to keep the small demo under 2 s"
WRITE_PATH_ALLOWED = {
    ("accounts/services.py", "ApiToken", "update"): "last-used stamp touched by each API call, not an edit",
    ("planning/services.py", "Plan", "update"): "revision counter of the schedule cache; the edit has its own row",
    ("planning/services.py", "BaselineTask", "bulk_create"): "frozen snapshot rows; the Baseline's history says who",
    ("planning/scheduling.py", "Plan", "update"): "computed schedule summary (finish, critical path), derived data",
    ("planning/scheduling.py", "Task", "bulk_update"): "computed dates of the schedule, derived data (bench)",
    ("planning/importing.py", "Lot", "bulk_update"): "parents of lots created just above with history, second pass",
    ("planning/importing.py", "BaselineTask", "bulk_create"): "frozen snapshot rows of the imported baseline",
    ("planning/importing.py", "BaselineTask", "bulk_update"): "cost of the snapshot rows written just above",
    ("recette/services/testbook.py", "Execution", "bulk_create"): "JUnit import: one record_bulk_change line",
    ("recette/services/testbook.py", "PlannedTest", "bulk_create"): "JUnit import plans what it ran: same bulk line",
    ("forge/services/events.py", "Repository", "update"): "refused-deliveries counter, not an edit",
    ("mep/runbook.py", "RunbookStep", "update"): "a step parked out of the unique position while two swap; both "
    "moves are then saved with history",
    ("forge/demo.py", "*", "*"): DEMO,
    ("pilotage/demo.py", "MeteoSnapshot", "bulk_create"): "large demo: earlier weeks derived from the snapshot "
    "just recorded with history, so the portfolio of 50 projects has a trend",
    ("demo/generator.py", "*", "*"): DEMO,
    ("planning/demo.py", "*", "*"): DEMO,
    ("requirements/demo.py", "*", "*"): DEMO,
    ("recette/demo/testbook.py", "*", "*"): DEMO,
    ("recette/demo/anomalies.py", "*", "*"): DEMO + "; back-dates the history it wrote",
    ("recette/demo/results.py", "*", "*"): DEMO + "; dates the runs and anomalies on the demo's calendar",
}
WRITE_METHODS = {"update", "bulk_create", "bulk_update"}


def _tracked_model_names() -> set[str]:
    from django.apps import apps

    from oeuvre.core.models import VersionedModel

    names = set()
    for model in apps.get_models():
        if issubclass(model, VersionedModel) or hasattr(model, "history") or model.__name__.startswith("Historical"):
            names.add(model.__name__)
    return names


def _manager_writes(path: Path) -> list[tuple[int, str, str]]:
    """``(line, Model, method)`` for each ``Model.objects….update/bulk_create/bulk_update(…)`` call."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITE_METHODS:
            continue
        target: ast.AST = node.func.value
        through_manager = False
        while isinstance(target, ast.Attribute | ast.Call):
            if isinstance(target, ast.Attribute) and target.attr in {"objects", "_default_manager"}:
                through_manager = True
            target = target.func if isinstance(target, ast.Call) else target.value
        if through_manager and isinstance(target, ast.Name):
            found.append((node.lineno, target.id, node.func.attr))
    return found


def test_it_writes_versioned_models_only_through_the_history_path() -> None:
    tracked = _tracked_model_names()
    offenders = []
    used = set()
    for path in _python_files(SRC):
        module = str(path.relative_to(SRC))
        for line, model, method in _manager_writes(path):
            if model not in tracked:
                continue
            used.add((module, model, method))
            if (module, model, method) in WRITE_PATH_ALLOWED or (module, "*", "*") in WRITE_PATH_ALLOWED:
                continue
            offenders.append(f"{module}:{line} {model}.objects….{method}()")
    assert offenders == [], "use oeuvre.core.services (model_update, save_with_history) or add a reason here"
    stale = {key for key in WRITE_PATH_ALLOWED if key[1] != "*"} - used
    assert stale == set(), "allowed writes that no longer exist: remove them from the list"


def test_it_sees_a_queryset_update_on_a_versioned_model(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("Campaign.objects.filter(pk=1).update(status='x')\nJob.objects.bulk_create([])\n")
    assert _manager_writes(sample) == [(1, "Campaign", "update"), (2, "Job", "bulk_create")]
    assert "Campaign" in _tracked_model_names()
    assert "Job" not in _tracked_model_names()


# The foundation order of DESIGN.md. engine/interop are pure libraries below everything; the demo generator is a
# registry the stages fill (beside web); the root modules (settings, urls, api, cli) assemble everything.
PURE = {"engine", "interop"}
LAYER = {"core": 1, "accounts": 2, "projects": 3, "web": 4, "demo": 4, "stages": 5, "root": 9}
# Stages in life-cycle order: a stage may import the ones before it, never one after (use a registry instead,
# as recette feeds the requirements' traceability matrix). forge reads tasks and anomalies, so it follows recette.
STAGE_ORDER = ["requirements", "design", "planning", "recette", "forge", "mep", "pilotage"]
# Edges of the foundation apps (their pages, forms, API wiring, commands, server) sit at the web layer.
EDGE_MODULES = {"views", "forms", "urls", "api", "api_jobs", "server"}
EDGE_FOLDERS = {"management", "templatetags"}


def _unit(module: str) -> str:
    """``oeuvre.recette.services.pv`` → ``recette``; a root module (``oeuvre.urls``) → ``root``."""
    parts = module.split(".")
    if len(parts) < 2:
        return "root"
    app = parts[1]
    return app if (SRC / app).is_dir() else "root"


def _layer(unit: str, parts: tuple[str, ...]) -> float:
    if unit in STAGE_ORDER:
        return LAYER["stages"] + STAGE_ORDER.index(unit) / 10
    layer = LAYER.get(unit, LAYER["root"])
    is_edge = parts[-1].removesuffix(".py") in EDGE_MODULES or any(p in EDGE_FOLDERS for p in parts)
    if layer < LAYER["web"] and is_edge:
        return LAYER["web"]
    return layer


def _runtime_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """``(line, module, names)`` of each ``oeuvre`` import, leaving out ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("oeuvre"):
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, []) for a in node.names if a.name.startswith("oeuvre"))
    return found


def test_it_keeps_the_foundation_order() -> None:
    offenders = []
    for path in _python_files(SRC):
        parts = path.relative_to(SRC).parts
        unit = parts[0] if len(parts) > 1 else "root"
        for line, module, _names in _runtime_imports(path):
            other = _unit(module)
            if other == unit:
                continue
            if unit in PURE:
                if other not in PURE:
                    offenders.append(f"{'/'.join(parts)}:{line} imports {module} (engine/interop stay pure)")
                continue
            if other in PURE:
                continue
            other_parts = tuple(module.split(".")[2:]) or ("__init__",)
            if _layer(other, other_parts) > _layer(unit, parts):
                offenders.append(f"{'/'.join(parts)}:{line} imports {module}")
    assert offenders == []


def test_it_imports_no_private_name_of_another_module() -> None:
    offenders = []
    for path in _python_files(SRC):
        rel = path.relative_to(SRC)
        here = "oeuvre." + ".".join(rel.with_suffix("").parts)
        package = here.rsplit(".", 1)[0]
        for line, module, names in _runtime_imports(path):
            if module == here:
                continue
            # A private module (``engine/_kernels.py``) is for its own package, like a private name for its module.
            private = [n for n in names if _private(n) and not (module == package and _is_module(module, n))]
            parts = module.split(".")
            private += [p for i, p in enumerate(parts) if _private(p) and ".".join(parts[:i]) != package]
            if private:
                offenders.append(f"{rel}:{line} {module} {private}")
    assert offenders == []


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_module(package: str, name: str) -> bool:
    return (SRC.parent / package.replace(".", "/") / f"{name}.py").is_file()


# --- Every file that enters passes the guard -------------------------------------------------------------
GUARDS = {"guard_workbook", "check_zip"}
OPENERS = {"load_workbook", "ZipFile"}


def _called_names(node: ast.AST) -> list[tuple[int, str]]:
    found = []
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            writes = any(
                isinstance(arg, ast.Constant) and arg.value in {"w", "a", "x"}
                for arg in [*call.args[1:2], *(k.value for k in call.keywords if k.arg == "mode")]
            )
            if name and not (name == "ZipFile" and writes):
                found.append((call.lineno, name))
    return sorted(found)


def _unguarded_openers(path: Path, root: Path = SRC) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    offenders = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        guarded_at = min((line for line, name in _called_names(function) if name in GUARDS), default=None)
        for line, name in _called_names(function):
            if name in OPENERS and (guarded_at is None or guarded_at > line):
                offenders.append(f"{path.relative_to(root)}:{line} {name}")
    return offenders


def test_every_workbook_and_archive_reader_calls_the_guard_first() -> None:
    safety = SRC / "interop" / "safety.py"
    offenders = [o for path in _python_files(SRC) if path != safety for o in _unguarded_openers(path)]
    assert offenders == [], f"open the file after oeuvre.interop.safety.guard_workbook: {offenders}"


def test_it_sees_a_workbook_opened_without_the_guard(tmp_path: Path) -> None:
    reader = tmp_path / "reader.py"
    reader.write_text(
        "import io, zipfile\n"
        "from openpyxl import load_workbook\n"
        "def read(data):\n"
        "    return load_workbook(io.BytesIO(data))\n"
        "def late(data):\n"
        "    book = load_workbook(io.BytesIO(data))\n"
        "    guard_workbook(data)\n"
        "def fine(data):\n"
        "    guard_workbook(data)\n"
        "    return load_workbook(io.BytesIO(data))\n"
        "def write(out):\n"
        "    return zipfile.ZipFile(out, 'w')\n",
        encoding="utf-8",
    )
    assert _unguarded_openers(reader, tmp_path) == ["reader.py:4 load_workbook", "reader.py:6 load_workbook"]
