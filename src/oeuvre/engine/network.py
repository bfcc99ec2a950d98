"""Critical path method (CPM) on activity networks with FS/SS/FF/SF links, lags and date constraints.

The network is compiled once into integer arrays (:class:`CompiledNetwork`): activities are
numbered ``0..n-1`` and links are parallel arrays ``pred``, ``succ``, ``kind``, ``lag``. Every
link becomes a constraint on start times, ``S[succ] >= S[pred] + w`` with

====  =====================================
FS    ``w = lag + d[pred]``
SS    ``w = lag``
FF    ``w = lag + d[pred] - d[succ]``
SF    ``w = lag - d[succ]``
====  =====================================

The passes are vectorised with numpy: activities are grouped into topological levels and each
level is processed with one gather and one ``maximum.reduceat`` over its incoming links. The same
passes run on a 2-D array of durations (iterations x activities) for Monte Carlo.

Times are working-day indices (see :mod:`oeuvre.engine.calendar`): an activity starting at ``s``
with duration ``d`` finishes at ``s + d``.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from oeuvre.engine import _topology
from oeuvre.engine.errors import CycleError, InputError

if TYPE_CHECKING:
    from oeuvre.engine.calendar import WorkCalendar
    from oeuvre.engine.timemodel import TimeModel

__all__ = [
    "Activity",
    "CompiledNetwork",
    "Constraint",
    "ConstraintType",
    "Link",
    "LinkType",
    "Network",
    "ScheduleResult",
    "ScheduleWarning",
    "constraint_bounds",
    "driving_chain",
    "schedule",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# A finish bound used where no constraint applies; far below int64 overflow when durations are added.
_NO_BOUND = np.int64(2**50)


class LinkType(StrEnum):
    """Dependency type: finish-to-start, start-to-start, finish-to-finish, start-to-finish.

    Examples
    --------
    >>> LinkType("SS") is LinkType.SS
    True
    """

    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


_KIND_CODE = {LinkType.FS: 0, LinkType.SS: 1, LinkType.FF: 2, LinkType.SF: 3}
# For kind code k: does w include +d[pred] (FS, FF), does it include -d[succ] (FF, SF)?
_USES_PRED_DURATION = np.array([True, False, True, False])
_USES_SUCC_DURATION = np.array([False, False, True, True])


class ConstraintType(StrEnum):
    """Date constraint on an activity (the six of MS Project and Primavera).

    ``SNET`` start no earlier than, ``SNLT`` start no later than, ``FNET`` finish no earlier than,
    ``FNLT`` finish no later than, ``MSO`` must start on, ``MFO`` must finish on.

    Examples
    --------
    >>> ConstraintType.MSO.value, ConstraintType("MFO").is_finish
    ('MSO', True)
    """

    SNET = "SNET"
    SNLT = "SNLT"
    FNET = "FNET"
    FNLT = "FNLT"
    MSO = "MSO"
    MFO = "MFO"

    @property
    def is_finish(self) -> bool:
        """The constraint bounds the finish (FNET, FNLT, MFO) rather than the start."""
        return self in (ConstraintType.FNET, ConstraintType.FNLT, ConstraintType.MFO)

    @property
    def bounds_early(self) -> bool:
        """The constraint sets an earliest date (SNET, FNET, MSO, MFO)."""
        return self in (ConstraintType.SNET, ConstraintType.FNET, ConstraintType.MSO, ConstraintType.MFO)

    @property
    def bounds_late(self) -> bool:
        """The constraint sets a latest date (SNLT, FNLT, MSO, MFO): a deadline for levelling."""
        return self in (ConstraintType.SNLT, ConstraintType.FNLT, ConstraintType.MSO, ConstraintType.MFO)


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity (or a milestone when ``duration == 0``).

    Parameters
    ----------
    id : str
        Unique identifier.
    duration : int
        Duration in working days, ``>= 0``.
    name : str
        Label for display.

    Examples
    --------
    >>> Activity("M1", 0, "Kick-off").duration
    0
    """

    id: str
    duration: int = 0
    name: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """A precedence link from ``pred`` to ``succ``.

    Parameters
    ----------
    pred, succ : str
        Activity ids.
    type : LinkType
        FS (default), SS, FF or SF.
    lag : int
        Lag (positive) or lead (negative), in working days unless ``calendar_days``.
    calendar_days : bool
        The lag counts calendar days (needs a calendar on the network).

    Examples
    --------
    >>> Link("A", "B", LinkType.SS, 2)
    Link(pred='A', succ='B', type=<LinkType.SS: 'SS'>, lag=2, calendar_days=False)
    """

    pred: str
    succ: str
    type: LinkType = LinkType.FS
    lag: int = 0
    calendar_days: bool = False


