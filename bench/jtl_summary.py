"""Benchmark of the JMeter JTL summary (issue 19: 1,000,000 samples summarised per label in < 10 s, memory bounded),
against pandas reading the same file and computing the same figures.

    python bench/jtl_summary.py [--samples 1000000] [--labels 25] [--runs 3] [--no-xml] [--keep DIR]

The script writes a JTL of ``--samples`` samples in JMeter 5.x's default CSV columns (log-normal response times,
2 % failures, a quoted response message with a comma now and then) and the same samples as XML, then times, each in a
fresh process so that its peak resident memory (``ru_maxrss``) is its own:

- **oeuvre**: ``read_report_file`` — the file streamed through the guard, ``csv`` (or lxml ``iterparse``), one
  32-bit response time per sample kept, nearest-rank percentiles per label and for the whole run;
- **pandas**: ``read_csv`` (C engine, the four needed columns, pyarrow-free) or ``read_xml(iterparse=…)``, then a
  ``groupby`` and the same nearest-rank percentiles on each group's sorted values (pandas' own ``quantile`` only
  interpolates, which is not JMeter's figure);
- **command**: ``python -m oeuvre.interop.perfsec FILE --json``, the whole reading as a pipeline runs it, interpreter
  start included.

Both readers' figures are compared for every label (samples, mean, p50/p90/p95/p99, max, throughput, error rate); a
difference stops the script. Everything printed is measured in this run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

HEADER = (
    "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,"
    "sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"
)
FRACTIONS = {"response_time_p50": 0.5, "response_time_p90": 0.9, "response_time_p95": 0.95, "response_time_p99": 0.99}


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def peak_mib() -> float:
    """This process's peak resident memory. Linux's ``VmHWM`` is the process image's own; ``ru_maxrss`` would also
    count the parent's memory at the fork (the benchmark's, which held the generated samples)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_files(directory: Path, samples: int, labels: int, xml: bool) -> tuple[Path, Path | None]:
    rng = np.random.default_rng(19)
    elapsed = np.minimum(rng.lognormal(5.5, 0.8, samples).astype(np.int64) + 1, 120_000)
    label = rng.integers(0, labels, samples)
    ok = rng.random(samples) > 0.02
    start = 1733565600000 + np.sort(rng.integers(0, 3_600_000, samples))
    threads = 1 + (np.arange(samples) * 500 // samples)
    names = [f"{n:02d} {'Page' if n % 3 else 'API'} {n}" for n in range(labels)]
    csv_path = directory / "results.jtl"
    with csv_path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(samples):
            good = ok[i]
            message = "OK" if good else ('"Internal Server Error, retry"' if i % 2 else "Service Unavailable")
            code, success, users = 200 if good else 500, "true" if good else "false", threads[i]
            out.write(
                f"{start[i]},{elapsed[i]},{names[label[i]]},{code},{message},Groupe 1-{users},text,{success},,"
                f"{512 + i % 977},128,{users},{users},https://portail.example.fr/p/{label[i]},{elapsed[i] - 1},0,"
                f"{i % 40}\n"
            )
    xml_path = None
    if xml:
        xml_path = directory / "results.xml"
        with xml_path.open("w", encoding="utf-8") as out:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n<testResults version="1.2">\n')
            for i in range(samples):
                out.write(
                    f'<httpSample t="{elapsed[i]}" it="0" lt="{elapsed[i] - 1}" ct="{i % 40}" ts="{start[i]}" '
                    f's="{"true" if ok[i] else "false"}" lb="{names[label[i]]}" rc="{200 if ok[i] else 500}" '
                    f'rm="OK" tn="Groupe 1-{threads[i]}" dt="text" by="512" sby="128" ng="{threads[i]}" '
                    f'na="{threads[i]}"/>\n'
                )
            out.write("</testResults>\n")
    return csv_path, xml_path


# --- the two readers, each run in a child process -------------------------------------------------------------------


def child_oeuvre(path: str) -> dict[str, object]:
    from oeuvre.interop.perfsec import read_report_file

    baseline = peak_mib()
    began = time.perf_counter()
    report = read_report_file(path)
    seconds = time.perf_counter() - began
    figures: dict[str, dict[str, float]] = {}
    for m in report.measurements:
        figures.setdefault(m.label, {})[m.metric.value] = m.value
    return {"seconds": seconds, "peak_mib": peak_mib(), "baseline_mib": baseline, "figures": figures}


def _nearest_rank(ordered: np.ndarray, fraction: float) -> float:
    rank = math.floor(len(ordered) * fraction + 0.5)
    return float(ordered[max(rank, 1) - 1])


def child_pandas(path: str) -> dict[str, object]:
    import pandas as pd

    baseline = peak_mib()
    began = time.perf_counter()
    if path.endswith(".xml"):
        frame = pd.read_xml(path, iterparse={"httpSample": ["t", "ts", "s", "lb"]}, parser="lxml")
        frame = frame.rename(columns={"t": "elapsed", "ts": "timeStamp", "s": "success", "lb": "label"})
        frame["success"] = frame["success"].astype(str).str.lower() == "true"
    else:
        frame = pd.read_csv(
            path, usecols=["timeStamp", "elapsed", "label", "success"], engine="c",
            dtype={"timeStamp": "int64", "elapsed": "int32", "label": "str", "success": "bool"},
        )  # fmt: skip
    figures: dict[str, dict[str, float]] = {}

    def summarise(label: str, group: pd.DataFrame) -> None:
        values = np.sort(group["elapsed"].to_numpy())
        n = len(values)
        span = int((group["timeStamp"] + group["elapsed"]).max() - group["timeStamp"].min())
        errors = 100.0 * float((~group["success"]).sum()) / n
        out = {"samples": float(n), "response_time_mean": float(group["elapsed"].mean()),
               "response_time_max": float(values[-1]), "throughput": n * 1000.0 / span, "error_rate": errors,
               "availability": 100.0 - errors}  # fmt: skip
        out.update({metric: _nearest_rank(values, q) for metric, q in FRACTIONS.items()})
        figures[label] = out

    for label, group in frame.groupby("label", sort=True):
        summarise(str(label), group)
    summarise("*", frame)
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "peak_mib": peak_mib(), "baseline_mib": baseline, "figures": figures}


