"""Timing a whole command as a user starts it: a fresh process, from exec to exit.

Wall-clock time is what the user waits for; CPU time (user + system, from ``wait4``) is what the
process itself consumed, which is steadier on a shared machine. Every engine benchmark prints both
for the engine's command and for the peer's script, run alternately on the same files.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PEERS = Path(__file__).resolve().parent / "peers"


def oeuvre_command() -> list[str]:
    """``oeuvre`` as installed beside this Python (the console script a user types)."""
    script = Path(sys.executable).with_name("oeuvre")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oeuvre.cli"]


def user_environment() -> dict[str, str]:
    """The environment of a normal shell: byte-code caching on (a user's second run reads .pyc files)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass
class Timing:
    wall: float
    cpu: float


def run(cmd: Sequence[str], *, stdout: Path | None = None, env: dict[str, str] | None = None) -> Timing:
    """Run ``cmd`` once; its output goes to ``stdout`` (a file) or is discarded. Fails loudly."""
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=subprocess.PIPE, env=env or user_environment())
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout is not None:
            out.close()  # type: ignore[union-attr]
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode(errors='replace')}")
    return Timing(wall, usage.ru_utime + usage.ru_stime)


def compare(
    label: str, ours: Sequence[str], peer: Sequence[str], *, repeat: int, out_dir: Path
) -> tuple[list[Timing], list[Timing]]:
    """Run both commands ``repeat`` times, alternately, after one warm-up run each; print the ratios."""
    run(ours, stdout=out_dir / "ours.out")
    run(peer, stdout=out_dir / "peer.out")
    a: list[Timing] = []
    b: list[Timing] = []
    for _ in range(repeat):
        a.append(run(ours, stdout=out_dir / "ours.out"))
        b.append(run(peer, stdout=out_dir / "peer.out"))
    report(label, a, b)
    return a, b


def report(label: str, ours: list[Timing], peer: list[Timing]) -> None:
    def best(ts: list[Timing], key: str) -> float:
        return min(getattr(t, key) for t in ts)

    def med(ts: list[Timing], key: str) -> float:
        return statistics.median(getattr(t, key) for t in ts)

    print(
        f"{label}: whole command, {len(ours)} alternate runs each (after a warm-up run)\n"
        f"  engine  wall best {best(ours, 'wall'):.3f} s median {med(ours, 'wall'):.3f} s, "
        f"CPU best {best(ours, 'cpu'):.3f} s median {med(ours, 'cpu'):.3f} s\n"
        f"  peer    wall best {best(peer, 'wall'):.3f} s median {med(peer, 'wall'):.3f} s, "
        f"CPU best {best(peer, 'cpu'):.3f} s median {med(peer, 'cpu'):.3f} s\n"
        f"  ratio   wall x{best(peer, 'wall') / best(ours, 'wall'):.1f} (best), "
        f"x{med(peer, 'wall') / med(ours, 'wall'):.1f} (median); "
        f"CPU x{best(peer, 'cpu') / best(ours, 'cpu'):.1f} (best), x{med(peer, 'cpu') / med(ours, 'cpu'):.1f} (median)",
        flush=True,
    )
