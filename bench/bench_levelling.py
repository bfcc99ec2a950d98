"""Levelling on PSPLIB: proven optima, gaps to the UGent 2024 best-known bounds, heuristic vs baseline.

Usage:
  python bench/bench_levelling.py --set j30 [--offset K] [--limit N] [--time-limit 10] [--workers 2] [--out FILE]
  python bench/bench_levelling.py --set j120 --heuristic [--heuristic-time 0.2] [--subset N]
  python bench/bench_levelling.py --set j30 --only j3013_1.sm,j3029_3.sm --time-limit 10
  python bench/bench_levelling.py --summary FILE
  python bench/bench_levelling.py --process [--set j30] [--limit 5] [--time-limit 10]

Exact mode runs ``level`` (heuristic, then CP-SAT) per instance and reports how many makespans
are proven optimal, the mean time, and the mean gap (makespan / best-known upper bound - 1).
Heuristic mode runs, on the same instances in the same process, single-pass parallel SGS with
the LFT rule (the baseline) and ``level_heuristic``, and reports both gaps and times.

Long runs are resumable: with ``--out FILE`` every instance appends one CSV row (with the load
average of the machine at that moment) as soon as it is done, and instances already in the file
for the same set, mode, time limit and workers are skipped. ``--summary FILE`` prints the figures
of a results file, whatever the runs that filled it. ``--offset``/``--limit`` take a slice of the
sorted instance list; ``--subset N`` a random sample (``--seed``).

Process mode times the whole command a user runs, ``oeuvre engine level FILE.sm --json``, against
a plain CP-SAT script (``peers/cpsat_rcpsp.py``: intervals, one cumulative per resource, the
precedences, minimise the makespan) on the same files, each as a fresh process.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from _common import bench_data_dir, machine

from oeuvre.engine.io import read_psplib, read_ugent_bounds
from oeuvre.engine.levelling import LevellingProblem, level, level_heuristic, sgs

TABLES = {"j30": "J30.csv", "j60": "J60_1.csv", "j90": "J90_3.csv", "j120": "J120_0.csv"}
FIELDS = [
    "set",
    "instance",
    "mode",
    "time_limit",
    "workers",
    "bks",
    "bkl",
    "makespan",
    "lower_bound",
    "optimal",
    "method",
    "time",
    "baseline",
    "baseline_time",
    "load",
]


def _files(args: argparse.Namespace, root: Path) -> list[Path]:
    files = sorted((root / f"{args.set}.sm").glob("*.sm"))
    if args.only:
        wanted = set(args.only.split(","))
        files = [f for f in files if f.name in wanted]
    if args.subset:
        files = sorted(random.Random(args.seed).sample(files, args.subset))
    files = files[args.offset :]
    return files[: args.limit] if args.limit else files


def _done(path: Path | None, key: tuple[str, str, str, str]) -> set[str]:
    if path is None or not path.exists():
        return set()
    with path.open(newline="") as fh:
        return {
            r["instance"] for r in csv.DictReader(fh) if (r["set"], r["mode"], r["time_limit"], r["workers"]) == key
        }


def summarise(rows: list[dict[str, str]]) -> None:
    groups: dict[tuple[str, str, str, str], list[dict[str, str]]] = {}
    for r in rows:
        groups.setdefault((r["set"], r["mode"], r["time_limit"], r["workers"]), []).append(r)
    for (name, mode, limit, workers), rs in sorted(groups.items()):
        gap = [int(r["makespan"]) / int(r["bks"]) - 1 for r in rs]
        times = [float(r["time"]) for r in rs]
        loads = [float(r["load"]) for r in rs]
        head = f"{name} ({len(rs)} instances), {mode}, {limit} s, {workers} workers"
        head += f", load {min(loads):.1f}-{max(loads):.1f}"
        if mode == "heuristic":
            bgap = [int(r["baseline"]) / int(r["bks"]) - 1 for r in rs]
            print(
                f"{head}:\n  baseline parallel SGS + LFT: mean gap {100 * statistics.mean(bgap):.2f} %, "
                f"mean time {1000 * statistics.mean(float(r['baseline_time']) for r in rs):.1f} ms\n"
                f"  heuristic: mean gap {100 * statistics.mean(gap):.2f} %, mean time {statistics.mean(times):.3f} s, "
                f"max {max(times):.3f} s"
            )
            continue
        proven = sum(r["optimal"] == "True" for r in rs)
        equal = sum(r["makespan"] == r["bks"] for r in rs)
        unproven = sorted(r["instance"] for r in rs if r["optimal"] != "True")
        print(
            f"{head}:\n  proven optimal {proven}/{len(rs)}, mean time {statistics.mean(times):.2f} s "
            f"(median {statistics.median(times):.2f}, max {max(times):.2f}), mean gap to best known "
            f"{100 * statistics.mean(gap):.2f} %, equal to best known {equal}/{len(rs)}"
        )
        if unproven and len(unproven) <= 40:
            print(f"  not proven: {' '.join(unproven)}")


def run_instances(args: argparse.Namespace) -> None:
    root = bench_data_dir() / "psplib"
    bounds = read_ugent_bounds(root / "solutions" / "ugent-2024" / TABLES[args.set])
    mode = "heuristic" if args.heuristic else "exact"
    limit = args.heuristic_time if args.heuristic else args.time_limit
    key = (args.set, mode, f"{limit:g}", str(args.workers))
    files = _files(args, root)
    skip = _done(args.out, key)
    todo = [f for f in files if f.name not in skip]
    print(f"machine: {machine()}")
    print(
        f"set {args.set}: {len(files)} instances selected, {len(files) - len(todo)} already in {args.out}", flush=True
    )
    if args.out and not args.out.exists():
        with args.out.open("w", newline="") as fh:
            csv.DictWriter(fh, fieldnames=FIELDS).writeheader()
    # Load the compiled kernels and OR-Tools before the clock runs for the first instance.
    from oeuvre.engine.warmup import warm_up

    warm_up()
    if todo and not args.heuristic:
        first = read_psplib(todo[0])
        level(LevellingProblem.build(first.compiled(), first.demands(), first.capacities), time_limit=0.5, workers=1)
    rows: list[dict[str, str]] = []
    for k, f in enumerate(todo, 1):
        data = read_psplib(f)
        problem = LevellingProblem.build(data.compiled(), data.demands(), data.capacities)
        b = bounds[f.name]
        row: dict[str, object] = {"set": args.set, "instance": f.name, "mode": mode, "time_limit": f"{limit:g}"}
        row.update(workers=args.workers, bks=b.upper, bkl=b.lower, baseline="", baseline_time="")
        if args.heuristic:
            t0 = time.perf_counter()
            base = sgs(problem, "LFT", "parallel")
            row["baseline_time"] = time.perf_counter() - t0
            row["baseline"] = base.makespan
            t0 = time.perf_counter()
            res = level_heuristic(problem, time_limit=args.heuristic_time, seed=args.seed)
            row["time"] = time.perf_counter() - t0
            assert base.validation.ok, f.name
        else:
            t0 = time.perf_counter()
            res = level(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed)
            row["time"] = time.perf_counter() - t0
        row.update(makespan=res.makespan, lower_bound=res.lower_bound, optimal=res.optimal, method=res.method)
        row["load"] = f"{os.getloadavg()[0]:.2f}"
        assert res.validation.ok, f.name
        assert res.makespan >= b.lower, f.name
        assert res.lower_bound <= b.upper, f.name
        text = {k2: str(v) for k2, v in row.items()}
        rows.append(text)
        if args.out:
            with args.out.open("a", newline="") as fh:
                csv.DictWriter(fh, fieldnames=FIELDS).writerow(text)
        if k % 20 == 0 or k == len(todo):
            print(f"  {k}/{len(todo)} done, load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"machine after run: {machine()}")
    if args.out:
        with args.out.open(newline="") as fh:
            summarise([r for r in csv.DictReader(fh) if r["instance"] in {f.name for f in files}])
    elif rows:
        summarise(rows)


def run_processes(args: argparse.Namespace) -> None:
    import tempfile

    from _process import PEERS, compare, oeuvre_command

    root = bench_data_dir() / "psplib"
    files = _files(args, root)[: args.limit or 5]
    print(f"machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            ours = [*oeuvre_command(), "engine", "level", str(f), "--time-limit", f"{args.time_limit:g}"]
            ours += ["--workers", str(args.workers), "--json"]
            peer = [sys.executable, str(PEERS / "cpsat_rcpsp.py"), str(f), f"{args.time_limit:g}", str(args.workers)]
            compare(f.name, ours, peer, repeat=args.repeat, out_dir=Path(tmp))
            print(f"  engine: {Path(tmp, 'ours.out').read_text()[:120]}")
            print(f"  peer:   {Path(tmp, 'peer.out').read_text().strip()}", flush=True)
    print(f"machine after run: {machine()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=list(TABLES), default="j30")
    ap.add_argument("--subset", type=int, default=0)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--only", help="comma-separated instance file names")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--heuristic", action="store_true", help="heuristic vs single-pass parallel SGS + LFT")
    ap.add_argument("--heuristic-time", type=float, default=0.2)
    ap.add_argument("--out", type=Path, help="append one CSV row per instance; resume from it")
    ap.add_argument("--summary", type=Path, help="print the figures of a results file and exit")
    ap.add_argument("--process", action="store_true", help="whole commands: oeuvre engine level vs plain CP-SAT")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    if args.summary:
        with args.summary.open(newline="") as fh:
            summarise(list(csv.DictReader(fh)))
        return
    if args.process:
        run_processes(args)
        return
    run_instances(args)
    _ = np  # numpy is imported for its version in machine()


if __name__ == "__main__":
    main()
