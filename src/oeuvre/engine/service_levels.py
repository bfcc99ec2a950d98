"""Incident service levels: priority from impact × urgency, and deadlines counted in the contract's service hours.

An ITSM contract gives, per priority, a time to take charge (GTI) and a time to restore (GTR) counted only in
service hours (e.g. 8:00–18:00 on working days, public holidays excluded). Plain data in and out: aware
datetimes are converted to the contract's time zone, counted on the wall clock, and converted back.

Examples
--------
>>> import datetime as dt
>>> from zoneinfo import ZoneInfo
>>> paris = ZoneInfo("Europe/Paris")
>>> hours = ServiceHours(tz=paris)
>>> friday_evening = dt.datetime(2026, 12, 4, 17, 0, tzinfo=paris)
>>> add_service_time(friday_evening, dt.timedelta(hours=4), hours).isoformat()
'2026-12-07T11:00:00+01:00'
>>> priority_of(5, 5), priority_of(1, 1)
(1, 5)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_MATRIX",
    "Pause",
    "ServiceHours",
    "ServiceLevel",
    "Timer",
    "add_service_time",
    "add_service_time_paused",
    "holidays_for",
    "levels_from",
    "merge_pauses",
    "priority_of",
    "running_time_between",
    "service_time_between",
    "timer",
]

#: A period the clock stood still (the incident waited on the client): ``(start, end)``, ``end`` None while it lasts.
Pause = tuple[dt.datetime, dt.datetime | None]

#: Priority (1 = very high … 5 = very low) for impact and urgency on 1–5 scales (5 = highest), ITIL-style:
#: ``DEFAULT_MATRIX[impact - 1][urgency - 1]``. A contract may give its own matrix.
DEFAULT_MATRIX: tuple[tuple[int, ...], ...] = (
    (5, 5, 4, 4, 3),  # impact 1 (one user, no effect on work)
    (5, 4, 4, 3, 3),
    (4, 4, 3, 3, 2),
    (4, 3, 3, 2, 1),
    (3, 3, 2, 1, 1),  # impact 5 (whole service down)
)

_MAX_DAYS = 3660  # ten years of calendar days: a deadline further away means the hours are empty


def priority_of(impact: int, urgency: int, matrix: Sequence[Sequence[int]] = DEFAULT_MATRIX) -> int:
    """The priority the matrix gives for ``impact`` and ``urgency`` (each 1–5).

    Raises
    ------
    ValueError
        When impact or urgency is outside the matrix.
    """
    if not 1 <= impact <= len(matrix):
        raise ValueError(f"impact must be between 1 and {len(matrix)}, not {impact}")
    row = matrix[impact - 1]
    if not 1 <= urgency <= len(row):
        raise ValueError(f"urgency must be between 1 and {len(row)}, not {urgency}")
    return int(row[urgency - 1])


@dataclass(frozen=True)
class ServiceHours:
    """When the service clock runs: ``start``–``end`` on ``workdays`` (0 = Monday), except ``holidays``.

    ``always`` makes it run 24 hours a day, 7 days a week (a 24/7 contract), in real elapsed time. Otherwise the
    wall clock of ``tz`` counts (a DST change happens at night, outside service hours).
    """

    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(18, 0)
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    holidays: frozenset[dt.date] = frozenset()
    tz: dt.tzinfo = field(default_factory=lambda: ZoneInfo("Europe/Paris"))
    always: bool = False

    def __post_init__(self) -> None:
        if not self.always:
            if self.end <= self.start:
                raise ValueError("service hours must end after they start")
            if not set(self.workdays) & set(range(7)):
                raise ValueError("service hours need at least one working day")

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's service window on the wall clock (naive), or None when the clock does not run that day."""
        if self.always:
            return dt.datetime.combine(day, dt.time()), dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        if day.weekday() not in self.workdays or day in self.holidays:
            return None
        return dt.datetime.combine(day, self.start), dt.datetime.combine(day, self.end)


