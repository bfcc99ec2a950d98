"""Levelling on PSPLIB: proven optima, gaps to the UGent 2024 best-known bounds, heuristic vs baseline.

Usage:
  python bench/bench_levelling.py --set j30 [--subset N] [--seed S] [--time-limit 10] [--workers 2]
  python bench/bench_levelling.py --set j120 --heuristic [--heuristic-time 0.2] [--subset N]

Exact mode runs ``level`` (heuristic, then CP-SAT) per instance and reports how many makespans
are proven optimal, the mean time, and the mean gap (makespan / best-known upper bound - 1).
Heuristic mode runs, on the same instances in the same process, single-pass parallel SGS with
the LFT rule (the baseline) and ``level_heuristic``, and reports both gaps and times.
``--subset N`` draws N instances at random with ``--seed`` (0 = the whole set).
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

import numpy as np
from _common import bench_data_dir, machine

from oeuvre.engine.io import read_psplib, read_ugent_bounds
from oeuvre.engine.levelling import LevellingProblem, level, level_heuristic, sgs

TABLES = {"j30": "J30.csv", "j60": "J60_1.csv", "j90": "J90_3.csv", "j120": "J120_0.csv"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=list(TABLES), default="j30")
    ap.add_argument("--subset", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--heuristic", action="store_true", help="heuristic vs single-pass parallel SGS + LFT")
    ap.add_argument("--heuristic-time", type=float, default=0.2)
    ap.add_argument("--out", type=Path, help="write one CSV row per instance")
    args = ap.parse_args()

    root = bench_data_dir() / "psplib"
    bounds = read_ugent_bounds(root / "solutions" / "ugent-2024" / TABLES[args.set])
    files = sorted((root / f"{args.set}.sm").glob("*.sm"))
    if args.subset:
        files = sorted(random.Random(args.seed).sample(files, args.subset))
    print(f"machine: {machine()}")
    print(f"set {args.set}: {len(files)} instances{f' (random subset, seed {args.seed})' if args.subset else ''}")
    rows = []
    for k, f in enumerate(files, 1):
        data = read_psplib(f)
        problem = LevellingProblem.build(data.network(), data.demands(), data.capacities)
        b = bounds[f.name]
        row: dict[str, object] = {"instance": f.name, "bks": b.upper, "bkl": b.lower}
        if args.heuristic:
            t0 = time.perf_counter()
            base = sgs(problem, "LFT", "parallel")
            row["baseline_time"] = time.perf_counter() - t0
            row["baseline"] = base.makespan
            t0 = time.perf_counter()
            heur = level_heuristic(problem, time_limit=args.heuristic_time, seed=args.seed)
            row["heuristic_time"] = time.perf_counter() - t0
            row["heuristic"] = heur.makespan
            assert base.validation.ok, f.name
            assert heur.validation.ok, f.name
            assert heur.makespan >= b.lower, f.name
        else:
            t0 = time.perf_counter()
            res = level(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed)
            row["time"] = time.perf_counter() - t0
            row.update(makespan=res.makespan, lower_bound=res.lower_bound, optimal=res.optimal, method=res.method)
            assert res.validation.ok, f.name
            assert res.makespan >= b.lower, f.name
            assert res.lower_bound <= b.upper, f.name
        rows.append(row)
        if k % 20 == 0 or k == len(files):
            print(f"  {k}/{len(files)} done", flush=True)

    def gap(key: str) -> float:
        return float(np.mean([r[key] / r["bks"] - 1 for r in rows])) * 100  # type: ignore[operator]

    if args.heuristic:
        print(
            f"baseline parallel SGS + LFT: mean gap {gap('baseline'):.2f} %, "
            f"mean time {np.mean([r['baseline_time'] for r in rows]) * 1000:.1f} ms"
        )
        print(
            f"heuristic (rules x SGS + sampling, FBI, {args.heuristic_time} s): mean gap {gap('heuristic'):.2f} %, "
            f"mean time {np.mean([r['heuristic_time'] for r in rows]):.3f} s, "
            f"max {np.max([r['heuristic_time'] for r in rows]):.3f} s"  # type: ignore[type-var]
        )
    else:
        n_opt = sum(bool(r["optimal"]) for r in rows)
        times = [float(r["time"]) for r in rows]  # type: ignore[arg-type]
        print(
            f"time limit {args.time_limit} s, {args.workers} workers: proven optimal {n_opt}/{len(rows)}, "
            f"mean time {np.mean(times):.2f} s (median {np.median(times):.2f}, max {np.max(times):.2f}), "
            f"mean gap to best known {gap('makespan'):.2f} %, "
            f"equal to best known {sum(r['makespan'] == r['bks'] for r in rows)}/{len(rows)}"
        )
    print(f"machine after run: {machine()}")
    if args.out:
        with args.out.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