@dataclass(frozen=True, slots=True)
class Constraint:
    """A date constraint on one activity, as a working-day index.

    Start constraints (SNET, SNLT, MSO) give a start index; finish constraints (FNET, FNLT, MFO)
    give a finish index (end of working day ``index - 1``, as every finish). Use :meth:`on_date`
    to give a calendar date.

    Examples
    --------
    >>> Constraint("A", ConstraintType.SNET, 5).index
    5
    """

    activity: str
    type: ConstraintType
    index: int

    @classmethod
    def on_date(cls, activity: str, type: ConstraintType, date: dt.date, calendar: WorkCalendar) -> Constraint:
        """Build a constraint from a calendar date, exactly on the calendar.

        - SNET, MSO: start on the first working day on or after ``date``;
        - SNLT: start on the last working day on or before ``date`` at the latest;
        - FNLT, MFO: finish at the end of the last working day on or before ``date``;
        - FNET: finish at the end of the first working day on or after ``date`` at the earliest.

        Examples
        --------
        >>> from oeuvre.engine.calendar import WorkCalendar
        >>> cal = WorkCalendar(dt.date(2025, 1, 6))  # a Monday
        >>> saturday = dt.date(2025, 1, 11)
        >>> [Constraint.on_date("A", t, saturday, cal).index for t in ConstraintType]
        [5, 4, 6, 5, 5, 5]
        """
        ctype = ConstraintType(type)
        first_on_or_after = int(calendar.to_index([date])[0])
        first_after = int(calendar.to_index([date + dt.timedelta(days=1)])[0])
        index = {
            ConstraintType.SNET: first_on_or_after,
            ConstraintType.MSO: first_on_or_after,
            ConstraintType.SNLT: first_after - 1,
            ConstraintType.FNLT: first_after,
            ConstraintType.MFO: first_after,
            ConstraintType.FNET: first_on_or_after + 1,
        }[ctype]
        return cls(activity, ctype, index)


