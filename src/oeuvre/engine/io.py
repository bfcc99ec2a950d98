"""Readers for project files: CSV, JSON and PSPLIB ``.sm``; plus the UGent best-known-bounds tables.

Every reader returns a :class:`ProjectData` and raises :class:`~oeuvre.engine.errors.InputError`
naming the line (CSV, ``.sm``, JSON syntax) or the field path (JSON content) of the first problem.

CSV columns: ``id,name,duration,predecessors,optimistic,most_likely,pessimistic,resources``.
Only ``id`` and ``duration`` (or ``most_likely``) are required. ``predecessors`` is a ``;``-separated
list such as ``A; B:SS+2; C:FF-1; D:FS+3cd`` (type FS by default, lag in working days, ``cd`` for
calendar days); ``resources`` is like ``dev=2; test=1``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import numpy as np
import numpy.typing as npt

from oeuvre.engine.calendar import WorkCalendar
from oeuvre.engine.errors import InputError
from oeuvre.engine.network import (
    Activity,
    CompiledNetwork,
    Constraint,
    ConstraintType,
    Link,
    LinkType,
    Network,
    constraint_bounds,
)
from oeuvre.engine.risk import RiskEvent

__all__ = [
    "ActivityRecord",
    "Bounds",
    "ProjectData",
    "parse_capacities",
    "parse_predecessors",
    "parse_resources",
    "read_csv",
    "read_json",
    "read_project",
    "read_psplib",
    "read_ugent_bounds",
]

CSV_COLUMNS = (
    "id",
    "name",
    "duration",
    "predecessors",
    "optimistic",
    "most_likely",
    "pessimistic",
    "resources",
)

_PRED_RE = re.compile(
    r"^(?P<id>[^:]+?)\s*(?::\s*(?P<type>FS|SS|FF|SF)?\s*(?P<lag>[+-]\s*\d+)?\s*(?P<unit>cd|wd)?)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ActivityRecord:
    """One activity as read from a file.

    Attributes
    ----------
    id, name : str
    duration : int
        Working days.
    optimistic, most_likely, pessimistic : float or None
        Three-point estimate for Monte Carlo.
    demands : dict of str to int
        Units of each resource.
    line : int or None
        Source line, for messages.
    """

    id: str
    name: str
    duration: int
    optimistic: float | None = None
    most_likely: float | None = None
    pessimistic: float | None = None
    demands: dict[str, int] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True, eq=False)
class ProjectData:
    """Everything a project file holds: activities and links as columns (arrays), the rest as objects.

    Columns keep a 100,000-activity file cheap to read and to schedule (:meth:`compiled` goes
    straight to the arrays); :attr:`activities` and :attr:`links` give the same data as records.

    Examples
    --------
    >>> data = read_csv("id,duration,predecessors\\nA,3,\\nB,2,A\\n")
    >>> from oeuvre.engine.network import schedule
    >>> schedule(data.network()).finish, schedule(data.compiled()).finish
    (5, 5)
    """

    ids: list[str]
    names: list[str]
    durations: npt.NDArray[np.int64]
    # three-point estimates, NaN where the file gives none
    optimistic: npt.NDArray[np.float64]
    most_likely: npt.NDArray[np.float64]
    pessimistic: npt.NDArray[np.float64]
    # activity number -> {resource: units}, only for activities that use resources
    demand_rows: dict[int, dict[str, int]]
    # links as parallel arrays of activity numbers, kind codes (0 FS, 1 SS, 2 FF, 3 SF), lags
    pred: npt.NDArray[np.int64]
    succ: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int8]
    lag: npt.NDArray[np.int64]
    calendar_lag: npt.NDArray[np.bool_]
    constraints: list[Constraint] = field(default_factory=list)
    capacities: dict[str, int | list[int]] = field(default_factory=dict)
    risks: list[RiskEvent] = field(default_factory=list)
    calendar: WorkCalendar | None = None
    source: str = "<input>"
    lines: list[int | None] | None = None

    @classmethod
    def from_records(
        cls,
        records: list[ActivityRecord],
        links: list[Link],
        constraints: list[Constraint] | None = None,
        capacities: dict[str, int | list[int]] | None = None,
        risks: list[RiskEvent] | None = None,
        calendar: WorkCalendar | None = None,
        source: str = "<input>",
    ) -> ProjectData:
        """Build from activity records and links (links must name known activities).

        Examples
        --------
        >>> d = ProjectData.from_records([ActivityRecord("A", "", 2), ActivityRecord("B", "", 1)], [Link("A", "B")])
        >>> d.pred.tolist(), d.succ.tolist(), [a.id for a in d.activities]
        ([0], [1], ['A', 'B'])
        """
        index = {r.id: i for i, r in enumerate(records)}

        def col(values: list[float | None]) -> npt.NDArray[np.float64]:
            return np.array([np.nan if v is None else v for v in values], np.float64)

        return cls(
            ids=[r.id for r in records],
            names=[r.name for r in records],
            durations=np.array([r.duration for r in records], np.int64),
            optimistic=col([r.optimistic for r in records]),
            most_likely=col([r.most_likely for r in records]),
            pessimistic=col([r.pessimistic for r in records]),
            demand_rows={i: dict(r.demands) for i, r in enumerate(records) if r.demands},
            pred=np.array([index[x.pred] for x in links], np.int64),
            succ=np.array([index[x.succ] for x in links], np.int64),
            kind=np.array([_KIND[LinkType(x.type)] for x in links], np.int8),
            lag=np.array([x.lag for x in links], np.int64),
            calendar_lag=np.array([x.calendar_days for x in links], bool),
            constraints=list(constraints or []),
            capacities=dict(capacities or {}),
            risks=list(risks or []),
            calendar=calendar,
            source=source,
            lines=[r.line for r in records] if any(r.line is not None for r in records) else None,
        )

    @property
    def activities(self) -> list[ActivityRecord]:
        """The activities as records (built on first use)."""
        cached: list[ActivityRecord] | None = self.__dict__.get("_records")
        if cached is None:

            def num(a: npt.NDArray[np.float64], i: int) -> float | None:
                v = float(a[i])
                return None if np.isnan(v) else v

            cached = [
                ActivityRecord(
                    aid,
                    self.names[i],
                    int(self.durations[i]),
                    num(self.optimistic, i),
                    num(self.most_likely, i),
                    num(self.pessimistic, i),
                    dict(self.demand_rows.get(i, {})),
                    self.lines[i] if self.lines is not None else None,
                )
                for i, aid in enumerate(self.ids)
            ]
            object.__setattr__(self, "_records", cached)
        return cached

    @property
    def links(self) -> list[Link]:
        """The links as :class:`~oeuvre.engine.network.Link` records."""
        types = list(LinkType)
        return [
            Link(self.ids[p], self.ids[s], types[k], lg, cal)
            for p, s, k, lg, cal in zip(
                self.pred.tolist(),
                self.succ.tolist(),
                self.kind.tolist(),
                self.lag.tolist(),
                self.calendar_lag.tolist(),
                strict=True,
            )
        ]

    def network(self) -> Network:
        """The activity network as plain objects (durations, links, constraints, calendar)."""
        return Network(
            [
                Activity(aid, int(d), name)
                for aid, d, name in zip(self.ids, self.durations.tolist(), self.names, strict=True)
            ],
            self.links,
            self.constraints,
            self.calendar,
        )

    def compiled(self) -> CompiledNetwork:
        """The compiled network, straight from the columns (the fast path for large files)."""
        index = {aid: i for i, aid in enumerate(self.ids)} if self.constraints else {}
        release, latest_finish, cons = constraint_bounds(self.durations, self.constraints, index)
        net = CompiledNetwork.from_arrays(
            self.durations,
            self.pred,
            self.succ,
            self.kind,
            self.lag,
            ids=self.ids,
            calendar_lag=self.calendar_lag,
            release=release,
            latest_finish=latest_finish,
            calendar=self.calendar,
        )
        object.__setattr__(net, "_constraints", cons)
        return net

    def demands(self) -> dict[str, dict[str, int]]:
        """Resource demands by activity id."""
        return {self.ids[i]: dict(d) for i, d in self.demand_rows.items()}

    def three_point(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Optimistic, most likely and pessimistic durations; missing values fall back to ``duration``.

        Examples
        --------
        >>> read_csv("id,duration,optimistic,pessimistic\\nA,3,2,6\\n").three_point()
        (array([2.]), array([3.]), array([6.]))
        """
        m = np.where(np.isnan(self.most_likely), self.durations.astype(np.float64), self.most_likely)
        lo = np.where(np.isnan(self.optimistic), m, self.optimistic)
        hi = np.where(np.isnan(self.pessimistic), m, self.pessimistic)
        return lo, m, hi


