"""House rules of the engine package: no Django, public API documented with runnable examples."""

from __future__ import annotations

import doctest
import importlib
import inspect
import subprocess
import sys

import pytest

MODULES = [
    "oeuvre.engine",
    "oeuvre.engine.calendar",
    "oeuvre.engine.errors",
    "oeuvre.engine.network",
    "oeuvre.engine.levelling",
    "oeuvre.engine.risk",
    "oeuvre.engine.evm",
    "oeuvre.engine.io",
    "oeuvre.engine.cli",
    "oeuvre.engine.acceptance",
    "oeuvre.engine.criteria",
    "oeuvre.engine.timemodel",
    "oeuvre.engine.validation",
    "oeuvre.engine.warmup",
]


def test_it_imports_without_django() -> None:
    code = (
        "import sys, oeuvre.engine, oeuvre.engine.cli, oeuvre.engine.acceptance; "
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", MODULES)
def test_it_passes_its_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0


@pytest.mark.parametrize("name", MODULES[1:])
def test_every_public_function_has_a_numpydoc_example(name: str) -> None:
    module = importlib.import_module(name)
    assert hasattr(module, "__all__")
    missing = []
    for attr in module.__all__:
        obj = getattr(module, attr)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        doc = inspect.getdoc(obj) or ""
        if inspect.isfunction(obj) and "Examples\n--------" not in doc:
            missing.append(attr)
        if inspect.isclass(obj) and not doc:
            missing.append(attr)
    assert not missing, f"no docstring example: {missing}"