@dataclass(frozen=True)
class ScheduleWarning:
    """A problem that does not stop scheduling, such as a constraint that cannot be met.

    Examples
    --------
    >>> ScheduleWarning("constraint", "A", "cannot finish by 3").code
    'constraint'
    """

    code: str
    activity: str | None
    message: str
    chain: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    """Array form of a network, with its topological levels. Build it with :meth:`Network.compile`
    or :meth:`from_arrays`.

    Examples
    --------
    >>> net = CompiledNetwork.from_arrays([3, 2, 4], pred=[0, 0], succ=[1, 2])
    >>> net.n_levels
    2
    """

    ids: tuple[str, ...]
    durations: IntArray
    pred: IntArray
    succ: IntArray
    kind: npt.NDArray[np.int8]
    lag: IntArray
    calendar_lag: BoolArray
    release: IntArray
    latest_finish: IntArray
    calendar: WorkCalendar | None = None
    slots_per_day: int = 1
    # Topology (filled by from_arrays).
    level: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    n_levels: int = 0
    _fwd: tuple[IntArray, ...] = field(default=(), repr=False)
    _bwd: tuple[IntArray, ...] = field(default=(), repr=False)
    _constraints: tuple[tuple[int, ConstraintType, int], ...] = field(default=(), repr=False)

    @property
    def n(self) -> int:
        """Number of activities."""
        return len(self.durations)

    @property
    def time_model(self) -> TimeModel:
        """The exact time model of the network's calendar (slots of ``slots_per_day``).

        Raises
        ------
        InputError
            The network has no calendar.
        """
        cached: TimeModel | None = self.__dict__.get("_time_model")
        if cached is None:
            if self.calendar is None:
                raise InputError("calendar-day rules need a calendar on the network", field="calendar")
            from oeuvre.engine.timemodel import TimeModel

            cached = TimeModel(self.calendar, self.slots_per_day)
            object.__setattr__(self, "_time_model", cached)
        return cached

    @classmethod
    def from_arrays(
        cls,
        durations: Sequence[int] | IntArray,
        pred: Sequence[int] | IntArray,
        succ: Sequence[int] | IntArray,
        kind: Sequence[int] | npt.NDArray[np.int8] | None = None,
        lag: Sequence[int] | IntArray | None = None,
        *,
        ids: Sequence[str] | None = None,
        calendar_lag: Sequence[bool] | BoolArray | None = None,
        release: Sequence[int] | IntArray | None = None,
        latest_finish: Sequence[int] | IntArray | None = None,
        calendar: WorkCalendar | None = None,
        slots_per_day: int = 1,
    ) -> CompiledNetwork:
        """Compile a network given as arrays (the fast path for large networks).

        Parameters
        ----------
        durations : array of int, shape (n,)
        pred, succ : array of int, shape (m,)
            Link endpoints, as activity numbers.
        kind : array of int, shape (m,), optional
            0 = FS (default), 1 = SS, 2 = FF, 3 = SF.
        lag : array of int, shape (m,), optional
        ids : sequence of str, optional
            Activity ids; default ``"0"``, ``"1"``, ...
        calendar_lag : array of bool, optional
            Links whose lag counts calendar days.
        release : array of int, optional
            Earliest start of each activity (SNET), default 0.
        latest_finish : array of int, optional
            Latest finish of each activity (FNLT), default unbounded.
        calendar : WorkCalendar, optional
            Needed when some lag counts calendar days.
        slots_per_day : {1, 2}
            Durations, working-day lags and indices count days (1) or half-days (2) of the
            calendar; calendar-day lags always count calendar days (see :mod:`oeuvre.engine.timemodel`).

        Returns
        -------
        CompiledNetwork

        Raises
        ------
        InputError
            Negative duration, link to an unknown activity, bad kind.
        CycleError
            The links form a cycle.

        Examples
        --------
        >>> net = CompiledNetwork.from_arrays([2, 3], [0], [1], ids=["A", "B"])
        >>> schedule(net).finish
        5
        """
        d = np.asarray(durations, dtype=np.int64).reshape(-1)
        n = len(d)
        if n and d.min() < 0:
            bad = int(np.argmin(d))
            name = ids[bad] if ids is not None else str(bad)
            raise InputError(f"negative duration {int(d[bad])} for activity {name!r}", field="duration")
        p = np.asarray(pred, dtype=np.int64).reshape(-1)
        s = np.asarray(succ, dtype=np.int64).reshape(-1)
        m = len(p)
        if len(s) != m:
            raise InputError("pred and succ must have the same length")
        if m and (min(p.min(), s.min()) < 0 or max(p.max(), s.max()) >= n):
            raise InputError("a link refers to an activity number outside 0..n-1")
        k = np.zeros(m, np.int8) if kind is None else np.asarray(kind, dtype=np.int8).reshape(-1)
        if m and (k.min() < 0 or k.max() > 3):
            raise InputError("link kind must be 0 (FS), 1 (SS), 2 (FF) or 3 (SF)")
        lg = np.zeros(m, np.int64) if lag is None else np.asarray(lag, dtype=np.int64).reshape(-1)
        cl = np.zeros(m, bool) if calendar_lag is None else np.asarray(calendar_lag, dtype=bool).reshape(-1)
        if cl.any() and calendar is None:
            raise InputError("calendar-day lags need a calendar on the network", field="lag")
        rel = np.zeros(n, np.int64) if release is None else np.asarray(release, dtype=np.int64).reshape(-1)
        lf = (
            np.full(n, _NO_BOUND, np.int64)
            if latest_finish is None
            else np.asarray(latest_finish, dtype=np.int64).reshape(-1)
        )
        id_tuple = tuple(ids) if ids is not None else tuple(str(i) for i in range(n))
        if len(id_tuple) != n or len(k) != m or len(lg) != m or len(cl) != m or len(rel) != n or len(lf) != n:
            raise InputError("array lengths do not match the number of activities or links")
        level, n_levels = _levels(n, p, s, id_tuple)
        fwd = _group(s, level, n_levels)
        bwd = _group(p, level, n_levels)
        return cls(
            ids=id_tuple,
            durations=d,
            pred=p,
            succ=s,
            kind=k,
            lag=lg,
            calendar_lag=cl,
            release=np.maximum(rel, 0),
            latest_finish=lf,
            calendar=calendar,
            slots_per_day=slots_per_day,
            level=level,
            n_levels=n_levels,
            _fwd=fwd,
            _bwd=bwd,
        )

    def link_weights(self, durations: IntArray | FloatArray | None = None) -> IntArray | FloatArray:
        """Start-to-start weight ``w`` of every link (see the module docstring).

        ``durations`` may be 1-D (n,) or 2-D (n, iterations); the result has shape (m,) or
        (m, iterations). Calendar-day lags are not included (they are not constant).

        Examples
        --------
        >>> net = CompiledNetwork.from_arrays([3, 2], [0, 0], [1, 1], kind=[0, 2], lag=[1, 0])
        >>> net.link_weights().tolist()  # FS+1: 3+1; FF: 3-2
        [4, 1]
        """
        d = self.durations if durations is None else durations
        lag = np.where(self.calendar_lag, 0, self.lag)
        if d.ndim == 1:
            use_p = _USES_PRED_DURATION[self.kind]
            use_s = _USES_SUCC_DURATION[self.kind]
            return lag + np.where(use_p, d[self.pred], 0) - np.where(use_s, d[self.succ], 0)
        df = np.asarray(d, dtype=np.float64)
        w = np.empty((len(self.pred), df.shape[1]), dtype=np.float64)
        for code in range(4):
            sel = np.flatnonzero(self.kind == code)
            if not len(sel):
                continue
            part = np.repeat(lag[sel, None].astype(np.float64), df.shape[1], axis=1)
            if _USES_PRED_DURATION[code]:
                part += df[self.pred[sel]]
            if _USES_SUCC_DURATION[code]:
                part -= df[self.succ[sel]]
            w[sel] = part
        return w


