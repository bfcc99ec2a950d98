"""The engine's one time model: integer working slots of a calendar, and exact conversions at the edges.

CPM, levelling, Monte Carlo and the validator all count time in **slots**: the working days of the
project calendar (``slots_per_day=1``) or their half-days (``slots_per_day=2``, morning then
afternoon). Slot ``k`` is the ``k``-th working slot on or after the calendar's origin (negative
slots count backwards before it). A time point ``x`` is a boundary between slots: an activity
starting at ``x`` begins with slot ``x``; an activity finishing at ``x`` ends with slot ``x - 1``.

Real time is needed only where a rule counts calendar days: a lag of ``n`` calendar days
(``FS+3cd``), an elapsed duration. There, a boundary becomes an *instant*, counted in units of
``1 / slots_per_day`` calendar day from the calendar's origin date:

- a boundary read as a **finish** (the predecessor's finish for FS/FF) is the end of slot ``x - 1``:
  a task finishing on Friday evening finishes at Saturday 00:00, not at Monday morning;
- a boundary read as a **start** (the predecessor's start for SS/SF) is the beginning of slot ``x``;
- an instant becomes a **start** boundary at the first slot that begins at or after it, and a
  **finish** boundary at the first slot end at or after it.

So ``FS+3cd`` after a task that ends on Friday evening lets the successor start on Tuesday
morning (Saturday, Sunday and Monday elapse), and ``SS+2cd`` after a start on Monday morning
allows Wednesday morning. The same functions give the tables the compiled levelling and Monte Carlo
kernels read, and their inverses for the backward passes; the validator
(:mod:`oeuvre.engine.validation`) re-derives every instant from dates on its own.

Resources have calendars of their own (:class:`ResourceCalendar`): part-time weekdays or
half-days, personal holidays and absences, turned into a capacity per slot of the project's time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from oeuvre.engine.calendar import WorkCalendar
from oeuvre.engine.errors import InputError

__all__ = ["ResourceCalendar", "TimeModel", "pool_capacity"]

IntArray = npt.NDArray[np.int64]
ArrayLike = int | Sequence[int] | IntArray


def _ints(x: ArrayLike) -> IntArray:
    return np.asarray(x, dtype=np.int64)


def _working_days_before(origin: np.datetime64, day: npt.NDArray[np.datetime64], cal: np.busdaycalendar) -> IntArray:
    """Index of the first working day on or after ``day``: working days in [origin, day), negative before.

    (numpy's ``busday_count(origin, day)`` counts ``(day, origin]`` when ``day`` is earlier, one
    day off for our purpose, hence the two directions.)
    """
    forward = np.busday_count(origin, np.maximum(day, origin), busdaycal=cal)
    backward = np.busday_count(np.minimum(day, origin), origin, busdaycal=cal)
    return np.asarray(np.where(day >= origin, forward, -backward), dtype=np.int64)


@dataclass(frozen=True, eq=False)
class TimeModel:
    """Working slots of ``calendar`` (days or half-days) and the exact conversions between slots and instants.

    Parameters
    ----------
    calendar : WorkCalendar
    slots_per_day : {1, 2}
        1 for working days, 2 for half-days (morning, afternoon).

    Examples
    --------
    >>> cal = WorkCalendar(dt.date(2025, 1, 6))  # a Monday, no holidays
    >>> tm = TimeModel(cal)
    >>> # a task ending on Friday evening (finish boundary 5), FS + 3 calendar days: Tuesday (slot 6)
    >>> tm.shift(5, 3, from_finish=True, to_finish=False).tolist()
    6
    >>> # a task starting on Monday (boundary 5), SS + 2 calendar days: Wednesday (slot 7)
    >>> tm.shift(5, 2, from_finish=False, to_finish=False).tolist()
    7
    """

    calendar: WorkCalendar
    slots_per_day: int = 1
    _origin: np.datetime64 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.slots_per_day not in (1, 2):
            raise InputError("slots_per_day must be 1 (days) or 2 (half-days)", field="slots_per_day")
        object.__setattr__(self, "_origin", np.datetime64(self.calendar.origin, "D"))

    # --- slots and instants -------------------------------------------------------------------

    def slot_begin(self, x: ArrayLike) -> IntArray:
        """Instant (in slot units from the origin date) at which slot ``x`` begins.

        Examples
        --------
        >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)), slots_per_day=2)
        >>> tm.slot_begin([0, 1, 9, 10]).tolist()  # Monday am, Monday pm, Friday pm, next Monday am
        [0, 1, 9, 14]
        """
        k = _ints(x)
        spd = self.slots_per_day
        day = np.busday_offset(self.calendar._origin64, k // spd, roll="forward", busdaycal=self.calendar._busdaycal)
        return np.asarray((day - self._origin).astype(np.int64) * spd + k % spd, dtype=np.int64)

    def boundary_instant(self, x: ArrayLike, *, finish: bool | npt.NDArray[np.bool_]) -> IntArray:
        """Instant of boundary ``x``: the end of slot ``x - 1`` for a finish, the beginning of slot ``x`` for a start.

        The project's first boundary (``x == 0``) is the beginning of slot 0 either way.

        Examples
        --------
        >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)))
        >>> tm.boundary_instant(5, finish=True).tolist(), tm.boundary_instant(5, finish=False).tolist()
        (5, 7)
        """
        k = _ints(x)
        begin = self.slot_begin(k)
        if not np.any(finish):
            return begin
        end = np.where(k == 0, self.slot_begin(np.zeros_like(k)), self.slot_begin(k - 1) + 1)
        return np.asarray(np.where(finish, end, begin), dtype=np.int64)

    def first_slot_at_or_after(self, instant: ArrayLike) -> IntArray:
        """The first slot that begins at or after ``instant`` (a start boundary).

        Examples
        --------
        >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)))
        >>> tm.first_slot_at_or_after([0, 5, 6, 7]).tolist()  # Monday, Saturday, Sunday, Monday
        [0, 5, 5, 5]
        """
        u = _ints(instant)
        spd = self.slots_per_day
        day = self._origin + (u // spd).astype("timedelta64[D]")
        part = u % spd
        cal = self.calendar._busdaycal
        before = _working_days_before(self.calendar._origin64, day, cal)
        return np.asarray(before * spd + np.where(np.is_busday(day, busdaycal=cal), part, 0), dtype=np.int64)

    def finish_at_or_after(self, instant: ArrayLike) -> IntArray:
        """The first finish boundary whose instant (end of its last slot) is at or after ``instant``.

        Examples
        --------
        >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)))
        >>> tm.finish_at_or_after([5, 6, 7]).tolist()  # Sat 00:00 is Friday's end; Sunday or Monday 00:00: Monday's
        [5, 6, 6]
        """
        u = _ints(instant)
        first = self.slot_begin(np.zeros_like(u))
        return np.where(u <= first, 0, self.first_slot_at_or_after(u - 1) + 1)

    # --- calendar-day rules -------------------------------------------------------------------

    def shift(
        self,
        x: ArrayLike,
        days: ArrayLike,
        *,
        from_finish: bool | npt.NDArray[np.bool_],
        to_finish: bool | npt.NDArray[np.bool_],
    ) -> IntArray:
        """Boundary ``x`` plus ``days`` calendar days (may be negative), as a start or finish boundary.

        ``from_finish``: ``x`` is read as a finish (FS, FF links) or a start (SS, SF);
        ``to_finish``: the result bounds a finish (FF, SF) or a start (FS, SS). Both may be
        boolean arrays (one flag per element).

        Examples
        --------
        >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)))
        >>> tm.shift([5, 5], [2, 1], from_finish=True, to_finish=False).tolist()  # Fri evening +2 / +1 days
        [5, 5]
        >>> tm.shift(5, 2, from_finish=True, to_finish=True).tolist()  # FF+2cd: the end of Monday at the earliest
        6
        """
        instant = self.boundary_instant(x, finish=from_finish) + _ints(days) * self.slots_per_day
        if not np.any(to_finish):
            return self.first_slot_at_or_after(instant)
        if np.all(to_finish):
            return self.finish_at_or_after(instant)
        return np.asarray(
            np.where(to_finish, self.finish_at_or_after(instant), self.first_slot_at_or_after(instant)), dtype=np.int64
        )

    def unshift(
        self,
        y: ArrayLike,
        days: ArrayLike,
        *,
        from_finish: bool | npt.NDArray[np.bool_],
        to_finish: bool | npt.NDArray[np.bool_],
    ) -> IntArray:
        """The largest boundary ``x`` with ``shift(x, days) <= y`` (for backward passes).

        Examples
        --------
        >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)))
        >>> tm.unshift(6, 3, from_finish=True, to_finish=False).tolist()  # finish on Friday at the latest
        5
        """
        yy = _ints(y)
        dd = np.broadcast_to(_ints(days), yy.shape) if yy.ndim else _ints(days)
        spd = self.slots_per_day
        # shift(x) >= x - |days| * spd - 1 always (days can only remove that many slots), so:
        hi = yy + np.abs(dd) * spd + 2  # shift(hi) > y
        gap = np.abs(dd) * spd + 2 * spd + 2
        lo = yy - gap
        while True:  # widen until shift(lo) <= y (long closures may need it)
            bad = self.shift(lo, dd, from_finish=from_finish, to_finish=to_finish) > yy
            if not np.any(bad):
                break
            gap = gap * 2
            lo = np.where(bad, yy - gap, lo)
        while np.any(hi - lo > 1):  # invariant: shift(lo) <= y < shift(hi)
            mid = (lo + hi) // 2
            ok = self.shift(mid, dd, from_finish=from_finish, to_finish=to_finish) <= yy
            lo = np.where(ok, mid, lo)
            hi = np.where(ok, hi, mid)
        return np.asarray(lo, dtype=np.int64)

    def elapsed_finish(self, start: ArrayLike, days: ArrayLike) -> IntArray:
        """Finish boundary of an activity of ``days`` elapsed (calendar) days starting at ``start``.

        The activity lasts until its start instant plus ``days``; it releases its successors at the
        first slot that begins at or after that instant.

        Examples
        --------
        >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)))
        >>> tm.elapsed_finish([0, 3], 7).tolist()  # Monday + 7 days: next Monday; Thursday + 7: next Thursday
        [5, 8]
        """
        return self.first_slot_at_or_after(self.slot_begin(start) + _ints(days) * self.slots_per_day)

    def table(self, horizon: int, days: int, *, from_finish: bool, to_finish: bool) -> IntArray:
        """``shift(x, days)`` for every boundary ``x`` in ``0..horizon`` (what the compiled kernels read).

        Examples
        --------
        >>> TimeModel(WorkCalendar(dt.date(2025, 1, 6))).table(6, 3, from_finish=True, to_finish=False).tolist()
        [3, 4, 5, 5, 5, 6, 9]
        """
        return self.shift(np.arange(horizon + 1), days, from_finish=from_finish, to_finish=to_finish)

    # --- dates --------------------------------------------------------------------------------

    def slots(self, working_days: ArrayLike) -> IntArray:
        """Working days to slots (``working_days * slots_per_day``).

        Examples
        --------
        >>> TimeModel(WorkCalendar(dt.date(2025, 1, 6)), slots_per_day=2).slots([1, 3]).tolist()
        [2, 6]
        """
        return _ints(working_days) * self.slots_per_day

    def slot_dates(self, x: ArrayLike) -> tuple[npt.NDArray[np.datetime64], IntArray]:
        """Date and half (0 morning, 1 afternoon; always 0 with whole days) of slot ``x``.

        Examples
        --------
        >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)), slots_per_day=2)
        >>> days, half = tm.slot_dates([0, 3])
        >>> [str(d) for d in days], half.tolist()
        (['2025-01-06', '2025-01-07'], [0, 1])
        """
        k = _ints(x)
        spd = self.slots_per_day
        days = np.busday_offset(self.calendar._origin64, k // spd, roll="forward", busdaycal=self.calendar._busdaycal)
        return np.asarray(days, dtype="datetime64[D]"), np.asarray(k % spd, dtype=np.int64)

    def start_slot(self, date: dt.date, half: int = 0) -> int:
        """The first slot at or after the beginning of ``date`` (its afternoon with ``half=1``).

        Examples
        --------
        >>> TimeModel(WorkCalendar(dt.date(2025, 1, 6))).start_slot(dt.date(2025, 1, 11))  # Saturday -> Monday
        5
        """
        u = (date - self.calendar.origin).days * self.slots_per_day + min(half, self.slots_per_day - 1)
        return int(self.first_slot_at_or_after(u))


@dataclass(frozen=True)
class ResourceCalendar:
    """Availability of one resource (a person, or a team of ``units`` alike) on the project's time.

    Parameters
    ----------
    units : int
        Units available on a normal working slot (1 for a person).
    workdays : tuple of int
        Weekdays the resource works (0 = Monday); ``(0, 1, 2, 3)`` is a four-day week.
    off_half_days : tuple of (int, int)
        ``(weekday, half)`` never worked (``(2, 1)``: Wednesday afternoons); needs half-day slots
        to be exact, with whole days such a day counts as not worked at all (never over-booked).
    holidays : tuple of datetime.date
        Days off on top of the project calendar (a regional holiday, a bridge day).
    absences : tuple of (date, date, int)
        Inclusive date ranges where ``units`` are away (leave, training, the absences entered as
        time); ``int`` may be fewer than the resource's units for a team.

    Examples
    --------
    >>> cal = WorkCalendar(dt.date(2025, 1, 6))  # Monday
    >>> tm = TimeModel(cal)
    >>> part_time = ResourceCalendar(workdays=(0, 1, 2, 3), absences=((dt.date(2025, 1, 7), dt.date(2025, 1, 7), 1),))
    >>> part_time.capacity(tm, 10).tolist()  # Tuesday away, Fridays off
    [1, 0, 1, 1, 0, 1, 1, 1, 1, 0]
    """

    units: int = 1
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    off_half_days: tuple[tuple[int, int], ...] = ()
    holidays: tuple[dt.date, ...] = ()
    absences: tuple[tuple[dt.date, dt.date, int], ...] = ()

    def __post_init__(self) -> None:
        if self.units < 0:
            raise InputError("units must not be negative", field="units")
        if any(d not in range(7) for d in self.workdays):
            raise InputError("workdays must be within 0..6", field="workdays")
        for first, last, units in self.absences:
            if last < first:
                raise InputError(f"absence ends ({last}) before it starts ({first})", field="absences")
            if units < 0:
                raise InputError("absent units must not be negative", field="absences")

    def capacity(self, time: TimeModel, horizon: int) -> IntArray:
        """Units available in each slot ``0..horizon-1`` of the project's time model.

        Examples
        --------
        >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)), slots_per_day=2)
        >>> ResourceCalendar(off_half_days=((2, 1),)).capacity(tm, 6).tolist()  # Wednesday afternoon off
        [1, 1, 1, 1, 1, 0]
        """
        days, half = time.slot_dates(np.arange(horizon))
        weekday = (days.astype("datetime64[D]").astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday
        cap = np.where(np.isin(weekday, self.workdays), self.units, 0).astype(np.int64)
        for wd, h in self.off_half_days:
            hit = weekday == wd
            if time.slots_per_day == 2:
                hit &= half == h
            cap[hit] = 0
        if self.holidays:
            cap[np.isin(days, np.array(self.holidays, dtype="datetime64[D]"))] = 0
        for first, last, units in self.absences:
            inside = (days >= np.datetime64(first, "D")) & (days <= np.datetime64(last, "D"))
            cap[inside] = np.maximum(cap[inside] - units, 0)
        return cap


def pool_capacity(time: TimeModel, calendars: Iterable[ResourceCalendar], horizon: int) -> IntArray:
    """Capacity per slot of a pool of resources (a team): the sum of their calendars.

    Examples
    --------
    >>> tm = TimeModel(WorkCalendar(dt.date(2025, 1, 6)))
    >>> pool_capacity(tm, [ResourceCalendar(), ResourceCalendar(workdays=(0, 1, 2))], 5).tolist()
    [2, 2, 2, 1, 1]
    """
    total = np.zeros(horizon, np.int64)
    for c in calendars:
        total += c.capacity(time, horizon)
    return total