_KIND = {LinkType.FS: 0, LinkType.SS: 1, LinkType.FF: 2, LinkType.SF: 3}


def parse_predecessors(
    text: str, *, line: int | None = None, source: str | None = None
) -> list[tuple[str, LinkType, int, bool]]:
    """Parse ``A; B:SS+2; C:FF-1; D:+3cd`` into (id, type, lag, calendar_days) tuples.

    Examples
    --------
    >>> for link in parse_predecessors("A; B:SS+2; C:FF-1; D:+3cd"):
    ...     print(link[0], link[1].value, link[2], link[3])
    A FS 0 False
    B SS 2 False
    C FF -1 False
    D FS 3 True
    """
    out: list[tuple[str, LinkType, int, bool]] = []
    for raw in text.replace(",", ";").split(";"):
        item = raw.strip()
        if not item:
            continue
        m = _PRED_RE.match(item)
        if m is None:
            raise InputError(
                f"cannot read predecessor {item!r}; write e.g. A or B:SS+2",
                line=line,
                field="predecessors",
                source=source,
            )
        ltype = LinkType((m.group("type") or "FS").upper())
        lag = int(m.group("lag").replace(" ", "")) if m.group("lag") else 0
        out.append((m.group("id").strip(), ltype, lag, (m.group("unit") or "").lower() == "cd"))
    return out