def _levels(n: int, pred: IntArray, succ: IntArray, ids: Sequence[str]) -> tuple[IntArray, int]:
    """Topological level of every activity (compiled Kahn's algorithm, O(n + m))."""
    level = np.asarray(_topo().topological_levels(n, pred, succ), dtype=np.int64)
    if (level < 0).any():
        raise CycleError([ids[i] for i in _find_cycle(level < 0, pred, succ)])
    return level, int(level.max()) + 1 if n else 0


def _find_cycle(remaining: BoolArray, pred: IntArray, succ: IntArray) -> list[int]:
    """Walk backwards through unprocessed activities until one repeats: that walk closes a cycle.

    Every activity left over by Kahn's algorithm has a predecessor that is also left over.
    """
    mask = remaining[pred] & remaining[succ]
    some_pred = {int(b): int(a) for a, b in zip(pred[mask], succ[mask], strict=True)}
    node = int(np.flatnonzero(remaining)[0])
    seen: dict[int, int] = {}
    walk: list[int] = []
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = some_pred[node]
    cycle = walk[seen[node] :]
    cycle.reverse()  # we walked against the links
    return cycle


def _group(key: IntArray, level: IntArray, n_levels: int) -> tuple[IntArray, ...]:
    """Sort links by (level of ``key``, ``key``) and index the groups for ``reduceat``.

    Returns (link order, link pointer per level, group starts, group key, group pointer per level).
    """
    return tuple(np.asarray(x, dtype=np.int64) for x in _topo().group_links(key, level, n_levels))


def _topo() -> Any:
    """The compiled topology kernels when they are loaded already, else the numpy ones (same results).

    A fresh ``oeuvre engine schedule`` does not import numba (it would cost more than the CPM);
    levelling, Monte Carlo and a warmed app server have the compiled kernels loaded.
    """
    return sys.modules.get("oeuvre.engine._kernels") or _topology


def constraint_bounds(
    durations: IntArray, constraints: Sequence[Constraint], index: dict[str, int]
) -> tuple[IntArray, IntArray, tuple[tuple[int, ConstraintType, int], ...]]:
    """Earliest start and latest finish of every activity from its date constraints.

    SNET/MSO raise the earliest start to the index, FNET/MFO to ``index - duration``; SNLT/MSO
    lower the latest finish to ``index + duration``, FNLT/MFO to the index.

    Examples
    --------
    >>> rel, lf, _ = constraint_bounds(np.array([3]), [Constraint("A", ConstraintType.MFO, 10)], {"A": 0})
    >>> rel.tolist(), lf.tolist()
    ([7], [10])
    """
    n = len(durations)
    release = np.zeros(n, np.int64)
    latest_finish = np.full(n, _NO_BOUND, np.int64)
    cons: list[tuple[int, ConstraintType, int]] = []
    for c in constraints:
        if c.activity not in index:
            raise InputError(f"constraint on unknown activity {c.activity!r}", field="activity")
        j = index[c.activity]
        ctype = ConstraintType(c.type)
        cons.append((j, ctype, int(c.index)))
        d = int(durations[j])
        start_index = c.index - d if ctype.is_finish else c.index
        finish_index = c.index if ctype.is_finish else c.index + d
        if ctype.bounds_early:
            release[j] = max(release[j], start_index)
        if ctype.bounds_late:
            latest_finish[j] = min(latest_finish[j], finish_index)
    return release, latest_finish, tuple(cons)


