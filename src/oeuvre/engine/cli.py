"""Command line for the engine: ``schedule``, ``level``, ``risk`` and ``evm`` (no Django needed).

Run it as ``python -m oeuvre.engine.cli COMMAND ...`` or through ``oeuvre engine COMMAND ...``.
Output is a table by default, JSON with ``--json``. Bad input prints one message naming the
line or field and exits with status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from oeuvre.engine.errors import EngineError, InputError
from oeuvre.engine.evm import earned_value
from oeuvre.engine.io import ProjectData, parse_capacities, read_project
from oeuvre.engine.levelling import LevellingProblem, level, level_heuristic
from oeuvre.engine.network import schedule
from oeuvre.engine.risk import monte_carlo

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_INPUT = 2


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise _ArgumentError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed so ``oeuvre engine`` can show the same help).

    Examples
    --------
    >>> build_parser().parse_args(["evm", "--bac", "10", "--pv", "5", "--ev", "4", "--ac", "6"]).command
    'evm'
    """
    p = _Parser(prog="oeuvre engine", description="Scheduling and QCD engine: CPM, levelling, risk, earned value.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("schedule", help="critical path: early/late dates, floats, critical activities")
    s.add_argument("file", help="project file: .csv, .json or PSPLIB .sm")
    s.add_argument("--json", action="store_true", help="print JSON instead of a table")

    lv = sub.add_parser("level", help="resource levelling: heuristic then CP-SAT")
    lv.add_argument("file")
    lv.add_argument("--time-limit", type=float, default=10.0, metavar="S", help="seconds in total (default 10)")
    lv.add_argument("--capacity", metavar="RES=N,...", help="capacities, e.g. dev=3,test=2 (override the file)")
    lv.add_argument("--heuristic-only", action="store_true", help="skip CP-SAT")
    lv.add_argument("--seed", type=int, default=0)
    lv.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default: CPU cores)")
    lv.add_argument("--json", action="store_true")

    r = sub.add_parser("risk", help="Monte Carlo schedule risk from three-point estimates")
    r.add_argument("file")
    r.add_argument("--iterations", type=int, default=10_000, metavar="N")
    r.add_argument("--seed", type=int, default=0, metavar="S")
    r.add_argument("--distribution", choices=("triangular", "pert"), default="triangular")
    r.add_argument(
        "--target",
        "--target-date",
        dest="target",
        metavar="DAY|DATE",
        help="finish target: a working-day index, or an ISO date when the file has a start date",
    )
    r.add_argument("--json", action="store_true")

    e = sub.add_parser("evm", help="earned value indicators at a status date")
    for name in ("bac", "pv", "ev", "ac"):
        e.add_argument(f"--{name}", type=float, required=True)
    e.add_argument("--etc", type=float, default=None, help="bottom-up estimate to complete (RAF)")
    e.add_argument("--duration", type=float, default=None, metavar="D", help="planned duration, for earned schedule")
    e.add_argument("--json", action="store_true")
    return p


