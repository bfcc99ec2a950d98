"""``oeuvre engine schedule FILE --json`` as a whole process vs a plain networkx script on the same file.

Usage: python bench/engine_schedule.py [--sizes 10000 100000] [--seed S] [--repeat R] [--keep DIR]

For each size, a random project-like network (all four link types, leads and lags, 3 links per
activity; see ``_common.random_network``) is written in the engine's JSON format. Both commands
run as fresh processes, alternately, after a warm-up run each (so both read their .pyc files, as
on a user's second run); the script prints wall-clock and CPU times, the ratios, and the machine
load before and after. Both outputs must give the same early and late starts (checked).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from _common import machine, random_network
from _process import PEERS, compare, oeuvre_command

KINDS = ("FS", "SS", "FF", "SF")


def write_network(path: Path, n: int, seed: int) -> None:
    dur, pred, succ, kind, lag = random_network(n, 3 * n, seed)
    preds: list[list[dict[str, object]]] = [[] for _ in range(n)]
    for p, s, k, lg in zip(pred.tolist(), succ.tolist(), kind.tolist(), lag.tolist(), strict=True):
        preds[s].append({"id": f"A{p}", "type": KINDS[k], "lag": lg})
    acts = [{"id": f"A{i}", "duration": int(dur[i]), "predecessors": preds[i]} for i in range(n)]
    path.write_text(json.dumps({"activities": acts}), encoding="utf-8")


def same_dates(ours: Path, peer: Path) -> bool:
    a = json.loads(ours.read_text())
    b = json.loads(peer.read_text())
    da = {x["id"]: (x["es"], x["ls"]) for x in a["activities"]}
    db = {x["id"]: (x["es"], x["ls"]) for x in b["activities"]}
    return bool(a["finish"] == b["finish"] and da == db)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="write the files there instead of a temporary directory")
    args = ap.parse_args()
    print(f"machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            f = work / f"network_{n}.json"
            write_network(f, n, args.seed)
            ours = [*oeuvre_command(), "engine", "schedule", str(f), "--json"]
            peer = [sys.executable, str(PEERS / "networkx_schedule.py"), str(f)]
            compare(f"n={n} ({f.stat().st_size / 1e6:.1f} MB)", ours, peer, repeat=args.repeat, out_dir=work)
            assert same_dates(work / "ours.out", work / "peer.out"), "early/late starts differ"
            print("  same early and late starts", flush=True)
    print(f"machine after run: {machine()}")


if __name__ == "__main__":
    main()