@dataclass(frozen=True)
class Network:
    """A project network: activities, links and date constraints (the plain-object API).

    Parameters
    ----------
    activities : sequence of Activity
    links : sequence of Link
    constraints : sequence of Constraint
    calendar : WorkCalendar, optional
        Needed for calendar-day lags and for date output.

    Examples
    --------
    >>> net = Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")])
    >>> schedule(net).finish
    5
    """

    activities: Sequence[Activity]
    links: Sequence[Link] = ()
    constraints: Sequence[Constraint] = ()
    calendar: WorkCalendar | None = None

    def compile(self) -> CompiledNetwork:
        """Check the network and convert it to arrays.

        Raises
        ------
        InputError
            Duplicate id, unknown activity in a link or constraint, negative duration.
        CycleError
            The links form a cycle.

        Examples
        --------
        >>> Network([Activity("A", 1)], [Link("A", "Z")]).compile()
        Traceback (most recent call last):
        ...
        oeuvre.engine.errors.InputError: field 'links[0].succ': unknown activity 'Z' (successor of 'A')
        """
        index: dict[str, int] = {}
        for a in self.activities:
            if a.id in index:
                raise InputError(f"duplicate activity id {a.id!r}", field="id")
            if a.duration < 0:
                raise InputError(f"negative duration {a.duration} for activity {a.id!r}", field="duration")
            index[a.id] = len(index)
        m = len(self.links)
        pred = np.empty(m, np.int64)
        succ = np.empty(m, np.int64)
        kind = np.empty(m, np.int8)
        lag = np.empty(m, np.int64)
        cal = np.empty(m, bool)
        for i, link in enumerate(self.links):
            for end, other, label, key in (
                (link.pred, link.succ, "predecessor", "pred"),
                (link.succ, link.pred, "successor", "succ"),
            ):
                if end not in index:
                    raise InputError(f"unknown activity {end!r} ({label} of {other!r})", field=f"links[{i}].{key}")
            pred[i] = index[link.pred]
            succ[i] = index[link.succ]
            kind[i] = _KIND_CODE[LinkType(link.type)]
            lag[i] = link.lag
            cal[i] = link.calendar_days
        durations = np.array([a.duration for a in self.activities], np.int64)
        release, latest_finish, cons = constraint_bounds(durations, self.constraints, index)
        net = CompiledNetwork.from_arrays(
            durations,
            pred,
            succ,
            kind,
            lag,
            ids=list(index),
            calendar_lag=cal,
            release=release,
            latest_finish=latest_finish,
            calendar=self.calendar,
        )
        object.__setattr__(net, "_constraints", tuple(cons))
        return net