def _clean(obj: Any) -> Any:
    """Replace NaN/inf by None so the JSON is strict."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def _fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:,.{digits}f}"


def _cmd_schedule(args: argparse.Namespace, data: ProjectData, out: Console) -> int:
    res = schedule(data.network())
    if args.json:
        out.print_json(json.dumps(_clean(res.to_dict())))
        return EXIT_OK
    cal = data.calendar
    table = Table(
        title=f"Schedule of {data.source} — finish: day {res.finish}"
        + (f" ({cal.finish_date([res.finish])[0]})" if cal is not None else "")
    )
    for col in ("id", "name", "dur", "ES", "EF", "LS", "LF", "TF", "FF", "crit"):
        table.add_column(col, justify="left" if col in ("id", "name") else "right")
    names = {a.id: a.name for a in data.activities}
    for i, aid in enumerate(res.ids):
        table.add_row(
            aid,
            names.get(aid, ""),
            str(int(res.ef[i] - res.es[i])),
            str(res.es[i]),
            str(res.ef[i]),
            str(res.ls[i]),
            str(res.lf[i]),
            str(res.total_float[i]),
            str(res.free_float[i]),
            "*" if res.critical[i] else "",
        )
    out.print(table)
    out.print("critical path: " + " → ".join(res.critical_path()))
    for w in res.warnings:
        out.print(f"[yellow]warning:[/yellow] {w.message}")
    return EXIT_OK


def _cmd_level(args: argparse.Namespace, data: ProjectData, out: Console) -> int:
    caps: dict[str, int | list[int]] = dict(data.capacities)
    if args.capacity:
        caps.update(parse_capacities(args.capacity))
    used = sorted({r for a in data.activities for r in a.demands})
    missing = [r for r in used if r not in caps]
    if missing:
        raise InputError(f"no capacity for resource {missing[0]!r}; give --capacity {missing[0]}=N", field="--capacity")
    if args.time_limit <= 0:
        raise InputError("must be positive", field="--time-limit")
    problem = LevellingProblem.build(data.network(), data.demands(), caps)
    if args.heuristic_only:
        res = level_heuristic(problem, time_limit=min(args.time_limit, 1.0), seed=args.seed)
    else:
        res = level(problem, time_limit=args.time_limit, seed=args.seed, workers=args.workers)
    if args.json:
        out.print_json(json.dumps(_clean(res.to_dict())))
        return EXIT_OK
    table = Table(title=f"Levelled schedule of {data.source}")
    for col in ("id", "start", "finish"):
        table.add_column(col, justify="left" if col == "id" else "right")
    d = problem.network.durations
    for i, aid in enumerate(res.ids):
        table.add_row(aid, str(res.start[i]), str(res.start[i] + d[i]))
    out.print(table)
    out.print(
        f"makespan {res.makespan} (lower bound {res.lower_bound}, "
        f"{'proven optimal' if res.optimal else 'not proven optimal'}; by {res.method}; "
        f"heuristic {res.heuristic_makespan}; {res.elapsed:.2f} s); validator: "
        + ("ok" if res.validation.ok else "; ".join(res.validation.violations))
    )
    for w in res.validation.warnings:
        out.print(f"[yellow]warning:[/yellow] {w}")
    return EXIT_OK


def _target(text: str | None, data: ProjectData) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a number or an ISO date: {text!r}", field="--target") from None
    if data.calendar is None:
        raise InputError("a target date needs a project start date (JSON 'start')", field="--target")
    # Finishing by the end of `day` means finishing at or before the index of the next working day.
    return float(data.calendar.to_index([day + dt.timedelta(days=1)])[0])


def _cmd_risk(args: argparse.Namespace, data: ProjectData, out: Console) -> int:
    if args.iterations < 1:
        raise InputError("must be at least 1", field="--iterations")
    target = _target(args.target, data)
    lo, ml, hi = data.three_point()
    res = monte_carlo(
        data.network(),
        lo,
        ml,
        hi,
        iterations=args.iterations,
        seed=args.seed,
        distribution=args.distribution,
        risks=data.risks,
    )
    if args.json:
        out.print_json(json.dumps(_clean(res.to_dict(target))))
        return EXIT_OK
    table = Table(title=f"Finish distribution of {data.source} ({args.iterations} iterations, seed {args.seed})")
    table.add_column("percentile")
    table.add_column("finish (working day)", justify="right")
    if data.calendar is not None:
        table.add_column("date", justify="right")
    for p, v in res.percentiles.items():
        row = [f"P{p}", _fmt(v, 1)]
        if data.calendar is not None:
            row.append(str(data.calendar.finish_date([math.ceil(v)])[0]))
        table.add_row(*row)
    out.print(table)
    out.print(
        f"deterministic finish {res.deterministic_finish:g}; P80 standard error {res.p80_standard_error:.2f} days"
    )
    if target is not None:
        out.print(f"probability of finishing by {args.target}: {res.probability_of(target):.1%}")
    tops = sorted(range(len(res.ids)), key=lambda i: -abs(res.sensitivity[i]))[:10]
    t2 = Table(title="Most influential activities")
    for col in ("id", "criticality", "sensitivity"):
        t2.add_column(col, justify="left" if col == "id" else "right")
    for i in tops:
        t2.add_row(res.ids[i], f"{res.criticality[i]:.0%}", f"{res.sensitivity[i]:+.2f}")
    out.print(t2)
    return EXIT_OK


def _cmd_evm(args: argparse.Namespace, out: Console) -> int:
    res = earned_value(bac=args.bac, pv=args.pv, ev=args.ev, ac=args.ac, etc=args.etc, duration=args.duration)
    values = res.to_dict()
    if args.json:
        out.print_json(json.dumps(_clean(values)))
        return EXIT_OK
    table = Table(title="Earned value")
    table.add_column("indicator")
    table.add_column("value", justify="right")
    for k, v in values.items():
        if v is not None:
            table.add_row(k, _fmt(v, 3))
    out.print(table)
    out.print(f"atterrissage {_fmt(res.atterrissage)}, écart {_fmt(res.ecart)}, RAF {_fmt(res.raf)}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the engine CLI; returns the exit status (0 ok, 2 bad input).

    Examples
    --------
    >>> main(["evm", "--bac", "100", "--pv", "50", "--ev", "40", "--ac", "50", "--json"])  # doctest: +ELLIPSIS
    {
      "bac": 100.0,
    ...
    0
    """
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    try:
        args = build_parser().parse_args(list(argv) if argv is not None else None)
    except _ArgumentError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return EXIT_INPUT
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        if args.command == "evm":
            return _cmd_evm(args, out)
        data = read_project(args.file)
        handler = {"schedule": _cmd_schedule, "level": _cmd_level, "risk": _cmd_risk}[args.command]
        return handler(args, data, out)
    except EngineError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