def _local(moment: dt.datetime, hours: ServiceHours) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("service-level times must be aware datetimes")
    return moment.astimezone(hours.tz).replace(tzinfo=None)


def _aware(naive: dt.datetime, hours: ServiceHours) -> dt.datetime:
    return naive.replace(tzinfo=hours.tz)


def add_service_time(start: dt.datetime, duration: dt.timedelta, hours: ServiceHours) -> dt.datetime:
    """The moment ``duration`` of service time after ``start`` (an aware datetime, returned in ``hours.tz``).

    A zero duration gives ``start``; time outside the service hours does not count.
    """
    if duration < dt.timedelta(0):
        raise ValueError("a service-level duration cannot be negative")
    if duration == dt.timedelta(0) or hours.always:
        _local(start, hours)  # refuses a naive datetime
        # Round the clock, real time counts (a DST change shortens or lengthens the night, not the service).
        return (start.astimezone(dt.UTC) + duration).astimezone(hours.tz)
    remaining = duration
    cursor = _local(start, hours)
    day = cursor.date()
    for _ in range(_MAX_DAYS):
        window = hours.window(day)
        if window is not None:
            opens, closes = window
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return _aware(begin + remaining, hours)
                remaining -= available
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time())
    raise ValueError("no service hours within ten years: check the working days and holidays")


_WALK_DAYS = 14  # spans longer than this many days count their whole days arithmetically


def _whole_days(first: dt.date, last: dt.date, hours: ServiceHours) -> dt.timedelta:
    """Service time of the whole days ``first`` to ``last`` (inclusive), without walking them one by one."""
    days = (last - first).days + 1
    if days <= 0:
        return dt.timedelta(0)
    workdays = set(hours.workdays) & set(range(7))
    weeks, rest = divmod(days, 7)
    count = weeks * len(workdays)
    count += sum(1 for i in range(rest) if (first + dt.timedelta(days=weeks * 7 + i)).weekday() in workdays)
    count -= sum(1 for h in hours.holidays if first <= h <= last and h.weekday() in workdays)
    per_day = dt.datetime.combine(first, hours.end) - dt.datetime.combine(first, hours.start)
    return per_day * count


def service_time_between(start: dt.datetime, end: dt.datetime, hours: ServiceHours) -> dt.timedelta:
    """Service time elapsed from ``start`` to ``end`` (zero when ``end`` is not after ``start``)."""
    first, last = _local(start, hours), _local(end, hours)
    if hours.always:
        return max(end.astimezone(dt.UTC) - start.astimezone(dt.UTC), dt.timedelta(0))
    if last <= first:
        return dt.timedelta(0)
    total = dt.timedelta(0)
    day = first.date()
    if (last.date() - day).days > _WALK_DAYS:
        # A long span (an incident breached months ago): the whole days between are counted, not walked.
        total += _whole_days(day + dt.timedelta(days=1), last.date() - dt.timedelta(days=1), hours)
        for edge in (day, last.date()):
            window = hours.window(edge)
            if window is not None:
                begin, finish = max(first, window[0]), min(last, window[1])
                if finish > begin:
                    total += finish - begin
        return total
    while day <= last.date():
        window = hours.window(day)
        if window is not None:
            opens, closes = window
            begin, finish = max(first, opens), min(last, closes)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total


@dataclass(frozen=True)
class ServiceLevel:
    """The contract's times for one priority: to take charge (GTI) and to restore the service (GTR)."""

    take_charge: dt.timedelta
    restore: dt.timedelta


@dataclass(frozen=True)
class Timer:
    """One service-level clock of an incident: its deadline, when it stopped (if it did), whether it is breached
    and how much service time is left (negative once past the deadline)."""

    deadline: dt.datetime
    stopped_at: dt.datetime | None
    breached: bool
    remaining: dt.timedelta