def parse_resources(
    text: str, *, line: int | None = None, source: str | None = None, field_name: str = "resources"
) -> dict[str, int]:
    """Parse ``dev=2; test=1`` (also ``,``-separated) into a dict.

    Examples
    --------
    >>> parse_resources("dev=2; test=1")
    {'dev': 2, 'test': 1}
    """
    out: dict[str, int] = {}
    for raw in re.split(r"[;,]", text):
        item = raw.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"cannot read {item!r}; write e.g. dev=2", line=line, field=field_name, source=source)
        try:
            units = int(value.strip())
        except ValueError:
            raise InputError(
                f"{name.strip()!r} must be a whole number, got {value.strip()!r}",
                line=line,
                field=field_name,
                source=source,
            ) from None
        if units < 0:
            raise InputError(f"{name.strip()!r} must not be negative", line=line, field=field_name, source=source)
        out[name.strip()] = units
    return out


def parse_capacities(text: str) -> dict[str, int]:
    """Parse the CLI's ``--capacity dev=3,test=2``.

    Examples
    --------
    >>> parse_capacities("dev=3,test=2")
    {'dev': 3, 'test': 2}
    """
    return parse_resources(text, field_name="--capacity")


def _number(value: str, *, line: int, field_name: str, source: str, integer: bool = False) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        num = float(value.replace(",", "."))
    except ValueError:
        raise InputError(f"not a number: {value!r}", line=line, field=field_name, source=source) from None
    if not np.isfinite(num):
        raise InputError(f"not a finite number: {value!r}", line=line, field=field_name, source=source)
    if num < 0:
        raise InputError(f"must not be negative, got {value}", line=line, field=field_name, source=source)
    if integer and num != int(num):
        raise InputError(
            f"must be a whole number of working days, got {value}", line=line, field=field_name, source=source
        )
    return num