def run_child(kind: str, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


_COMMAND = (
    "import atexit, runpy, sys\n"
    "from pathlib import Path\n"
    "def hwm():\n"
    "    line = next(l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM:'))\n"
    "    sys.stderr.write(line.split()[1])\n"
    "atexit.register(hwm)\n"
    "sys.argv = ['oeuvre.interop.perfsec', sys.argv[1], '--json']\n"
    "runpy.run_module('oeuvre.interop.perfsec', run_name='__main__')\n"
)


def run_command(path: Path) -> tuple[float, float]:
    """``python -m oeuvre.interop.perfsec FILE --json`` as a pipeline runs it, interpreter start included, with
    its own peak memory (``VmHWM``, written at exit)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _COMMAND, str(path)], capture_output=True, text=True, check=True,
                          env=env)  # fmt: skip
    seconds = time.perf_counter() - began
    return seconds, int(done.stderr.strip().split()[-1]) / 1024


def compare(ours: dict[str, dict[str, float]], theirs: dict[str, dict[str, float]]) -> int:
    """Every figure of every label equal (means to 1e-9 relative); returns how many were compared."""
    if sorted(ours) != sorted(theirs):
        raise SystemExit(f"labels differ: {sorted(set(ours) ^ set(theirs))[:5]}")
    compared = 0
    for label, figures in theirs.items():
        for metric, value in figures.items():
            mine = ours[label].get(metric)
            if mine is None or not math.isclose(mine, value, rel_tol=1e-9):
                raise SystemExit(f"figures differ: {label} {metric}: oeuvre {mine}, pandas {value}")
            compared += 1
    return compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--labels", type=int, default=25)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-xml", action="store_true")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        print(json.dumps(child_oeuvre(path) if kind == "oeuvre" else child_pandas(path)))
        return

    import pandas as pd

    print(f"JTL summary benchmark — {machine()}, Python {sys.version.split()[0]}, pandas {pd.__version__}")
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        csv_path, xml_path = write_files(directory, args.samples, args.labels, not args.no_xml)
        print(f"wrote {args.samples:,} samples over {args.labels} labels in {time.perf_counter() - began:.1f} s: "
              f"CSV {csv_path.stat().st_size / 2**20:.0f} MiB"
              + (f", XML {xml_path.stat().st_size / 2**20:.0f} MiB" if xml_path else ""))  # fmt: skip
        for path in [p for p in (csv_path, xml_path) if p is not None]:
            print(f"\n{path.suffix[1:].upper()} ({path.name}), {args.runs} runs each, median:")
            ours = [run_child("oeuvre", path) for _ in range(args.runs)]
            theirs = [run_child("pandas", path) for _ in range(args.runs)]
            compared = compare(ours[0]["figures"], theirs[0]["figures"])  # type: ignore[arg-type]
            ours_s = statistics.median(float(r["seconds"]) for r in ours)  # type: ignore[arg-type]
            theirs_s = statistics.median(float(r["seconds"]) for r in theirs)  # type: ignore[arg-type]
            command_s, command_mib = min(run_command(path) for _ in range(args.runs))
            for name, runs, secs in (("oeuvre", ours, ours_s), ("pandas", theirs, theirs_s)):
                peak = max(float(r["peak_mib"]) for r in runs)  # type: ignore[arg-type]
                base = max(float(r["baseline_mib"]) for r in runs)  # type: ignore[arg-type]
                print(f"  {name:7s} {secs:6.2f} s  ({args.samples / secs / 1e6:.2f} M samples/s)  "
                      f"peak RSS {peak:6.0f} MiB ({peak - base:+.0f} MiB over the imports)")  # fmt: skip
            print(f"  command {command_s:6.2f} s  peak RSS {command_mib:6.0f} MiB  "
                  f"(python -m oeuvre.interop.perfsec FILE --json, best of {args.runs})")  # fmt: skip
            print(f"  ratio oeuvre / pandas: time {ours_s / theirs_s:.2f}; {compared} figures identical "
                  f"({len(theirs[0]['figures'])} labels incl. ALL)")  # type: ignore[arg-type]  # fmt: skip
            figures = ours[0]["figures"]["*"]  # type: ignore[index]
            print(f"  ALL: p50 {figures['response_time_p50']:.0f} ms, p95 {figures['response_time_p95']:.0f} ms, "
                  f"p99 {figures['response_time_p99']:.0f} ms, errors {figures['error_rate']:.2f} %, "
                  f"{figures['throughput']:.1f} req/s")  # fmt: skip


if __name__ == "__main__":
    main()
