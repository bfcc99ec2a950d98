"""The stages' commands timed as a script calls them: a fresh ``oeuvre …`` process, from exec to exit.

    python bench/cli_commands.py [--repeat 5] [--data-dir var/bench-cli]

A user once waited 27 s for ``oeuvre pilotage meteo`` (whose work takes a fraction of a second). Three causes,
each removed and each measured here, side by side in the same run on the same demo database:

- **former**: close to what a command cost before (the lazy imports below are kept): Django's system checks
  before every command (the URL checks import every view and build every API schema) and no compiled
  bytecode (with ``PYTHONDONTWRITEBYTECODE``, as containers and CI images often set, every process compiles
  every module from source — simulated with an empty ``PYTHONPYCACHEPREFIX``);
- **checks only**: compiled bytecode, but the system checks still run before the command;
- **now**: the command as shipped (``StageCommand`` skips the checks; ``dev.py setup`` compiles the bytecode; the
  demo steps and the deck's python-pptx are imported when used, not when the apps start).

The demo (SQLite) is built in ``--data-dir`` first if it is not there, and that whole command is timed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine
from _process import REPO_ROOT, Timing, oeuvre_command, run, user_environment

PROJECT = "guichet-usagers"
COMMANDS: list[list[str]] = [
    ["pilotage", "meteo", "--project", PROJECT, "--json"],
    ["mep", "releases", "--project", PROJECT, "--json"],
    ["rtm", "--project", PROJECT, "-o", "{out}/rtm.xlsx"],
    ["plan", "export", "--project", PROJECT, "--format", "mspdi", "-o", "{out}/plan.xml"],
    ["pilotage", "deck", "--project", PROJECT, "-o", "{out}/copil.pptx"],
]
WITH_CHECKS = (
    "import sys; from oeuvre.core import cli; cli.StageCommand.requires_system_checks = '__all__'; "
    "from oeuvre.cli import main; sys.exit(main(sys.argv[1:]))"
)


def median(ts: list[Timing], key: str) -> float:
    return statistics.median(getattr(t, key) for t in ts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "var" / "bench-cli")
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()
    env = {**user_environment(), "OEUVRE_DATA_DIR": str(data_dir), "LANGUAGE": "fr"}
    print(f"machine: {machine()}", flush=True)
    if not (data_dir / "oeuvre.sqlite3").exists():
        t0 = time.perf_counter()
        timing = run([*oeuvre_command(), "demo", "--no-serve"], env=env)
        print(f"demo built: whole command {time.perf_counter() - t0:.1f} s wall, {timing.cpu:.1f} s CPU", flush=True)
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as empty_cache:
        former_env = {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": empty_cache}
        variants = {
            "former": ([sys.executable, "-c", WITH_CHECKS], former_env),
            "checks only": ([sys.executable, "-c", WITH_CHECKS], env),
            "now": (oeuvre_command(), env),
        }
        for command in COMMANDS:
            argv = [a.replace("{out}", out) for a in command]
            timings: dict[str, list[Timing]] = {name: [] for name in variants}
            for prefix, variant_env in variants.values():  # one warm-up run each
                run([*prefix, *argv], env=variant_env)
            for _ in range(args.repeat):  # alternate, so a load change hits every variant alike
                for name, (prefix, variant_env) in variants.items():
                    timings[name].append(run([*prefix, *argv], env=variant_env))
            now_wall, now_cpu = median(timings["now"], "wall"), median(timings["now"], "cpu")
            print(f"oeuvre {' '.join(command[:2])}: whole command, median of {args.repeat} alternate runs")
            for name, ts in timings.items():
                wall, cpu = median(ts, "wall"), median(ts, "cpu")
                print(
                    f"  {name:<12} wall {wall:6.2f} s  CPU {cpu:6.2f} s  "
                    f"ratio to now: wall x{wall / now_wall:.1f}, CPU x{cpu / now_cpu:.1f}",
                    flush=True,
                )
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    os.chdir(REPO_ROOT)
    main()