def read_csv(text_or_path: str | Path, *, source: str | None = None) -> ProjectData:
    """Read the CSV format (see the module docstring). Accepts a path or the CSV text itself.

    Raises
    ------
    InputError
        With the line number and column: missing column, bad number, negative duration,
        unknown or duplicate activity, malformed predecessor.

    Examples
    --------
    >>> data = read_csv("id,name,duration,predecessors,resources\\nA,Spec,3,,dev=1\\nB,Build,5,A:SS+1,dev=2\\n")
    >>> [(l.pred, l.succ, l.type.value, l.lag) for l in data.links]
    [('A', 'B', 'SS', 1)]
    >>> read_csv("id,duration,predecessors\\nA,3,\\nB,2,Z\\n")
    Traceback (most recent call last):
    ...
    oeuvre.engine.errors.InputError: <csv>, line 3, field 'predecessors': unknown predecessor 'Z' of 'B'
    """
    if isinstance(text_or_path, Path):
        src = source or text_or_path.name
        try:
            text = text_or_path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", source=src) from None
    else:
        src = source or "<csv>"
        text = text_or_path
    reader = csv.reader(_io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file; expected a header line", line=1, source=src) from None
    cols = [h.strip().lower() for h in header]
    for required in ("id",):
        if required not in cols:
            raise InputError(f"missing column {required!r}; columns are {', '.join(CSV_COLUMNS)}", line=1, source=src)
    if "duration" not in cols and "most_likely" not in cols:
        raise InputError("missing column 'duration'", line=1, source=src)
    unknown = [c for c in cols if c not in CSV_COLUMNS]
    if unknown:
        raise InputError(f"unknown column {unknown[0]!r}; columns are {', '.join(CSV_COLUMNS)}", line=1, source=src)
    records: list[ActivityRecord] = []
    raw_preds: list[tuple[str, str, int]] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(cols):
            raise InputError(f"{len(row)} values for {len(cols)} columns", line=line, source=src)
        rec = dict(zip(cols, [*row, *[""] * (len(cols) - len(row))], strict=True))
        aid = rec["id"].strip()
        if not aid:
            raise InputError("empty id", line=line, field="id", source=src)
        if aid in seen:
            raise InputError(f"duplicate id {aid!r} (first on line {seen[aid]})", line=line, field="id", source=src)
        seen[aid] = line
        if rec.get("duration", "").strip().startswith("-"):
            raise InputError(
                f"negative duration {rec['duration'].strip()} for {aid!r}",
                line=line,
                field="duration",
                source=src,
            )
        dur = _number(rec.get("duration", ""), line=line, field_name="duration", source=src, integer=True)
        lo = _number(rec.get("optimistic", ""), line=line, field_name="optimistic", source=src)
        ml = _number(rec.get("most_likely", ""), line=line, field_name="most_likely", source=src)
        hi = _number(rec.get("pessimistic", ""), line=line, field_name="pessimistic", source=src)
        if dur is None:
            if ml is None:
                raise InputError(f"no duration for {aid!r}", line=line, field="duration", source=src)
            dur = float(round(ml))
        _check_three_point(aid, lo, ml if ml is not None else dur, hi, line=line, source=src)
        records.append(
            ActivityRecord(
                aid,
                rec.get("name", "").strip(),
                int(dur),
                lo,
                ml,
                hi,
                parse_resources(rec.get("resources", ""), line=line, source=src),
                line,
            )
        )
        raw_preds.append((aid, rec.get("predecessors", ""), line))
    links = _links(raw_preds, seen, src)
    return ProjectData.from_records(records, links, source=src)


def _check_three_point(
    aid: str,
    lo: float | None,
    ml: float,
    hi: float | None,
    *,
    line: int | None,
    source: str,
    field_prefix: str = "",
) -> None:
    if lo is not None and lo > ml:
        raise InputError(
            f"optimistic {lo:g} is above most likely {ml:g} for {aid!r}",
            line=line,
            field=f"{field_prefix}optimistic",
            source=source,
        )
    if hi is not None and hi < ml:
        raise InputError(
            f"pessimistic {hi:g} is below most likely {ml:g} for {aid!r}",
            line=line,
            field=f"{field_prefix}pessimistic",
            source=source,
        )


def _links(raw: list[tuple[str, str, int]], known: Mapping[str, int], src: str) -> list[Link]:
    links: list[Link] = []
    for aid, text, line in raw:
        for pid, ltype, lag, cal in parse_predecessors(text, line=line, source=src):
            if pid not in known:
                raise InputError(f"unknown predecessor {pid!r} of {aid!r}", line=line, field="predecessors", source=src)
            links.append(Link(pid, aid, ltype, lag, cal))
    return links


def _date(value: Any, path: str, src: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"not an ISO date (YYYY-MM-DD): {value!r}", field=path, source=src) from None


def read_json(text_or_path: str | Path, *, source: str | None = None) -> ProjectData:
    """Read the JSON format. Accepts a path or the JSON text itself.

    The document is an object with ``activities`` (list of objects with ``id``, ``name``,
    ``duration``, ``optimistic``, ``most_likely``, ``pessimistic``, ``resources`` as a mapping,
    ``predecessors`` as a string like the CSV column or a list of ``{"id", "type", "lag",
    "calendar_days"}``, ``constraints`` as a list of ``{"type", "date"|"index"}``), and optionally
    ``capacities`` (resource -> int or list of int per period), ``risks`` (list of
    ``{"name", "probability", "delay", "activities"}``), ``start`` (ISO date) and ``calendar``
    (``{"department", "closures", "workdays"}``).

    Examples
    --------
    >>> doc = '{"capacities": {"dev": 1}, "activities": [{"id": "A", "duration": 2, "resources": {"dev": 1}},'
    >>> doc += ' {"id": "B", "duration": 1, "predecessors": [{"id": "A", "type": "FF", "lag": 1}]}]}'
    >>> data = read_json(doc)
    >>> data.capacities, data.links[0].type.value
    ({'dev': 1}, 'FF')
    """
    raw: str | bytes
    if isinstance(text_or_path, Path):
        src = source or text_or_path.name
        raw = text_or_path.read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
    else:
        src = source or "<json>"
        raw = text_or_path
    typed: _Document | None = None
    try:
        typed = _DECODER.decode(raw)
    except msgspec.ValidationError:
        pass  # well-formed JSON that the fast path does not take: the record reader names the field
    except msgspec.DecodeError:
        try:  # the standard library tells the line and column of a syntax error
            json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno, source=src) from None
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", source=src) from None
        raise InputError("invalid JSON", source=src) from None
    doc: Any
    if typed is not None:
        doc = {k: v for k, v in msgspec.structs.asdict(typed).items() if v is not None and k != "activities"}
        doc["activities"] = typed.activities
    else:
        doc = msgspec.json.decode(raw)
    if not isinstance(doc, dict) or not isinstance(doc.get("activities"), list):
        raise InputError("expected an object with an 'activities' list", field="activities", source=src)
    calendar = None
    if "start" in doc:
        cal = doc.get("calendar") or {}
        if not isinstance(cal, dict):
            raise InputError("expected an object", field="calendar", source=src)
        closures = [
            (_date(c[0], f"calendar.closures[{i}]", src), _date(c[1], f"calendar.closures[{i}]", src))
            for i, c in enumerate(cal.get("closures", []))
        ]
        dept = cal.get("department")
        calendar = WorkCalendar.france(
            _date(doc["start"], "start", src),
            department=str(dept) if dept is not None else None,
            closures=closures,
            workdays=tuple(cal.get("workdays", (0, 1, 2, 3, 4))),
        )
    fast = _activity_columns(doc["activities"]) if typed is not None else None
    if fast is not None:
        known = fast.index
        constraints = _json_constraints(doc["activities"], fast.ids, calendar, src)
    else:
        if typed is not None:  # the fast path declined: read the plain document record by record
            doc = msgspec.json.decode(raw)
        records, links, constraints, known = _json_records(doc, calendar, src)
    capacities, risks = _json_capacities_and_risks(doc, known, src)
    if doc.get("resources"):
        durations = fast.durations if fast is not None else np.array([r.duration for r in records], np.int64)
        capacities.update(_resource_calendars(doc["resources"], calendar, durations, src))
    if fast is not None:
        return _columns_project(fast, constraints, capacities, risks, calendar, src)
    return ProjectData.from_records(records, links, constraints, capacities, risks, calendar, src)


_KIND_OF_TEXT = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}


@dataclass(frozen=True)
class _Columns:
    index: dict[str, int]
    ids: list[str]
    names: list[str]
    durations: npt.NDArray[np.int64]
    three: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]
    demand_rows: dict[int, dict[str, int]]
    pred: npt.NDArray[np.int64]
    succ: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int8]
    lag: npt.NDArray[np.int64]
    calendar_lag: npt.NDArray[np.bool_]