@dataclass(frozen=True, eq=False)
class ScheduleResult:
    """Result of :func:`schedule`. Arrays are indexed like ``ids``.

    Attributes
    ----------
    ids : tuple of str
    es, ef, ls, lf : ndarray of int
        Early/late start and finish (working-day indices).
    total_float, free_float : ndarray of int
        Negative total float means a constraint cannot be met.
    critical : ndarray of bool
        ``total_float <= 0``.
    finish : int
        Project finish (max early finish).
    driving : ndarray of bool
        Per link (in the compiled network's order): the link sets its successor's early start.
    warnings : list of ScheduleWarning
    """

    ids: tuple[str, ...]
    es: IntArray
    ef: IntArray
    ls: IntArray
    lf: IntArray
    total_float: IntArray
    free_float: IntArray
    critical: BoolArray
    finish: int
    driving: BoolArray
    warnings: list[ScheduleWarning]
    network: CompiledNetwork = field(repr=False)

    def critical_path(self) -> list[str]:
        """One critical chain, from the project start to the activity finishing last.

        It follows driving links backwards from the latest-finishing activity with the least float,
        so its length (sum of durations and lags along it) equals ``finish`` when no date constraint
        delays the chain.

        Examples
        --------
        >>> net = Network([Activity("A", 3), Activity("B", 1), Activity("C", 2)],
        ...               [Link("A", "C"), Link("B", "C")])
        >>> schedule(net).critical_path()
        ['A', 'C']
        """
        if not len(self.ids):
            return []
        ends = np.flatnonzero(self.ef == self.finish)
        ends = ends[self.total_float[ends] == self.total_float[ends].min()]
        # among equals, the deepest activity (a closing milestone rather than its predecessor)
        node = int(ends[np.argmax(self.network.level[ends])])
        net = self.network
        drivers: dict[int, int] = {}
        for li in np.flatnonzero(self.driving):
            s = int(net.succ[li])
            p = int(net.pred[li])
            if s not in drivers or self.total_float[p] < self.total_float[drivers[s]]:
                drivers[s] = p
        path = [node]
        while node in drivers:
            node = drivers[node]
            path.append(node)
        return [self.ids[i] for i in reversed(path)]

    def start_dates(self) -> npt.NDArray[np.datetime64]:
        """Early start dates, from the network's calendar.

        Raises
        ------
        InputError
            The network has no calendar.

        Examples
        --------
        >>> from oeuvre.engine.calendar import WorkCalendar
        >>> calendar = WorkCalendar(dt.date(2025, 1, 6))
        >>> net = Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")], calendar=calendar)
        >>> r = schedule(net)
        >>> [str(x) for x in r.start_dates()], [str(x) for x in r.finish_dates()]
        (['2025-01-06', '2025-01-09'], ['2025-01-08', '2025-01-10'])
        """
        return self._calendar().to_date(self.es)

    def finish_dates(self) -> npt.NDArray[np.datetime64]:
        """Early finish dates (last working day of each activity; a milestone's is its start date)."""
        cal = self._calendar()
        zero = self.ef == self.es
        return np.where(zero, cal.to_date(self.es), cal.finish_date(self.ef))

    def _calendar(self) -> WorkCalendar:
        if self.network.calendar is None:
            raise InputError("the network has no calendar; dates need one", field="calendar")
        return self.network.calendar

    def to_dict(self) -> dict[str, object]:
        """Plain dict with the CLI's JSON field names.

        Examples
        --------
        >>> schedule(Network([Activity("A", 2)])).to_dict()["finish"]
        2
        """
        return {
            "finish": self.finish,
            "activities": [
                {
                    "id": self.ids[i],
                    "es": int(self.es[i]),
                    "ef": int(self.ef[i]),
                    "ls": int(self.ls[i]),
                    "lf": int(self.lf[i]),
                    "total_float": int(self.total_float[i]),
                    "free_float": int(self.free_float[i]),
                    "critical": bool(self.critical[i]),
                }
                for i in range(len(self.ids))
            ],
            "warnings": [w.message for w in self.warnings],
        }


def forward_pass(
    net: CompiledNetwork, d: IntArray | FloatArray, w: IntArray | FloatArray, es: IntArray | FloatArray
) -> None:
    """Early starts, in place. ``d``/``w``/``es`` are (n,), (m,), (n,) or 2-D with iterations last."""
    _pass(net, net._fwd, net.pred, d, w, es, forward=True)


def _pass(
    net: CompiledNetwork,
    groups: tuple[IntArray, ...],
    other_end: IntArray,
    d: IntArray | FloatArray,
    w: IntArray | FloatArray,
    t: IntArray | FloatArray,
    *,
    forward: bool,
) -> None:
    """One CPM pass over the levels: a gather, an add and a ``reduceat`` per level.

    Forward: ``t[succ] = max(t[succ], t[pred] + w)``; backward: ``t[pred] = min(t[pred], t[succ] - w)``.
    """
    order, lptr, gstart, gkey, gptr = groups
    ends = other_end[order]
    w_s = w[order] if forward else -w[order]
    # group starts relative to their level's first link, so each level needs no arithmetic
    rel = gstart - np.repeat(lptr[:-1], np.diff(gptr))
    lp, gp = lptr.tolist(), gptr.tolist()
    cal = net.calendar_lag[order] if net.calendar_lag.any() else None
    reduce = np.maximum if forward else np.minimum
    levels = range(1, net.n_levels) if forward else range(net.n_levels - 2, -1, -1)
    for k in levels:
        a, b = lp[k], lp[k + 1]
        if a == b:
            continue
        cand = t[ends[a:b]] + w_s[a:b]
        if cal is not None and cal[a:b].any():
            fix = _calendar_forward if forward else _calendar_backward
            cand = fix(net, d, t, order[a:b], cand)
        ga, gb = gp[k], gp[k + 1]
        red = reduce.reduceat(cand, rel[ga:gb], axis=0)
        tgt = gkey[ga:gb]
        t[tgt] = reduce(t[tgt], red)


