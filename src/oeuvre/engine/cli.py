"""Command line for the engine: ``schedule``, ``level``, ``risk`` and ``evm`` (no Django needed).

Run it as ``python -m oeuvre.engine.cli COMMAND ...`` or through ``oeuvre engine COMMAND ...``.
Output is a table by default, JSON with ``--json``. Bad input prints one message naming the
line or field and exits with status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from oeuvre.engine.errors import EngineError, InputError

if TYPE_CHECKING:
    from oeuvre.engine.io import ProjectData

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_INPUT = 2

# Only what every command needs is imported above: the readers, the network and numpy for
# ``schedule``; levelling and Monte Carlo (compiled kernels) and rich (terminal tables) are
# imported by the commands that use them. A fresh ``oeuvre engine schedule`` pays for no more.


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise _ArgumentError(f"{self.prog}: {message}")


def _output_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="print JSON (one document, for scripts)")
    group.add_argument("--csv", action="store_true", help="print CSV rows (for scripts and spreadsheets)")


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
    _output_options(s)

    lv = sub.add_parser(
        "level",
        help="resource levelling: heuristic then CP-SAT; several files are levelled together (shared resources)",
    )
    lv.add_argument("file", nargs="+", help="project files; with several, resources of the same name are shared")
    lv.add_argument(
        "--priority",
        action="append",
        default=[],
        metavar="PROJECT=N",
        help="weight of a project's finish (file name without extension; default 1, higher first)",
    )
    lv.add_argument(
        "--deadlines",
        choices=("hard", "soft"),
        default="hard",
        help="FNLT/MFO/SNLT/MSO dates: met or explained as infeasible (hard), or missed at a cost (soft)",
    )
    lv.add_argument("--penalty", type=int, default=1, metavar="N", help="with soft deadlines: cost of a day late")
    lv.add_argument("--time-limit", type=float, default=10.0, metavar="S", help="seconds in total (default 10)")
    lv.add_argument("--capacity", metavar="RES=N,...", help="capacities, e.g. dev=3,test=2 (override the file)")
    lv.add_argument("--heuristic-only", action="store_true", help="skip CP-SAT")
    lv.add_argument("--seed", type=int, default=0)
    lv.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default: CPU cores)")
    _output_options(lv)

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
    _output_options(r)

    e = sub.add_parser("evm", help="earned value indicators at a status date")
    for name in ("bac", "pv", "ev", "ac"):
        e.add_argument(f"--{name}", type=float, required=True)
    e.add_argument("--etc", type=float, default=None, help="bottom-up estimate to complete (RAF)")
    e.add_argument("--duration", type=float, default=None, metavar="D", help="planned duration, for earned schedule")
    e.add_argument("--json", action="store_true")
    return p


class Output:
    """Where a command writes: machine-readable output goes straight to stdout, tables only on a terminal.

    ``--json`` is written with msgspec in one piece (NaN and infinities become ``null``), ``--csv``
    with the csv module; without them, a terminal gets rich tables and anything else (a pipe, a
    file) gets tab-separated lines, which is what a script reads.
    """

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = bool(isatty()) if callable(isatty) else False

    def json(self, obj: object) -> None:
        self.stream.write(msgspec.json.encode(obj).decode())
        self.stream.write("\n")

    def csv(self, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        import csv

        writer = csv.writer(self.stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)

    def table(
        self, title: str, header: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[bool] = ()
    ) -> None:
        if not self.terminal:
            self.stream.write(f"# {title}\n" + "\t".join(header) + "\n")
            self.stream.write("".join("\t".join(str(c) for c in row) + "\n" for row in rows))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for i, col in enumerate(header):
            table.add_column(col, justify="right" if i < len(right) and right[i] else "left")
        for row in rows:
            table.add_row(*(str(c) for c in row))
        Console(file=self.stream, soft_wrap=True).print(table)

    def line(self, text: str) -> None:
        self.stream.write(text + "\n")


def _fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:,.{digits}f}"


class _ScheduleRow(msgspec.Struct, gc=False):
    """One activity of ``schedule --json`` (a struct encodes several times faster than a dict)."""

    id: str
    es: int
    ef: int
    ls: int
    lf: int
    total_float: int
    free_float: int
    critical: bool


def _cmd_schedule(args: argparse.Namespace, data: ProjectData, out: Output) -> int:
    from oeuvre.engine.network import schedule

    res = schedule(data.compiled())
    d = res.ef - res.es
    columns = (res.es, res.ef, res.ls, res.lf, res.total_float, res.free_float, res.critical)
    if args.json:
        acts = [_ScheduleRow(*row) for row in zip(res.ids, *(c.tolist() for c in columns), strict=True)]
        out.json({"finish": res.finish, "activities": acts, "warnings": [w.message for w in res.warnings]})
        return EXIT_OK
    header = ("id", "name", "dur", "ES", "EF", "LS", "LF", "TF", "FF", "critical")
    rows = zip(res.ids, data.names, d.tolist(), *(c.tolist() for c in columns), strict=True)
    if args.csv:
        out.csv(header, rows)
        return EXIT_OK
    cal = data.calendar
    title = f"Schedule of {data.source} — finish: day {res.finish}" + (
        f" ({cal.finish_date([res.finish])[0]})" if cal is not None else ""
    )
    out.table(
        title,
        header,
        ((*row[:-1], "*" if row[-1] else "") for row in rows),
        right=(False, False, *([True] * 8)),
    )
    out.line("critical path: " + " → ".join(res.critical_path()))
    for w in res.warnings:
        out.line(f"warning: {w.message}")
    return EXIT_OK


def _capacities(args: argparse.Namespace, projects: Sequence[ProjectData]) -> dict[str, int | list[int]]:
    from oeuvre.engine.io import parse_capacities

    caps: dict[str, int | list[int]] = {}
    origin: dict[str, str] = {}
    for data in projects:
        for res, cap in data.capacities.items():
            if res in caps and caps[res] != cap:
                raise InputError(
                    f"{origin[res]} and {data.source} give different capacities for {res!r}; give it once "
                    f"with --capacity {res}=N",
                    field="capacities",
                )
            caps[res] = cap
            origin[res] = data.source
    if args.capacity:
        caps.update(parse_capacities(args.capacity))
    used = sorted({r for data in projects for d in data.demand_rows.values() for r in d})
    missing = [r for r in used if r not in caps]
    if missing:
        raise InputError(f"no capacity for resource {missing[0]!r}; give --capacity {missing[0]}=N", field="--capacity")
    return caps


def _priorities(args: argparse.Namespace, names: Sequence[str]) -> dict[str, int]:
    out = dict.fromkeys(names, 1)
    for item in args.priority:
        name, sep, value = item.partition("=")
        if not sep or name not in out:
            raise InputError(
                f"expected PROJECT=N with PROJECT one of {', '.join(names)}, got {item!r}", field="--priority"
            )
        try:
            out[name] = int(value)
        except ValueError:
            raise InputError(f"{name!r}: not a whole number: {value!r}", field="--priority") from None
    return out


def _cmd_level(args: argparse.Namespace, projects: Sequence[ProjectData], out: Output) -> int:
    from oeuvre.engine.levelling import LevellingProblem, level, level_heuristic

    if args.time_limit <= 0:
        raise InputError("must be positive", field="--time-limit")
    caps = _capacities(args, projects)
    if len(projects) > 1:
        return _level_portfolio(args, projects, caps, out)
    if args.priority:
        raise InputError("priorities need several project files", field="--priority")
    data = projects[0]
    problem = LevellingProblem.build(data.compiled(), data.demands(), caps)
    options = {"seed": args.seed, "deadlines": args.deadlines, "penalty": args.penalty}
    if args.heuristic_only:
        res = level_heuristic(problem, time_limit=min(args.time_limit, 1.0), **options)
    else:
        res = level(problem, time_limit=args.time_limit, workers=args.workers, **options)
    if args.json:
        out.json(res.to_dict())
        return EXIT_OK
    d = problem.network.durations
    rows = zip(res.ids, res.start.tolist(), (res.start + d).tolist(), strict=True)
    if args.csv:
        out.csv(("id", "start", "finish"), rows)
        return EXIT_OK
    out.table(f"Levelled schedule of {data.source}", ("id", "start", "finish"), rows, right=(False, True, True))
    out.line(
        f"makespan {res.makespan} (lower bound {res.lower_bound}, "
        f"{'proven optimal' if res.optimal else 'not proven optimal'}; by {res.method}; "
        f"heuristic {res.heuristic_makespan}; {res.elapsed:.2f} s); validator: "
        + ("ok" if res.validation.ok else "; ".join(res.validation.violations))
    )
    for w in res.validation.warnings:
        out.line(f"warning: {w}")
    return EXIT_OK


def _level_portfolio(
    args: argparse.Namespace, projects: Sequence[ProjectData], caps: dict[str, int | list[int]], out: Output
) -> int:
    from pathlib import Path

    from oeuvre.engine.portfolio import PortfolioProject, level_portfolio

    names = [Path(data.source).stem for data in projects]
    if len(set(names)) != len(names):
        raise InputError("two project files have the same name; rename one", field="file")
    prio = _priorities(args, names)
    res = level_portfolio(
        [
            PortfolioProject(name, data.compiled(), data.demands(), prio[name])
            for name, data in zip(names, projects, strict=True)
        ],
        caps,
        time_limit=args.time_limit,
        seed=args.seed,
        workers=args.workers,
        deadlines=args.deadlines,
        penalty=args.penalty,
    )
    if args.json:
        out.json(res.to_dict())
        return EXIT_OK
    rows = [(name, aid, s) for name, starts in res.starts.items() for aid, s in starts.items()]
    if args.csv:
        out.csv(("project", "id", "start"), rows)
        return EXIT_OK
    out.table("Levelled portfolio", ("project", "id", "start"), rows, right=(False, False, True))
    for name, finish in res.finishes.items():
        out.line(f"{name}: finish {finish} (priority {prio[name]})")
    out.line(
        f"objective {res.objective} (lower bound {res.lower_bound}, "
        f"{'proven optimal' if res.optimal else 'not proven optimal'}; by {res.method}; {res.elapsed:.2f} s); "
        "validator: " + ("ok" if res.validation.ok else "; ".join(res.validation.violations))
    )
    for w in res.validation.warnings:
        out.line(f"warning: {w}")
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


def _cmd_risk(args: argparse.Namespace, data: ProjectData, out: Output) -> int:
    from oeuvre.engine.risk import monte_carlo

    if args.iterations < 1:
        raise InputError("must be at least 1", field="--iterations")
    target = _target(args.target, data)
    lo, ml, hi = data.three_point()
    res = monte_carlo(
        data.compiled(),
        lo,
        ml,
        hi,
        iterations=args.iterations,
        seed=args.seed,
        distribution=args.distribution,
        risks=data.risks,
    )
    if args.json:
        out.json(res.to_dict(target))
        return EXIT_OK
    if args.csv:
        out.csv(
            ("id", "criticality", "sensitivity"),
            zip(res.ids, res.criticality.tolist(), res.sensitivity.tolist(), strict=True),
        )
        return EXIT_OK
    rows = []
    for p, v in res.percentiles.items():
        row = [f"P{p}", _fmt(v, 1)]
        if data.calendar is not None:
            row.append(str(data.calendar.finish_date([math.ceil(v)])[0]))
        rows.append(row)
    header = ["percentile", "finish (working day)"] + (["date"] if data.calendar is not None else [])
    out.table(
        f"Finish distribution of {data.source} ({args.iterations} iterations, seed {args.seed})",
        header,
        rows,
        right=(False, True, True),
    )
    out.line(f"deterministic finish {res.deterministic_finish:g}; P80 standard error {res.p80_standard_error:.2f} days")
    if target is not None:
        out.line(f"probability of finishing by {args.target}: {res.probability_of(target):.1%}")
    tops = sorted(range(len(res.ids)), key=lambda i: -abs(res.sensitivity[i]))[:10]
    out.table(
        "Most influential activities",
        ("id", "criticality", "sensitivity"),
        ((res.ids[i], f"{res.criticality[i]:.0%}", f"{res.sensitivity[i]:+.2f}") for i in tops),
        right=(False, True, True),
    )
    return EXIT_OK


def _cmd_evm(args: argparse.Namespace, out: Output) -> int:
    from oeuvre.engine.evm import earned_value

    res = earned_value(bac=args.bac, pv=args.pv, ev=args.ev, ac=args.ac, etc=args.etc, duration=args.duration)
    values = res.to_dict()
    if args.json:
        out.json(values)
        return EXIT_OK
    out.table(
        "Earned value",
        ("indicator", "value"),
        ((k, _fmt(v, 3)) for k, v in values.items() if v is not None),
        right=(False, True),
    )
    out.line(f"atterrissage {_fmt(res.atterrissage)}, écart {_fmt(res.ecart)}, RAF {_fmt(res.raf)}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the engine CLI; returns the exit status (0 ok, 2 bad input).

    Examples
    --------
    >>> main(["evm", "--bac", "100", "--pv", "50", "--ev", "40", "--ac", "50", "--json"])  # doctest: +ELLIPSIS
    {"bac":100.0,...}
    0
    """
    # A command is a short-lived process that allocates a few objects per activity and frees
    # them all at exit: the cyclic garbage collector would only rescan them, again and again.
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    out = Output()
    try:
        args = build_parser().parse_args(list(argv) if argv is not None else None)
    except _ArgumentError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_INPUT
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        if args.command == "evm":
            return _cmd_evm(args, out)
        from oeuvre.engine.io import read_project

        if args.command == "level":
            return _cmd_level(args, [read_project(f) for f in args.file], out)
        handler: Callable[[argparse.Namespace, ProjectData, Output], int] = {
            "schedule": _cmd_schedule,
            "risk": _cmd_risk,
        }[args.command]
        return handler(args, read_project(args.file), out)
    except EngineError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_INPUT
    except BrokenPipeError:  # `oeuvre engine schedule big.json --json | head`
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