class _Pred(msgspec.Struct, gc=False):
    id: str
    type: Literal["FS", "SS", "FF", "SF"] = "FS"
    lag: int = 0
    calendar_days: bool = False


_NonNegative = Annotated[float, msgspec.Meta(ge=0)]


class _Act(msgspec.Struct, gc=False):
    id: str
    duration: Annotated[int, msgspec.Meta(ge=0)]
    name: str = ""
    predecessors: list[_Pred] = []
    resources: dict[str, Annotated[int, msgspec.Meta(ge=0)]] = {}
    optimistic: _NonNegative | None = None
    most_likely: _NonNegative | None = None
    pessimistic: _NonNegative | None = None
    constraints: list[Any] = []


class _Document(msgspec.Struct):
    activities: list[_Act]
    start: Any = None
    calendar: Any = None
    capacities: Any = None
    risks: Any = None
    resources: Any = None


_DECODER = msgspec.json.Decoder(_Document)


def _activity_columns(acts: list[_Act]) -> _Columns | None:
    """Read the activities of a well-formed file straight into columns, or ``None``.

    The fast path for large files: msgspec decodes the document into typed records (in C), and
    comprehensions turn them into arrays, with no per-link object of ours. Anything it does not
    take (a string of predecessors, a decimal duration, an unknown predecessor, a duplicate id...)
    returns ``None``, and the record-by-record reader, which names the field of the first
    problem, reads the file instead.
    """
    # map/attrgetter loops run in C; np.fromiter builds the arrays without intermediate lists
    ids = list(map(attrgetter("id"), acts))
    index = {aid: i for i, aid in enumerate(ids)}
    # unique, not empty, no surrounding spaces (a pattern in the decoder costs 0.07 s per 100k ids)
    if len(index) != len(ids) or "" in index or list(map(str.strip, ids)) != ids:
        return None
    n = len(ids)
    durations = np.fromiter(map(attrgetter("duration"), acts), np.int64, count=n)
    three = []
    for key in ("optimistic", "most_likely", "pessimistic"):
        values = list(map(attrgetter(key), acts))
        if values.count(None) < n:
            three.append(np.array([np.nan if v is None else v for v in values], np.float64))
        else:
            three.append(np.full(n, np.nan))
    lo, ml, hi = three
    m = np.where(np.isnan(ml), durations, ml)
    if (~np.isnan(lo) & (lo > m)).any() or (~np.isnan(hi) & (hi < m)).any():
        return None
    demand_rows = {i: dict(a.resources) for i, a in enumerate(acts) if a.resources}
    preds = list(map(attrgetter("predecessors"), acts))
    counts = np.fromiter(map(len, preds), np.int64, count=n)
    flat = list(chain.from_iterable(preds))
    links = len(flat)
    try:
        pred = np.fromiter(map(index.__getitem__, map(attrgetter("id"), flat)), np.int64, count=links)
    except KeyError:
        return None
    kind = np.fromiter(map(_KIND_OF_TEXT.__getitem__, map(attrgetter("type"), flat)), np.int8, count=links)
    lag = np.fromiter(map(attrgetter("lag"), flat), np.int64, count=links)
    calendar_lag = np.fromiter(map(attrgetter("calendar_days"), flat), bool, count=links)
    succ = np.repeat(np.arange(n, dtype=np.int64), counts)
    names = list(map(attrgetter("name"), acts))
    return _Columns(index, ids, names, durations, (lo, ml, hi), demand_rows, pred, succ, kind, lag, calendar_lag)


def _columns_project(
    cols: _Columns,
    constraints: list[Constraint],
    capacities: dict[str, int | list[int]],
    risks: list[RiskEvent],
    calendar: WorkCalendar | None,
    src: str,
) -> ProjectData:
    lo, ml, hi = cols.three
    return ProjectData(
        ids=cols.ids,
        names=cols.names,
        durations=cols.durations,
        optimistic=lo,
        most_likely=ml,
        pessimistic=hi,
        demand_rows=cols.demand_rows,
        pred=cols.pred,
        succ=cols.succ,
        kind=cols.kind,
        lag=cols.lag,
        calendar_lag=cols.calendar_lag,
        constraints=constraints,
        capacities=capacities,
        risks=risks,
        calendar=calendar,
        source=src,
    )


def _json_constraints(acts: list[_Act], ids: list[str], calendar: WorkCalendar | None, src: str) -> list[Constraint]:
    constraints: list[Constraint] = []
    for i in [i for i, a in enumerate(acts) if a.constraints]:
        for c_i, c in enumerate(acts[i].constraints):
            constraints.append(_json_constraint(c, ids[i], f"activities[{i}].constraints[{c_i}]", calendar, src))
    return constraints


def _json_constraint(c: Any, aid: str, cpath: str, calendar: WorkCalendar | None, src: str) -> Constraint:
    if not isinstance(c, dict):
        raise InputError("expected an object", field=cpath, source=src)
    try:
        ctype = ConstraintType(str(c.get("type", "")).upper())
    except ValueError:
        raise InputError("type must be SNET, SNLT, FNET, FNLT, MSO or MFO", field=f"{cpath}.type", source=src) from None
    if "index" in c:
        if type(c["index"]) is not int:
            raise InputError("must be a whole number", field=f"{cpath}.index", source=src)
        return Constraint(aid, ctype, c["index"])
    if "date" in c:
        if calendar is None:
            raise InputError("a constraint date needs a project 'start' date", field=f"{cpath}.date", source=src)
        return Constraint.on_date(aid, ctype, _date(c["date"], f"{cpath}.date", src), calendar)
    raise InputError("give 'index' or 'date'", field=cpath, source=src)


