"""Monte Carlo: the engine (10,000 iterations x 2,000 activities) vs a plain Python loop, scaled.

Usage: python bench/bench_risk.py [--iterations 10000] [--activities 2000] [--loop-iterations 100] [--seed S]
       python bench/bench_risk.py --process [--process-iterations 1000] [--activities 2000] [--repeat 2]
The loop samples the same triangular laws with the random module and runs a dict-free CPM per
iteration; its time per iteration is scaled to the engine's iteration count. Peak memory of the
engine run is measured with tracemalloc (numpy reports its buffers to it).

With ``--process``, the whole command ``oeuvre engine risk FILE --iterations N --json`` runs as a
fresh process against ``peers/python_risk.py`` (the same loop as a standalone script reading the
same JSON file), both at the same number of iterations, alternately.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc

import numpy as np
from _common import machine, random_network

from oeuvre.engine.network import CompiledNetwork
from oeuvre.engine.risk import monte_carlo


def python_loop(
    lo: list[float],
    ml: list[float],
    hi: list[float],
    topo: list[int],
    preds: list[list[tuple[int, int, int]]],
    iterations: int,
    seed: int,
) -> list[float]:
    """Plain Python: sample, forward pass, backward pass (for criticality) per iteration."""
    rnd = random.Random(seed)
    n = len(ml)
    succs: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    for v in range(n):
        for p, k, lag in preds[v]:
            succs[p].append((v, k, lag))
    finishes = []
    crit = [0] * n
    for _ in range(iterations):
        d = [rnd.triangular(lo[j], hi[j], ml[j]) if hi[j] > lo[j] else ml[j] for j in range(n)]
        es = [0.0] * n
        for v in topo:
            best = 0.0
            for p, k, lag in preds[v]:
                val = es[p] + lag + (d[p] if k in (0, 2) else 0.0) - (d[v] if k in (2, 3) else 0.0)
                best = max(best, val)
            es[v] = best
        fin = max(es[v] + d[v] for v in range(n))
        ls = [0.0] * n
        for v in reversed(topo):
            best = fin - d[v]
            for s, k, lag in succs[v]:
                val = ls[s] - lag - (d[v] if k in (0, 2) else 0.0) + (d[s] if k in (2, 3) else 0.0)
                best = min(best, val)
            ls[v] = best
            if ls[v] - es[v] <= 1e-9 * max(1.0, fin):
                crit[v] += 1
        finishes.append(fin)
    return finishes


def run_processes(args: argparse.Namespace) -> None:
    import json
    import sys
    import tempfile
    from pathlib import Path

    from _process import PEERS, compare, oeuvre_command

    n = args.activities
    dur, pred, succ, kind, lag = random_network(n, 3 * n, args.seed, window=50)
    kinds = ("FS", "SS", "FF", "SF")
    preds: list[list[dict[str, object]]] = [[] for _ in range(n)]
    for p, s, k, lg in zip(pred.tolist(), succ.tolist(), kind.tolist(), lag.tolist(), strict=True):
        preds[s].append({"id": f"A{p}", "type": kinds[k], "lag": lg})
    acts = [
        {
            "id": f"A{i}",
            "duration": int(dur[i]),
            "optimistic": 0.8 * float(dur[i]),
            "most_likely": float(dur[i]),
            "pessimistic": 1.5 * float(dur[i]),
            "predecessors": preds[i],
        }
        for i in range(n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "risk.json"
        f.write_text(json.dumps({"activities": acts}), encoding="utf-8")
        it = str(args.process_iterations)
        ours = [*oeuvre_command(), "engine", "risk", str(f), "--iterations", it, "--json"]
        peer = [sys.executable, str(PEERS / "python_risk.py"), str(f), it]
        compare(f"risk, {it} iterations x {n} activities", ours, peer, repeat=args.repeat, out_dir=Path(tmp))
        a = json.loads((Path(tmp) / "ours.out").read_text())["percentiles"]
        b = json.loads((Path(tmp) / "peer.out").read_text())["percentiles"]
        print(f"  P50 engine {a['P50']:.1f} vs peer {b['P50']:.1f}; P80 {a['P80']:.1f} vs {b['P80']:.1f}")
    print(f"machine after run: {machine()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iterations", type=int, default=10_000)
    ap.add_argument("--activities", type=int, default=2_000)
    ap.add_argument("--loop-iterations", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--process", action="store_true", help="whole commands as processes")
    ap.add_argument("--process-iterations", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    if args.process:
        run_processes(args)
        return
    n = args.activities
    dur, pred, succ, kind, lag = random_network(n, 3 * n, args.seed, window=50)
    net = CompiledNetwork.from_arrays(dur, pred, succ, kind, lag)
    ml = dur.astype(float)
    lo, hi = 0.8 * ml, 1.5 * ml
    monte_carlo(net, lo, ml, hi, iterations=50, seed=0)  # load the compiled kernels once
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = monte_carlo(net, lo, ml, hi, iterations=args.iterations, seed=args.seed)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    monte_carlo(net, lo, ml, hi, iterations=args.iterations, seed=args.seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    topo = np.argsort(net.level, kind="stable").tolist()
    preds: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    for p, s, k, lg in zip(pred.tolist(), succ.tolist(), kind.tolist(), lag.tolist(), strict=True):
        preds[s].append((p, k, lg))
    t0 = time.perf_counter()
    loop_fin = python_loop(lo.tolist(), ml.tolist(), hi.tolist(), topo, preds, args.loop_iterations, args.seed)
    t_loop = (time.perf_counter() - t0) / args.loop_iterations * args.iterations
    best = min(times)
    print(
        f"engine: {args.iterations} iterations x {n} activities ({3 * n} links) in {best:.3f} s "
        f"(best of 3; runs {', '.join(f'{t:.3f}' for t in times)}), peak traced memory {peak / 2**20:.1f} MiB"
    )
    print(
        f"python loop: {args.loop_iterations} iterations, scaled to {args.iterations}: {t_loop:.1f} s; "
        f"speed-up x{t_loop / best:.0f}"
    )
    print(
        f"P50 engine {res.percentiles[50]:.1f} vs loop {np.percentile(loop_fin, 50):.1f}; "
        f"P80 {res.percentiles[80]:.1f} (standard error {res.p80_standard_error:.2f})"
    )


if __name__ == "__main__":
    main()