def merge_pauses(pauses: Iterable[Pause], now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The pauses in time order, a running one ending at ``now``, overlapping or touching ones merged.

    >>> import datetime as dt
    >>> t = lambda h: dt.datetime(2026, 12, 7, h, tzinfo=dt.UTC)
    >>> [(a.hour, b.hour) for a, b in merge_pauses([(t(9), t(11)), (t(10), t(12)), (t(14), None)], t(15))]
    [(9, 12), (14, 15)]
    """
    closed: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in pauses:
        if start.tzinfo is None or (end is not None and end.tzinfo is None):
            raise ValueError("pause times must be aware datetimes")
        finish = end if end is not None else max(now, start)
        if finish < start:
            raise ValueError(f"a pause cannot end ({finish.isoformat()}) before it starts ({start.isoformat()})")
        closed.append((start, finish))
    closed.sort()
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in closed:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def running_time_between(
    start: dt.datetime, end: dt.datetime, hours: ServiceHours, pauses: Sequence[tuple[dt.datetime, dt.datetime]] = ()
) -> dt.timedelta:
    """Service time from ``start`` to ``end`` during which the clock ran: the merged ``pauses`` do not count."""
    total = service_time_between(start, end, hours)
    for p_start, p_end in pauses:
        total -= service_time_between(max(start, p_start), min(end, p_end), hours)
    return total


def add_service_time_paused(
    start: dt.datetime,
    duration: dt.timedelta,
    hours: ServiceHours,
    pauses: Sequence[tuple[dt.datetime, dt.datetime]] = (),
) -> dt.datetime:
    """Like :func:`add_service_time`, but the clock stands still during the merged ``pauses``.

    >>> import datetime as dt
    >>> from zoneinfo import ZoneInfo
    >>> paris = ZoneInfo("Europe/Paris")
    >>> hours = ServiceHours(tz=paris)
    >>> monday_9 = dt.datetime(2026, 12, 7, 9, tzinfo=paris)
    >>> wait = [(monday_9 + dt.timedelta(hours=1), monday_9 + dt.timedelta(hours=3))]
    >>> add_service_time_paused(monday_9, dt.timedelta(hours=2), hours, wait).hour
    13
    """
    cursor, remaining = start, duration
    for p_start, p_end in pauses:
        if p_end <= cursor:
            continue
        before = service_time_between(cursor, p_start, hours)
        if p_start > cursor and remaining <= before:
            break
        remaining -= before if p_start > cursor else dt.timedelta(0)
        cursor = p_end
    return add_service_time(cursor, remaining, hours)


def timer(
    opened_at: dt.datetime,
    allowed: dt.timedelta,
    stopped_at: dt.datetime | None,
    now: dt.datetime,
    hours: ServiceHours,
    pauses: Iterable[Pause] = (),
) -> Timer:
    """The clock of a target ``allowed`` from ``opened_at``: breached when it stopped (or is still running) after
    the deadline. The clock stands still during ``pauses`` (a GTR while the incident waits on the client); a pause
    still running ends, for this reckoning, at the moment the clock is read (``stopped_at`` or ``now``)."""
    end = stopped_at or now
    merged = merge_pauses(pauses, end)
    deadline = add_service_time_paused(opened_at, allowed, hours, merged)
    breached = end > deadline
    remaining = (
        -running_time_between(deadline, end, hours, merged)
        if breached
        else running_time_between(end, deadline, hours, merged)
    )
    return Timer(deadline, stopped_at, breached, remaining)


def holidays_for(years: Iterable[int], department: str | None = None) -> frozenset[dt.date]:
    """French public holidays of ``years`` (Alsace-Moselle with department 57, 67 or 68), for :class:`ServiceHours`."""
    from oeuvre.engine.calendar import french_holidays

    return frozenset(french_holidays(years, department))


def levels_from(mapping: Mapping[int, tuple[int, int]]) -> dict[int, ServiceLevel]:
    """Service levels from ``{priority: (take-charge minutes, restore minutes)}``."""
    return {
        int(p): ServiceLevel(dt.timedelta(minutes=int(gti)), dt.timedelta(minutes=int(gtr)))
        for p, (gti, gtr) in mapping.items()
    }