def _json_records(
    doc: dict[str, Any], calendar: WorkCalendar | None, src: str
) -> tuple[list[ActivityRecord], list[Link], list[Constraint], dict[str, int]]:
    """The record-by-record reader: slower, and names the field of the first problem."""
    records: list[ActivityRecord] = []
    known: dict[str, int] = {}
    pred_specs: list[tuple[str, Any, str]] = []
    constraints: list[Constraint] = []
    for i, act in enumerate(doc["activities"]):
        path = f"activities[{i}]"
        if not isinstance(act, dict):
            raise InputError("expected an object", field=path, source=src)
        aid = str(act.get("id", "")).strip()
        if not aid:
            raise InputError("missing id", field=f"{path}.id", source=src)
        if aid in known:
            raise InputError(f"duplicate id {aid!r}", field=f"{path}.id", source=src)
        known[aid] = i
        nums: dict[str, float | None] = {}
        for key in ("duration", "optimistic", "most_likely", "pessimistic"):
            v = act.get(key)
            if v is None:
                nums[key] = None
                continue
            if not isinstance(v, int | float) or isinstance(v, bool) or v < 0 or not np.isfinite(v):
                raise InputError(f"must be a non-negative number, got {v!r}", field=f"{path}.{key}", source=src)
            nums[key] = float(v)
        dur = nums["duration"]
        if dur is None:
            if nums["most_likely"] is None:
                raise InputError(f"no duration for {aid!r}", field=f"{path}.duration", source=src)
            dur = float(round(nums["most_likely"]))
        if dur != int(dur):
            raise InputError("must be a whole number of working days", field=f"{path}.duration", source=src)
        ml = nums["most_likely"] if nums["most_likely"] is not None else dur
        _check_three_point(
            aid, nums["optimistic"], ml, nums["pessimistic"], line=None, source=src, field_prefix=f"{path}."
        )
        res = act.get("resources") or {}
        if isinstance(res, str):
            demands = parse_resources(res, field_name=f"{path}.resources", source=src)
        elif isinstance(res, dict) and all(isinstance(v, int) and v >= 0 for v in res.values()):
            demands = {str(k2): int(v) for k2, v in res.items()}
        else:
            raise InputError(
                "expected {resource: units} with whole non-negative units",
                field=f"{path}.resources",
                source=src,
            )
        records.append(
            ActivityRecord(
                aid,
                str(act.get("name", "")),
                int(dur),
                nums["optimistic"],
                nums["most_likely"],
                nums["pessimistic"],
                demands,
            )
        )
        pred_specs.append((aid, act.get("predecessors", []), path))
        for c_i, c in enumerate(act.get("constraints") or ()):
            constraints.append(_json_constraint(c, aid, f"{path}.constraints[{c_i}]", calendar, src))
    links: list[Link] = []
    for aid, spec, path in pred_specs:
        items: list[tuple[str, LinkType, int, bool]]
        if isinstance(spec, str):
            items = parse_predecessors(spec, source=src)
        elif isinstance(spec, list):
            items = []
            for j, p in enumerate(spec):
                if isinstance(p, str):
                    items.extend(parse_predecessors(p, source=src))
                elif isinstance(p, dict) and "id" in p:
                    try:
                        ltype = LinkType(str(p.get("type", "FS")).upper())
                    except ValueError:
                        raise InputError(
                            "type must be FS, SS, FF or SF",
                            field=f"{path}.predecessors[{j}].type",
                            source=src,
                        ) from None
                    items.append((str(p["id"]), ltype, int(p.get("lag", 0)), bool(p.get("calendar_days", False))))
                else:
                    raise InputError("expected an id or {id, type, lag}", field=f"{path}.predecessors[{j}]", source=src)
        else:
            raise InputError("expected a string or a list", field=f"{path}.predecessors", source=src)
        for pid, ltype, lag, cal in items:
            if pid not in known:
                raise InputError(f"unknown predecessor {pid!r} of {aid!r}", field=f"{path}.predecessors", source=src)
            links.append(Link(pid, aid, ltype, lag, cal))
    return records, links, constraints, known