def _calendar_forward(
    net: CompiledNetwork,
    d: IntArray | FloatArray,
    es: IntArray | FloatArray,
    links: IntArray,
    cand: IntArray | FloatArray,
) -> IntArray | FloatArray:
    """Exact bounds of calendar-day links: ``S[succ] >= shift(S[pred] (+ d[pred])) (- d[succ])``."""
    assert d.ndim == 1
    sel = net.calendar_lag[links]
    li = links[sel]
    p, s = net.pred[li], net.succ[li]
    kind = net.kind[li]
    from_finish = _USES_PRED_DURATION[kind]
    to_finish = _USES_SUCC_DURATION[kind]
    point = es[p] + np.where(from_finish, d[p], 0)
    shifted = net.time_model.shift(point.astype(np.int64), net.lag[li], from_finish=from_finish, to_finish=to_finish)
    cand = cand.copy()
    cand[sel] = shifted - np.where(to_finish, d[s], 0)
    return cand


def _backward(
    net: CompiledNetwork, d: IntArray | FloatArray, w: IntArray | FloatArray, ls: IntArray | FloatArray
) -> None:
    """Late starts, in place (``ls`` starts as the upper bounds)."""
    _pass(net, net._bwd, net.succ, d, w, ls, forward=False)


def _calendar_backward(
    net: CompiledNetwork,
    d: IntArray | FloatArray,
    ls: IntArray | FloatArray,
    links: IntArray,
    cand: IntArray | FloatArray,
) -> IntArray | FloatArray:
    """Inverse of :func:`_calendar_forward`: ``S[pred] <= unshift(S[succ] (+ d[succ])) (- d[pred])``."""
    assert d.ndim == 1
    sel = net.calendar_lag[links]
    li = links[sel]
    p, s = net.pred[li], net.succ[li]
    kind = net.kind[li]
    from_finish = _USES_PRED_DURATION[kind]
    to_finish = _USES_SUCC_DURATION[kind]
    point = ls[s] + np.where(to_finish, d[s], 0)
    back = net.time_model.unshift(point.astype(np.int64), net.lag[li], from_finish=from_finish, to_finish=to_finish)
    cand = cand.copy()
    cand[sel] = back - np.where(from_finish, d[p], 0)
    return cand


def _link_slack(net: CompiledNetwork, es: IntArray, w: IntArray) -> IntArray:
    """``es[succ] - (es[pred] + w)`` for every link, calendar lags included."""
    slack = es[net.succ] - es[net.pred] - w
    if net.calendar_lag.any():
        li = np.flatnonzero(net.calendar_lag)
        p, s, kind = net.pred[li], net.succ[li], net.kind[li]
        from_finish = _USES_PRED_DURATION[kind]
        to_finish = _USES_SUCC_DURATION[kind]
        point = es[p] + np.where(from_finish, net.durations[p], 0)
        earliest = net.time_model.shift(point, net.lag[li], from_finish=from_finish, to_finish=to_finish) - np.where(
            to_finish, net.durations[s], 0
        )
        slack[li] = es[s] - earliest
    return slack


