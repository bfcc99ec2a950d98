"""CPM: the vectorised engine vs a networkx CPM (topological sort + dict passes), same networks.

Usage: python bench/bench_cpm.py [--sizes 10000 100000] [--seed S] [--repeat R] [--process]
Both sides get the same arrays (all four link types, leads and lags) and must return the same
early and late starts; the script prints the times and the speed-up. This is the computation
alone, in one process; ``--process`` then also times the whole commands (``oeuvre engine
schedule FILE --json`` against a networkx script on the same file, see ``engine_schedule.py``).
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
from _common import machine, random_network

from oeuvre.engine.network import CompiledNetwork, schedule


def networkx_cpm(
    dur: list[int], pred: list[int], succ: list[int], kind: list[int], lag: list[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Textbook CPM on a networkx DiGraph: one pass in topological order, one in reverse."""
    g = nx.DiGraph()
    g.add_nodes_from(range(len(dur)))
    for p, s, k, lg in zip(pred, succ, kind, lag, strict=True):
        w = lg + (dur[p] if k in (0, 2) else 0) - (dur[s] if k in (2, 3) else 0)
        if g.has_edge(p, s):
            w = max(w, g[p][s]["w"])
        g.add_edge(p, s, w=w)
    order = list(nx.topological_sort(g))
    es = dict.fromkeys(order, 0)
    for v in order:
        for u, data in g.pred[v].items():
            es[v] = max(es[v], es[u] + data["w"])
    finish = max(es[v] + dur[v] for v in order)
    ls = {v: finish - dur[v] for v in order}
    for v in reversed(order):
        for s, data in g.succ[v].items():
            ls[v] = min(ls[v], ls[s] - data["w"])
    return es, ls


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--process", action="store_true", help="also time the whole commands as processes")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    for n in args.sizes:
        m = 3 * n
        dur, pred, succ, kind, lag = random_network(n, m, args.seed)
        t_compile, t_sched, t_total = [], [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            net = CompiledNetwork.from_arrays(dur, pred, succ, kind, lag)
            t1 = time.perf_counter()
            res = schedule(net)
            t2 = time.perf_counter()
            t_compile.append(t1 - t0)
            t_sched.append(t2 - t1)
            t_total.append(t2 - t0)
        lists = [x.tolist() for x in (dur, pred, succ, kind, lag)]
        t0 = time.perf_counter()
        es, ls = networkx_cpm(*lists)
        t_nx = time.perf_counter() - t0
        assert res.es.tolist() == [es[i] for i in range(n)], "early starts differ"
        assert res.ls.tolist() == [ls[i] for i in range(n)], "late starts differ"
        best = min(t_total)
        print(
            f"n={n:>7} links={m:>7} levels={net.n_levels:>5}  engine: compile {min(t_compile):.3f} s + "
            f"passes {min(t_sched):.3f} s = {best:.3f} s (best of {args.repeat})  networkx: {t_nx:.3f} s  "
            f"speed-up x{t_nx / best:.1f}  results equal"
        )
    if args.process:
        import sys

        import engine_schedule

        sizes = [str(n) for n in args.sizes]
        sys.argv = [sys.argv[0], "--sizes", *sizes, "--seed", str(args.seed), "--repeat", str(args.repeat)]
        engine_schedule.main()


if __name__ == "__main__":
    main()