def _resource_calendars(
    spec: Any, calendar: WorkCalendar | None, durations: npt.NDArray[np.int64], src: str
) -> dict[str, int | list[int]]:
    """``resources``: per resource a calendar of its own, turned into a capacity per working day.

    ``{"alice": {"units": 1, "workdays": [0, 1, 2, 3], "holidays": ["2026-05-15"],
    "absences": [["2026-01-12", "2026-01-16"], ["2026-02-02", "2026-02-02", 1]]}}``. The profile
    covers twice the sum of the durations plus two years of working days (the weekly pattern
    then holds); it needs the project's ``start``.
    """
    from oeuvre.engine.timemodel import ResourceCalendar, TimeModel

    if not isinstance(spec, dict):
        raise InputError("expected an object of resource calendars", field="resources", source=src)
    if calendar is None:
        raise InputError("resource calendars need the project's 'start' date", field="resources", source=src)
    horizon = 2 * int(durations.sum()) + 2 * 261
    time_model = TimeModel(calendar)
    out: dict[str, int | list[int]] = {}
    for name, rc in spec.items():
        path = f"resources.{name}"
        if not isinstance(rc, dict):
            raise InputError("expected an object", field=path, source=src)
        try:
            absences = tuple(
                (
                    _date(a[0], f"{path}.absences[{i}]", src),
                    _date(a[1] if len(a) > 1 else a[0], f"{path}.absences[{i}]", src),
                    int(a[2]) if len(a) > 2 else int(rc.get("units", 1)),
                )
                for i, a in enumerate(rc.get("absences", []))
            )
            cal = ResourceCalendar(
                units=int(rc.get("units", 1)),
                workdays=tuple(int(d) for d in rc.get("workdays", (0, 1, 2, 3, 4))),
                off_half_days=tuple((int(a), int(b)) for a, b in rc.get("off_half_days", [])),
                holidays=tuple(_date(d, f"{path}.holidays", src) for d in rc.get("holidays", [])),
                absences=absences,
            )
        except InputError as exc:
            if exc.source:
                raise
            raise InputError(exc.message, field=f"{path}.{exc.field}", source=src) from None
        except (TypeError, ValueError, IndexError) as exc:
            raise InputError(f"bad resource calendar ({exc})", field=path, source=src) from None
        out[str(name)] = [int(x) for x in cal.capacity(time_model, horizon)]
    return out