def schedule(network: Network | CompiledNetwork, *, deadline: int | None = None) -> ScheduleResult:
    """Critical path method: forward and backward passes, floats, critical activities.

    Parameters
    ----------
    network : Network or CompiledNetwork
    deadline : int, optional
        Project finish used for the backward pass (a finish index). Default: the early finish
        of the project. A deadline earlier than the early finish gives negative float.

    Returns
    -------
    ScheduleResult

    Raises
    ------
    CycleError
        The links form a cycle (lists the activities).
    InputError
        Bad data (unknown activity, negative duration...).

    Notes
    -----
    A constraint that cannot be met (a must-start-on date earlier than the network allows, a
    finish-no-later-than date too early) does not raise: the early dates follow the network, the
    late dates follow the constraint, the total float becomes negative and a
    :class:`ScheduleWarning` says which constraint is violated.

    Examples
    --------
    >>> net = Network(
    ...     [Activity("A", 3), Activity("B", 2), Activity("C", 4), Activity("D", 1)],
    ...     [Link("A", "B"), Link("A", "C", LinkType.SS, 1), Link("B", "D"), Link("C", "D")],
    ... )
    >>> r = schedule(net)
    >>> r.finish, r.es.tolist(), r.total_float.tolist()
    (6, [0, 3, 1, 5], [0, 0, 0, 0])
    >>> r.critical_path()
    ['A', 'B', 'D']
    """
    net = network.compile() if isinstance(network, Network) else network
    n = net.n
    d = net.durations
    w = np.asarray(net.link_weights(), dtype=np.int64)
    es = net.release.copy()
    forward_pass(net, d, w, es)
    ef = es + d
    finish = int(ef.max()) if n else 0
    end = finish if deadline is None else int(deadline)
    ls = np.minimum(end, net.latest_finish) - d
    _backward(net, d, w, ls)
    lf = ls + d
    tf = ls - es
    slack = _link_slack(net, es, w)
    ff = np.minimum(end - ef, np.maximum(tf, 0)) if n else np.zeros(0, np.int64)
    if len(slack):
        np.minimum.at(ff, net.pred, slack)
    ff = np.clip(ff, 0, None)
    ff = np.minimum(ff, np.maximum(tf, 0))
    warnings = _constraint_warnings(net, es, ef, finish, deadline)
    if (tf < 0).any() and not warnings:
        warnings.append(
            ScheduleWarning("negative_float", None, f"{int((tf < 0).sum())} activities have negative float")
        )
    return ScheduleResult(
        ids=net.ids,
        es=es,
        ef=ef,
        ls=ls,
        lf=lf,
        total_float=tf,
        free_float=ff,
        critical=tf <= 0,
        finish=finish,
        driving=slack == 0,
        warnings=warnings,
        network=net,
    )


_CONSTRAINT_WORDS = {
    ConstraintType.SNLT: "start no later than",
    ConstraintType.FNLT: "finish no later than",
    ConstraintType.MSO: "must start on day",
    ConstraintType.MFO: "must finish on day",
}


def driving_chain(net: CompiledNetwork, es: IntArray, activity: int) -> list[int]:
    """The chain of activities that pushes ``activity`` to its early start, first one first.

    Follows, backwards, a link that is tight in the early schedule (``es[succ]`` equals what the
    link demands) until an activity that starts at its release (project start or a constraint).

    Examples
    --------
    >>> net = Network([Activity("A", 2), Activity("B", 3), Activity("C", 1)],
    ...               [Link("A", "C"), Link("B", "C")]).compile()
    >>> r = schedule(net)
    >>> [net.ids[j] for j in driving_chain(net, r.es, 2)]
    ['B', 'C']
    """
    w = np.asarray(net.link_weights(), dtype=np.int64)
    slack = _link_slack(net, es, w)
    tight = np.flatnonzero(slack == 0)
    into: dict[int, int] = {}
    for li in tight.tolist():
        into.setdefault(int(net.succ[li]), int(net.pred[li]))
    chain = [activity]
    seen = {activity}
    node = activity
    while node in into and es[node] > net.release[node]:
        node = into[node]
        if node in seen:
            break
        seen.add(node)
        chain.append(node)
    chain.reverse()
    return chain


def _constraint_warnings(
    net: CompiledNetwork, es: IntArray, ef: IntArray, finish: int, deadline: int | None
) -> list[ScheduleWarning]:
    out: list[ScheduleWarning] = []
    cons = net._constraints
    if not cons:
        late = np.flatnonzero(ef > net.latest_finish)
        cons = tuple((int(j), ConstraintType.FNLT, int(net.latest_finish[j])) for j in late[:50])
    for j, ctype, idx in cons:
        if not ctype.bounds_late:
            continue
        limit = idx if ctype.is_finish else idx + int(net.durations[j])
        if ef[j] <= limit:
            continue
        aid = net.ids[j]
        chain = tuple(net.ids[k] for k in driving_chain(net, es, j))
        what = "finish" if ctype.is_finish else "start"
        got = int(ef[j]) if ctype.is_finish else int(es[j])
        out.append(
            ScheduleWarning(
                "constraint",
                aid,
                f"{aid}: {_CONSTRAINT_WORDS[ctype]} {idx} cannot be met; earliest {what} is {got}"
                + (f", driven by {' -> '.join(chain)}" if len(chain) > 1 else ""),
                chain,
            )
        )
    if deadline is not None and finish > deadline:
        out.append(ScheduleWarning("deadline", None, f"project deadline {deadline} cannot be met; finish is {finish}"))
    return out
