"""The peer of ``oeuvre engine schedule FILE --json``: a plain networkx CPM script on the same JSON file.

Reads the engine's JSON format (activities with FS/SS/FF/SF predecessors and lags), builds a
DiGraph, sorts it topologically, runs the forward and backward passes over dicts and writes the
same JSON fields with the standard library. Usage: python networkx_schedule.py FILE > out.json
"""

import json
import sys

import networkx as nx


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        doc = json.load(fh)
    acts = doc["activities"]
    dur = {a["id"]: a["duration"] for a in acts}
    g = nx.DiGraph()
    g.add_nodes_from(dur)
    for a in acts:
        for p in a.get("predecessors", []):
            kind, lag = p.get("type", "FS"), p.get("lag", 0)
            w = lag + (dur[p["id"]] if kind in ("FS", "FF") else 0) - (dur[a["id"]] if kind in ("FF", "SF") else 0)
            if g.has_edge(p["id"], a["id"]):
                w = max(w, g[p["id"]][a["id"]]["w"])
            g.add_edge(p["id"], a["id"], w=w)
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
    out = {
        "finish": finish,
        "activities": [
            {
                "id": v,
                "es": es[v],
                "ef": es[v] + dur[v],
                "ls": ls[v],
                "lf": ls[v] + dur[v],
                "total_float": ls[v] - es[v],
                "critical": ls[v] - es[v] <= 0,
            }
            for v in dur
        ],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