def _json_capacities_and_risks(
    doc: dict[str, Any], known: Mapping[str, int], src: str
) -> tuple[dict[str, int | list[int]], list[RiskEvent]]:
    capacities: dict[str, int | list[int]] = {}
    for name, value in (doc.get("capacities") or {}).items():
        if isinstance(value, int) and value >= 0:
            capacities[str(name)] = value
        elif isinstance(value, list) and value and all(isinstance(v, int) and v >= 0 for v in value):
            capacities[str(name)] = [int(v) for v in value]
        else:
            raise InputError("expected a whole number or a list of them", field=f"capacities.{name}", source=src)
    risks: list[RiskEvent] = []
    for i, r in enumerate(doc.get("risks") or []):
        path = f"risks[{i}]"
        try:
            delay = r["delay"]
            risks.append(
                RiskEvent(
                    str(r.get("name", f"risk {i + 1}")),
                    float(r["probability"]),
                    tuple(float(x) for x in delay) if isinstance(delay, list) else float(delay),
                    tuple(str(a) for a in r["activities"]),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"bad risk event ({exc})", field=path, source=src) from None
        for a in risks[-1].activities:
            if a not in known:
                raise InputError(f"unknown activity {a!r}", field=f"{path}.activities", source=src)
    return capacities, risks


def read_psplib(text_or_path: str | Path, *, source: str | None = None) -> ProjectData:
    """Read a single-mode PSPLIB ``.sm`` file (RCPSP). Resources are named ``R1``, ``R2``...

    Raises
    ------
    InputError
        With the line number of the first line that does not fit the format.

    Examples
    --------
    >>> sm = '''jobs (incl. supersource/sink ):  3
    ... PRECEDENCE RELATIONS:
    ... jobnr.    #modes  #successors   successors
    ...    1        1          1           2
    ...    2        1          1           3
    ...    3        1          0
    ... REQUESTS/DURATIONS:
    ... jobnr. mode duration  R 1
    ... ------------------------------------------------------------------------
    ...   1      1     0       0
    ...   2      1     4       2
    ...   3      1     0       0
    ... RESOURCEAVAILABILITIES:
    ...   R 1
    ...    3
    ... '''
    >>> data = read_psplib(sm)
    >>> [a.duration for a in data.activities], data.capacities
    ([0, 4, 0], {'R1': 3})
    """
    if isinstance(text_or_path, Path):
        src = source or text_or_path.name
        text = text_or_path.read_text(encoding="latin-1")
    else:
        src = source or "<sm>"
        text = text_or_path
    lines = text.splitlines()

    def ints(i: int, what: str) -> list[int]:
        try:
            return [int(x) for x in lines[i].split()]
        except ValueError:
            raise InputError(
                f"expected whole numbers ({what}), got {lines[i].strip()!r}", line=i + 1, source=src
            ) from None

    def find(prefix: str, start: int = 0) -> int:
        for i in range(start, len(lines)):
            if lines[i].strip().upper().startswith(prefix):
                return i
        raise InputError(f"section {prefix!r} not found", line=len(lines), source=src)

    jl = find("JOBS (INCL. SUPERSOURCE/SINK")
    try:
        n = int(lines[jl].split(":")[1])
    except (IndexError, ValueError):
        raise InputError("cannot read the number of jobs", line=jl + 1, source=src) from None
    pl = find("PRECEDENCE RELATIONS:", jl) + 2
    rl = find("REQUESTS/DURATIONS:", pl)
    header = lines[rl + 1].replace("R ", "R").split()
    res_names = [h for h in header if re.fullmatch(r"[RNDrnd]\d+", h)]
    if not res_names:
        raise InputError("no resource columns in the REQUESTS/DURATIONS header", line=rl + 2, source=src)
    al = find("RESOURCEAVAILABILITIES:", rl)
    succs: dict[int, list[int]] = {}
    for k in range(n):
        i = pl + k
        if i >= len(lines):
            raise InputError(f"precedence table ends after {k} of {n} jobs", line=i, source=src)
        row = ints(i, "job, modes, successor count, successors")
        if len(row) < 3 or len(row) != 3 + row[2]:
            raise InputError(
                "expected job number, modes, successor count and that many successors", line=i + 1, source=src
            )
        if row[0] != k + 1:
            raise InputError(f"expected job {k + 1}, got {row[0]}", line=i + 1, source=src)
        bad = [s for s in row[3:] if not 1 <= s <= n]
        if bad:
            raise InputError(f"successor {bad[0]} is not a job 1..{n}", line=i + 1, source=src)
        succs[k + 1] = row[3:]
    first = rl + 2
    while first < len(lines) and lines[first].strip().startswith("-"):
        first += 1
    records: list[ActivityRecord] = []
    for k in range(n):
        i = first + k
        if i >= al:
            raise InputError(f"duration table ends after {k} of {n} jobs", line=i + 1, source=src)
        row = ints(i, "job, mode, duration, requests")
        if len(row) != 3 + len(res_names):
            raise InputError(f"expected {3 + len(res_names)} numbers", line=i + 1, source=src)
        if row[0] != k + 1:
            raise InputError(f"expected job {k + 1}, got {row[0]}", line=i + 1, source=src)
        if row[2] < 0 or min(row[3:], default=0) < 0:
            raise InputError("negative duration or request", line=i + 1, source=src)
        dem = {res_names[r].upper(): row[3 + r] for r in range(len(res_names)) if row[3 + r] > 0}
        records.append(ActivityRecord(str(k + 1), f"job {k + 1}", row[2], demands=dem, line=i + 1))
    if al + 2 >= len(lines) + 1:
        raise InputError("missing resource availabilities", line=al + 1, source=src)
    caps = ints(al + 2, "resource availabilities") if al + 2 < len(lines) else []
    if len(caps) != len(res_names):
        raise InputError(f"expected {len(res_names)} availabilities", line=al + 3, source=src)
    links = [Link(str(p), str(s)) for p in range(1, n + 1) for s in succs[p]]
    return ProjectData.from_records(
        records, links, capacities={res_names[r].upper(): caps[r] for r in range(len(caps))}, source=src
    )


def read_project(path: str | Path) -> ProjectData:
    """Read a project file, choosing the reader by extension (``.csv``, ``.json``, ``.sm``).

    Examples
    --------
    >>> read_project("plan.xlsx")
    Traceback (most recent call last):
    ...
    oeuvre.engine.errors.InputError: plan.xlsx: unknown file type '.xlsx'; use .csv, .json or .sm
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".json", ".sm"):
        raise InputError(f"unknown file type {suffix!r}; use .csv, .json or .sm", source=p.name)
    if not p.is_file():
        raise InputError("file not found", source=str(path))
    if suffix == ".csv":
        return read_csv(p)
    if suffix == ".json":
        return read_json(p)
    return read_psplib(p)


@dataclass(frozen=True)
class Bounds:
    """Best-known bounds of one PSPLIB instance from the UGent tables (0 = unknown)."""

    lower: int
    upper: int
    optimum: int
    cpm: int


def read_ugent_bounds(path: str | Path) -> dict[str, Bounds]:
    """Read a UGent OR&S bounds table (``;``-separated, decimal commas, 4 header lines).

    Returns a dict keyed by instance file name (e.g. ``"j301_1.sm"``).

    Examples
    --------
    >>> text = "Title;J30\\nDescription;x\\nNumber;1\\nFormat;sm\\n"
    >>> text += "ID;Ref1;Ref2;Ref3;LB value;LB ref;LB time;UB value;UB ref;UB time;OPT value;OPT ref;OPT time;CPM\\n"
    >>> text += "1;j301_1.sm;0;0;43;1;10;43;1;10;43;1;10;38\\n"
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    ...     _ = f.write(text)
    >>> read_ugent_bounds(f.name)["j301_1.sm"]
    Bounds(lower=43, upper=43, optimum=43, cpm=38)
    >>> os.unlink(f.name)
    """
    p = Path(path)
    out: dict[str, Bounds] = {}
    with p.open(encoding="latin-1") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    try:
        head = next(i for i, r in enumerate(rows) if r and r[0].strip() == "ID")
    except StopIteration:
        raise InputError("no 'ID;Ref1;...' header row", source=p.name) from None
    cols = [c.strip() for c in rows[head]]
    idx = {name: cols.index(name) for name in ("Ref1", "LB value", "UB value", "OPT value", "CPM")}
    for line, row in enumerate(rows[head + 1 :], start=head + 2):
        if len(row) < len(cols) or not row[idx["Ref1"]].strip():
            continue
        try:
            vals = [int(float(row[idx[c]].replace(",", "."))) for c in ("LB value", "UB value", "OPT value", "CPM")]
        except ValueError:
            raise InputError("bad number", line=line, source=p.name) from None
        out[row[idx["Ref1"]].strip()] = Bounds(*vals)
    return out
