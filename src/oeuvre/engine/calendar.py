"""Working calendars: working days, French public holidays, closures, and index <-> date conversion.

A *working-day index* counts working days from the calendar's origin: index 0 is the first
working day on or after ``origin``. Schedules are computed on indices; a start index ``s``
means "at the beginning of working day ``s``" and a finish index ``f`` means "at the end of
working day ``f - 1``" (so an activity of duration ``d`` starting at ``s`` finishes at
``s + d``). Conversions use numpy's business-day functions and are vectorised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from oeuvre.engine.errors import InputError

__all__ = ["WorkCalendar", "french_holidays"]

IntArray = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]

_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# holidays' subdivision codes: "57" is Moselle, "6AE" is the Collectivité européenne d'Alsace (67 + 68).
_ALSACE_MOSELLE = {"57": "57", "67": "6AE", "68": "6AE", "6AE": "6AE"}


def french_holidays(years: Iterable[int], department: str | None = None) -> list[dt.date]:
    """Return French public holidays for ``years``, sorted.

    Parameters
    ----------
    years : iterable of int
        Calendar years.
    department : str, optional
        ``"57"``, ``"67"`` or ``"68"`` adds the Alsace-Moselle holidays (Good Friday and
        26 December). ``None`` gives metropolitan France.

    Returns
    -------
    list of datetime.date

    Examples
    --------
    >>> days = french_holidays([2025])
    >>> dt.date(2025, 7, 14) in days, dt.date(2025, 12, 26) in days
    (True, False)
    >>> dt.date(2025, 12, 26) in french_holidays([2025], department="67")
    True
    """
    # imported here: half a second to import, and only calendars with holidays need it
    import holidays as holidays_lib

    subdiv: str | None = None
    if department is not None:
        if department not in _ALSACE_MOSELLE:
            raise InputError(f"unknown department {department!r}; use 57, 67 or 68", field="department")
        subdiv = _ALSACE_MOSELLE[department]
    return sorted(holidays_lib.country_holidays("FR", years=list(years), subdiv=subdiv).keys())


@dataclass(frozen=True)
class WorkCalendar:
    """A working calendar anchored at ``origin``.

    Parameters
    ----------
    origin : datetime.date
        Project start; index 0 is the first working day on or after it.
    workdays : tuple of int
        Working weekdays, 0 = Monday ... 6 = Sunday. Default Monday to Friday.
    holidays : tuple of datetime.date
        Non-working dates (public holidays and closure days).

    Examples
    --------
    >>> cal = WorkCalendar.france(dt.date(2025, 5, 5), years=range(2025, 2027))
    >>> cal.to_index([dt.date(2025, 5, 5), dt.date(2025, 5, 9)]).tolist()  # 8 May is a holiday
    [0, 3]
    >>> [str(d) for d in cal.to_date([0, 3])]
    ['2025-05-05', '2025-05-09']
    """

    origin: dt.date
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    holidays: tuple[dt.date, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.workdays or any(d not in range(7) for d in self.workdays):
            raise InputError("workdays must be a non-empty subset of 0..6", field="workdays")

    @classmethod
    def france(
        cls,
        origin: dt.date,
        *,
        years: Iterable[int] | None = None,
        department: str | None = None,
        closures: Sequence[tuple[dt.date, dt.date]] = (),
        workdays: tuple[int, ...] = (0, 1, 2, 3, 4),
    ) -> WorkCalendar:
        """Build a French calendar with public holidays and closure periods.

        Parameters
        ----------
        origin : datetime.date
            Project start.
        years : iterable of int, optional
            Years whose holidays are loaded; default ``origin.year`` to ``origin.year + 10``.
        department : str, optional
            ``"57"``, ``"67"`` or ``"68"`` for Alsace-Moselle.
        closures : sequence of (date, date)
            Inclusive closure periods (e.g. a Christmas shutdown).
        workdays : tuple of int
            Working weekdays, 0 = Monday.

        Returns
        -------
        WorkCalendar

        Examples
        --------
        >>> cal = WorkCalendar.france(dt.date(2025, 12, 22),
        ...                           closures=[(dt.date(2025, 12, 24), dt.date(2025, 12, 31))])
        >>> str(cal.to_date([2])[0])  # 22, 23 Dec, then closed until 31 Dec, 1 Jan is a holiday
        '2026-01-02'
        """
        yrs = list(years) if years is not None else list(range(origin.year, origin.year + 11))
        days = set(french_holidays(yrs, department))
        for start, end in closures:
            if end < start:
                raise InputError(f"closure ends ({end}) before it starts ({start})", field="closures")
            days.update(start + dt.timedelta(days=k) for k in range((end - start).days + 1))
        return cls(origin=origin, workdays=tuple(sorted(workdays)), holidays=tuple(sorted(days)))

    # numpy's busday functions take a weekmask string and a holiday array.
    @property
    def _busdaycal(self) -> np.busdaycalendar:
        cached: Any = self.__dict__.get("_cal")
        if cached is None:
            mask = "".join("1" if d in self.workdays else "0" for d in range(7))
            cached = np.busdaycalendar(weekmask=mask, holidays=np.array(self.holidays, dtype="datetime64[D]"))
            object.__setattr__(self, "_cal", cached)
        return cached  # type: ignore[no-any-return]

    @property
    def _origin64(self) -> np.datetime64:
        rolled = np.busday_offset(np.datetime64(self.origin, "D"), 0, roll="forward", busdaycal=self._busdaycal)
        return np.datetime64(rolled, "D")

    def is_working(self, dates: Iterable[dt.date] | DateArray) -> npt.NDArray[np.bool_]:
        """Tell whether each date is a working day.

        Examples
        --------
        >>> WorkCalendar(dt.date(2025, 1, 6)).is_working([dt.date(2025, 1, 11)]).tolist()
        [False]
        """
        arr = np.asarray(list(dates) if not isinstance(dates, np.ndarray) else dates, dtype="datetime64[D]")
        return np.asarray(np.is_busday(arr, busdaycal=self._busdaycal))

    def to_index(self, dates: Iterable[dt.date] | DateArray) -> IntArray:
        """Working-day index of each date; a non-working date maps to the next working day.

        Examples
        --------
        >>> cal = WorkCalendar(dt.date(2025, 1, 6))  # a Monday, no holidays
        >>> cal.to_index([dt.date(2025, 1, 6), dt.date(2025, 1, 11), dt.date(2025, 1, 13)]).tolist()
        [0, 5, 5]
        >>> cal.to_index([dt.date(2025, 1, 4), dt.date(2025, 1, 3)]).tolist()  # before: Saturday -> Monday, Friday
        [0, -1]
        """
        arr = np.asarray(list(dates) if not isinstance(dates, np.ndarray) else dates, dtype="datetime64[D]")
        origin = self._origin64
        # numpy counts (date, origin] for an earlier date: count [date, origin) instead, negated
        forward = np.busday_count(origin, np.maximum(arr, origin), busdaycal=self._busdaycal)
        backward = np.busday_count(np.minimum(arr, origin), origin, busdaycal=self._busdaycal)
        return np.asarray(np.where(arr >= origin, forward, -backward), dtype=np.int64)

    def to_date(self, index: Iterable[int] | IntArray) -> DateArray:
        """Date of working day ``index`` (the day an activity starting at ``index`` begins).

        Examples
        --------
        >>> cal = WorkCalendar(dt.date(2025, 1, 6))
        >>> [str(d) for d in cal.to_date([0, 4, 5])]
        ['2025-01-06', '2025-01-10', '2025-01-13']
        """
        idx = np.asarray(list(index) if not isinstance(index, np.ndarray) else index, dtype=np.int64)
        return np.asarray(np.busday_offset(self._origin64, idx, roll="forward", busdaycal=self._busdaycal))

    def finish_date(self, finish_index: Iterable[int] | IntArray) -> DateArray:
        """Date of the last working day of an activity finishing at ``finish_index``.

        A finish index ``f`` is the end of working day ``f - 1``. For ``f == 0`` the origin is returned.

        Examples
        --------
        >>> cal = WorkCalendar(dt.date(2025, 1, 6))
        >>> [str(d) for d in cal.finish_date([5])]  # 5 days from Monday end on Friday
        ['2025-01-10']
        """
        idx = np.asarray(list(finish_index) if not isinstance(finish_index, np.ndarray) else finish_index)
        return self.to_date(np.maximum(idx.astype(np.int64) - 1, 0))

    def add_calendar_days(self, index: IntArray, days: IntArray) -> IntArray:
        """Shift time points by calendar days (for calendar-day lags), vectorised.

        The time point ``index`` is taken at the end of working day ``index - 1``; adding
        ``days`` calendar days gives an instant, and the result is the first working-day index
        that begins at or after it.

        Examples
        --------
        >>> cal = WorkCalendar(dt.date(2025, 1, 6))  # Monday
        >>> cal.add_calendar_days(np.array([5]), np.array([2])).tolist()  # Fri evening + 2 days -> Mon
        [5]
        >>> cal.add_calendar_days(np.array([3]), np.array([1])).tolist()  # Wed evening + 1 day -> Fri
        [4]
        """
        idx = np.asarray(index, dtype=np.int64)
        end_of_prev = np.where(
            idx > 0,
            self.to_date(np.maximum(idx - 1, 0)) + np.timedelta64(1, "D"),
            self._origin64,
        )
        instant = end_of_prev + np.asarray(days, dtype="timedelta64[D]")
        return np.asarray(np.busday_count(self._origin64, instant, busdaycal=self._busdaycal), dtype=np.int64)

    def sub_calendar_days(self, index: IntArray, days: IntArray) -> IntArray:
        """Inverse of :meth:`add_calendar_days` for backward passes.

        Returns the largest time point ``x`` with ``add_calendar_days(x, days) <= index``.

        Examples
        --------
        >>> cal = WorkCalendar(dt.date(2025, 1, 6))
        >>> cal.sub_calendar_days(np.array([5]), np.array([2])).tolist()
        [5]
        """
        idx = np.asarray(index, dtype=np.int64)
        target = self.to_date(idx) - np.asarray(days, dtype="timedelta64[D]")
        return np.asarray(np.busday_count(self._origin64, target, busdaycal=self._busdaycal), dtype=np.int64)
