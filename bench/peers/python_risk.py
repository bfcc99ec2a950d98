"""The peer of ``oeuvre engine risk FILE --iterations N --json``: a plain Python Monte Carlo on the same JSON file.

Samples triangular durations with the random module, runs a forward and a backward pass per
iteration (criticality), and prints the finish percentiles as JSON with the standard library.
Usage: python python_risk.py FILE ITERATIONS
"""

import json
import random
import sys


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        doc = json.load(fh)
    iterations = int(sys.argv[2])
    acts = doc["activities"]
    index = {a["id"]: i for i, a in enumerate(acts)}
    n = len(acts)
    lo = [a.get("optimistic", a["duration"]) for a in acts]
    ml = [a.get("most_likely", a["duration"]) for a in acts]
    hi = [a.get("pessimistic", a["duration"]) for a in acts]
    codes = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
    preds = [
        [(index[p["id"]], codes[p.get("type", "FS")], p.get("lag", 0)) for p in a.get("predecessors", [])] for a in acts
    ]
    succs = [[] for _ in range(n)]
    indeg = [len(p) for p in preds]
    for v in range(n):
        for p, k, lag in preds[v]:
            succs[p].append((v, k, lag))
    topo = [v for v in range(n) if indeg[v] == 0]
    for v in topo:
        for s, _, _ in succs[v]:
            indeg[s] -= 1
            if indeg[s] == 0:
                topo.append(s)
    rnd = random.Random(1)
    finishes = []
    crit = [0] * n
    for _ in range(iterations):
        d = [rnd.triangular(lo[j], hi[j], ml[j]) if hi[j] > lo[j] else ml[j] for j in range(n)]
        es = [0.0] * n
        for v in topo:
            best = 0.0
            for p, k, lag in preds[v]:
                best = max(best, es[p] + lag + (d[p] if k in (0, 2) else 0.0) - (d[v] if k in (2, 3) else 0.0))
            es[v] = best
        fin = max(es[v] + d[v] for v in range(n))
        ls = [0.0] * n
        for v in reversed(topo):
            best = fin - d[v]
            for s, k, lag in succs[v]:
                best = min(best, ls[s] - lag - (d[v] if k in (0, 2) else 0.0) + (d[s] if k in (2, 3) else 0.0))
            ls[v] = best
            if ls[v] - es[v] <= 1e-9 * max(1.0, fin):
                crit[v] += 1
        finishes.append(fin)
    finishes.sort()
    pct = {f"P{p}": finishes[min(len(finishes) - 1, int(p / 100 * len(finishes)))] for p in range(10, 100, 10)}
    criticality = {a["id"]: c / iterations for a, c in zip(acts, crit, strict=True)}
    json.dump({"percentiles": pct, "criticality": criticality}, sys.stdout)


if __name__ == "__main__":
    main()
