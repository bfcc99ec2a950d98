"""The GTR clock stands still while an incident waits on the client (status « en attente »): engine properties."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oeuvre.engine.service_levels import (
    ServiceHours,
    add_service_time,
    add_service_time_paused,
    holidays_for,
    merge_pauses,
    running_time_between,
    timer,
)

PARIS = ZoneInfo("Europe/Paris")
HOURS = ServiceHours(tz=PARIS, holidays=holidays_for([2026, 2027]))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=PARIS)


def test_it_pushes_the_deadline_by_the_service_time_spent_waiting() -> None:
    opened = at("2026-12-08T09:00")  # Tuesday; 4 h to restore → 13:00 without waiting
    wait = [(at("2026-12-08T10:00"), at("2026-12-08T11:30"))]
    t = timer(opened, dt.timedelta(hours=4), None, at("2026-12-08T12:00"), HOURS, wait)
    assert t.deadline == at("2026-12-08T14:30")
    assert not t.breached
    assert t.remaining == dt.timedelta(hours=2, minutes=30)


def test_a_wait_over_the_night_only_counts_its_service_hours() -> None:
    opened = at("2026-12-08T16:00")
    wait = [(at("2026-12-08T17:00"), at("2026-12-09T09:30"))]  # one hour on Tuesday, half an hour on Wednesday
    assert add_service_time_paused(opened, dt.timedelta(hours=2), HOURS, merge_pauses(wait, opened)) == at(
        "2026-12-09T10:30"
    )


def test_a_wait_still_running_holds_the_clock_until_now() -> None:
    opened = at("2026-12-08T09:00")
    t = timer(opened, dt.timedelta(hours=1), None, at("2026-12-08T15:00"), HOURS, [(at("2026-12-08T09:30"), None)])
    assert not t.breached  # 30 min ran before the wait; the clock has stood still since
    assert t.remaining == dt.timedelta(minutes=30)
    assert t.deadline == at("2026-12-08T15:30")


def test_a_wait_after_the_deadline_does_not_cancel_the_breach() -> None:
    opened = at("2026-12-08T09:00")
    t = timer(
        opened,
        dt.timedelta(hours=1),
        at("2026-12-08T16:00"),
        at("2026-12-08T17:00"),
        HOURS,
        [(at("2026-12-08T11:00"), at("2026-12-08T15:00"))],
    )
    assert t.breached
    assert t.remaining == -dt.timedelta(hours=2)  # 10:00 → 16:00 is 6 h, 4 h of them waiting


def test_it_refuses_a_wait_ending_before_it_starts_and_naive_times() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        merge_pauses([(at("2026-12-08T11:00"), at("2026-12-08T10:00"))], at("2026-12-08T12:00"))
    with pytest.raises(ValueError, match="aware"):
        merge_pauses([(dt.datetime(2026, 12, 8, 10), None)], at("2026-12-08T12:00"))


_moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 10, 30))
_waits = st.lists(
    st.tuples(st.integers(min_value=0, max_value=20 * 24 * 60), st.integers(min_value=0, max_value=3 * 24 * 60)),
    max_size=4,
)


def _pauses(begin: dt.datetime, waits: list[tuple[int, int]]) -> list[tuple[dt.datetime, dt.datetime]]:
    return merge_pauses(
        [(begin + dt.timedelta(minutes=a), begin + dt.timedelta(minutes=a + b)) for a, b in waits], begin
    )


@settings(max_examples=150, deadline=None)
@given(start=_moments, minutes=st.integers(min_value=1, max_value=30 * 60), waits=_waits)
def test_the_clock_runs_exactly_the_allowed_time_between_opening_and_deadline(
    start: dt.datetime, minutes: int, waits: list[tuple[int, int]]
) -> None:
    begin = start.replace(tzinfo=PARIS)
    allowed = dt.timedelta(minutes=minutes)
    pauses = _pauses(begin, waits)
    deadline = add_service_time_paused(begin, allowed, HOURS, pauses)
    assert running_time_between(begin, deadline, HOURS, pauses) == allowed


@settings(max_examples=150, deadline=None)
@given(start=_moments, minutes=st.integers(min_value=0, max_value=30 * 60), waits=_waits)
def test_waiting_never_brings_the_deadline_forward(
    start: dt.datetime, minutes: int, waits: list[tuple[int, int]]
) -> None:
    begin = start.replace(tzinfo=PARIS)
    allowed = dt.timedelta(minutes=minutes)
    assert add_service_time_paused(begin, allowed, HOURS, _pauses(begin, waits)) >= add_service_time(
        begin, allowed, HOURS
    )


@settings(max_examples=100, deadline=None)
@given(start=_moments, minutes=st.integers(min_value=1, max_value=30 * 60))
def test_no_wait_or_a_wait_outside_service_hours_changes_nothing(start: dt.datetime, minutes: int) -> None:
    begin = start.replace(tzinfo=PARIS)
    allowed = dt.timedelta(minutes=minutes)
    plain = add_service_time(begin, allowed, HOURS)
    assert add_service_time_paused(begin, allowed, HOURS, []) == plain
    # A wait from 20:00 to 07:00 the next morning holds no service time.
    night = dt.datetime.combine(begin.date(), dt.time(20)).replace(tzinfo=PARIS)
    night_wait = merge_pauses([(night, night + dt.timedelta(hours=11))], begin)
    assert add_service_time_paused(begin, allowed, HOURS, night_wait) == plain
