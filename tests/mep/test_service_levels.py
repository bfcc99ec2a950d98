"""Service-level clocks on the contract's service hours: nights, weekends, public holidays, time zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oeuvre.engine.service_levels import (
    DEFAULT_MATRIX,
    ServiceHours,
    add_service_time,
    holidays_for,
    priority_of,
    service_time_between,
    timer,
)

PARIS = ZoneInfo("Europe/Paris")
HOURS = ServiceHours(tz=PARIS, holidays=holidays_for([2026, 2027]))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=PARIS)


def test_a_deadline_within_the_day_stays_that_day() -> None:
    assert add_service_time(at("2026-12-08T09:00"), dt.timedelta(hours=4), HOURS) == at("2026-12-08T13:00")


def test_the_clock_stops_overnight() -> None:
    assert add_service_time(at("2026-12-08T16:00"), dt.timedelta(hours=4), HOURS) == at("2026-12-09T10:00")


def test_an_incident_opened_at_night_starts_counting_at_opening_time() -> None:
    assert add_service_time(at("2026-12-08T23:30"), dt.timedelta(hours=1), HOURS) == at("2026-12-09T09:00")


def test_the_clock_skips_the_weekend() -> None:
    assert add_service_time(at("2026-12-11T17:00"), dt.timedelta(hours=2), HOURS) == at("2026-12-14T09:00")
    assert add_service_time(at("2026-12-12T10:00"), dt.timedelta(hours=2), HOURS) == at("2026-12-14T10:00")


def test_the_clock_skips_public_holidays() -> None:
    # Thursday 24 December 17:00 + 2 h: Christmas (Friday) and the weekend do not count.
    assert add_service_time(at("2026-12-24T17:00"), dt.timedelta(hours=2), HOURS) == at("2026-12-28T09:00")
    # 26 December is a working day only outside Alsace-Moselle; a Saturday in 2026, so use 2025 (a Friday).
    metropole = ServiceHours(tz=PARIS, holidays=holidays_for([2025]))
    moselle = ServiceHours(tz=PARIS, holidays=holidays_for([2025], department="57"))
    start = at("2025-12-24T17:00")
    assert add_service_time(start, dt.timedelta(hours=2), metropole) == at("2025-12-26T09:00")
    assert add_service_time(start, dt.timedelta(hours=2), moselle) == at("2025-12-29T09:00")


def test_a_contract_with_its_own_hours_and_days() -> None:
    saturday_mornings = ServiceHours(start=dt.time(9), end=dt.time(12), workdays=(0, 1, 2, 3, 4, 5), tz=PARIS)
    assert add_service_time(at("2026-12-11T17:30"), dt.timedelta(hours=2), saturday_mornings) == at("2026-12-12T11:00")


def test_a_24_7_contract_counts_every_hour_across_the_dst_change() -> None:
    always = ServiceHours(always=True, tz=PARIS)
    # 29 March 2026: the clocks go forward at 2:00, so 4 real hours from 0:00 end at 5:00 local time.
    assert add_service_time(at("2026-03-29T00:00"), dt.timedelta(hours=4), always) == at("2026-03-29T05:00")
    assert service_time_between(at("2026-03-29T00:00"), at("2026-03-29T05:00"), always) == dt.timedelta(hours=4)
    assert add_service_time(at("2026-12-12T22:00"), dt.timedelta(hours=4), always) == at("2026-12-13T02:00")


def test_aware_times_from_another_zone_are_counted_on_the_contracts_clock() -> None:
    utc = dt.datetime(2026, 12, 8, 16, 0, tzinfo=dt.UTC)  # 17:00 in Paris
    assert add_service_time(utc, dt.timedelta(hours=2), HOURS) == at("2026-12-09T09:00")
    with pytest.raises(ValueError, match="aware"):
        add_service_time(dt.datetime(2026, 12, 8, 9), dt.timedelta(hours=1), HOURS)


def test_elapsed_service_time_ignores_nights_weekends_and_holidays() -> None:
    assert service_time_between(at("2026-12-11T17:00"), at("2026-12-14T09:30"), HOURS) == dt.timedelta(hours=2.5)
    assert service_time_between(at("2026-12-24T17:00"), at("2026-12-28T08:00"), HOURS) == dt.timedelta(hours=1)
    assert service_time_between(at("2026-12-10T10:00"), at("2026-12-09T10:00"), HOURS) == dt.timedelta(0)


def test_a_timer_is_breached_when_the_deadline_passes_unanswered() -> None:
    opened = at("2026-12-11T16:00")  # a Friday
    running = timer(opened, dt.timedelta(hours=4), None, at("2026-12-14T09:00"), HOURS)
    assert running.deadline == at("2026-12-14T10:00")
    assert (running.breached, running.remaining) == (False, dt.timedelta(hours=1))
    late = timer(opened, dt.timedelta(hours=4), None, at("2026-12-14T11:30"), HOURS)
    assert (late.breached, late.remaining) == (True, -dt.timedelta(hours=1.5))
    stopped = timer(opened, dt.timedelta(hours=4), at("2026-12-14T09:45"), at("2026-12-20T12:00"), HOURS)
    assert (stopped.breached, stopped.remaining) == (False, dt.timedelta(minutes=15))


def test_the_priority_matrix() -> None:
    assert priority_of(5, 5) == 1
    assert priority_of(1, 1) == 5
    assert priority_of(3, 3) == 3
    assert all(priority_of(i, u) >= priority_of(min(i + 1, 5), u) for i in range(1, 6) for u in range(1, 6))
    custom = ((2, 1), (1, 1))
    assert priority_of(1, 1, custom) == 2
    with pytest.raises(ValueError, match="impact"):
        priority_of(6, 1, DEFAULT_MATRIX)
    with pytest.raises(ValueError, match="urgency"):
        priority_of(1, 0)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 11, 30)),
    minutes=st.integers(min_value=1, max_value=60 * 60),
)
def test_adding_then_measuring_gives_back_the_duration(start: dt.datetime, minutes: int) -> None:
    begin = start.replace(tzinfo=PARIS)
    duration = dt.timedelta(minutes=minutes)
    deadline = add_service_time(begin, duration, HOURS)
    assert service_time_between(begin, deadline, HOURS) == duration
    window = HOURS.window(deadline.date())
    assert window is not None
    assert window[0] < deadline.replace(tzinfo=None) <= window[1]


def test_a_long_span_counts_its_whole_days_like_walking_them_day_by_day() -> None:
    """Spans over two weeks count whole days arithmetically (weeks, holidays); the result is the day-by-day one."""
    import random

    from oeuvre.engine import service_levels as sl

    paris = ZoneInfo("Europe/Paris")
    hours = sl.ServiceHours(holidays=sl.holidays_for(range(2025, 2029), "57"), tz=paris, workdays=(0, 1, 2, 3, 5))

    def walked(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        first, last = start.astimezone(paris).replace(tzinfo=None), end.astimezone(paris).replace(tzinfo=None)
        total, day = dt.timedelta(0), first.date()
        while day <= last.date():
            window = hours.window(day)
            if window is not None and min(last, window[1]) > max(first, window[0]):
                total += min(last, window[1]) - max(first, window[0])
            day += dt.timedelta(days=1)
        return total

    rng = random.Random(7)
    for _ in range(500):
        start = dt.datetime(2025, 3, 1, tzinfo=paris) + dt.timedelta(minutes=rng.randint(0, 1_000_000))
        end = start + dt.timedelta(minutes=rng.randint(20_000, 700_000))  # 2 weeks to 16 months, DST changes
        assert sl.service_time_between(start, end, hours) == walked(start, end), (start, end)
