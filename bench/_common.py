"""Helpers shared by the benchmark scripts: data location, random networks, machine facts."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO_ROOT = Path(__file__).resolve().parents[1]


def bench_data_dir() -> Path:
    """``OEUVRE_BENCH_DATA``, default ``shared/bench-data`` beside the repository."""
    env = os.environ.get("OEUVRE_BENCH_DATA")
    path = Path(env) if env else REPO_ROOT.parent / "shared" / "bench-data"
    if not path.is_dir():
        raise SystemExit(f"benchmark data not found at {path}; set OEUVRE_BENCH_DATA")
    return path


def machine() -> str:
    load = os.getloadavg()
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )


def random_network(
    n: int, m: int, seed: int, *, window: int = 200, all_types: bool = True
) -> tuple[npt.NDArray[np.int64], ...]:
    """A random project-like DAG: each link goes from an activity to one at most ``window`` later."""
    rng = np.random.default_rng(seed)
    pred = rng.integers(0, n - 1, m)
    succ = np.minimum(n - 1, pred + 1 + rng.integers(0, window, m))
    kind = rng.integers(0, 4, m) if all_types else np.zeros(m, np.int64)
    lag = rng.integers(-2, 5, m)
    dur = rng.integers(0, 20, n)
    return dur, pred, succ, kind, lag
