"""Fixtures for the engine tests: the shared benchmark data (PSPLIB) and small helpers.

The data lives outside the repository. ``OEUVRE_BENCH_DATA`` points at it; the default is
``shared/bench-data`` beside the repository. Without it, tests that need it are skipped with the
reason, except in CI (``CI`` set), where a missing data set is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def bench_data_dir() -> Path:
    env = os.environ.get("OEUVRE_BENCH_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "bench-data"


@pytest.fixture(scope="session")
def psplib_dir() -> Path:
    path = bench_data_dir() / "psplib"
    if not (path / "j30.sm").is_dir():
        reason = f"PSPLIB data not found at {path} (set OEUVRE_BENCH_DATA)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path
