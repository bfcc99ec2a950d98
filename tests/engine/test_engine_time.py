"""The time model: calendar-day lags, elapsed time and resource calendars, on hand-worked calendars.

Each case says the dates out loud: the slot numbers are the working days counted from the origin,
and the expected dates were worked out on a calendar, not by the code under test.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oeuvre.engine import Activity, Link, LinkType, Network, WorkCalendar, schedule
from oeuvre.engine.errors import InputError
from oeuvre.engine.timemodel import ResourceCalendar, TimeModel, pool_capacity
from oeuvre.engine.validation import check_schedule

MONDAY = dt.date(2025, 1, 6)  # no holiday in the weeks used


def _date(tm: TimeModel, slot: int) -> str:
    days, half = tm.slot_dates([slot])
    return f"{days[0]}" + (" pm" if tm.slots_per_day == 2 and half[0] else "")


def test_it_counts_fs_calendar_days_from_the_evening_of_the_last_working_day() -> None:
    tm = TimeModel(WorkCalendar(MONDAY))
    # A task ends on Friday 10 January in the evening (finish boundary 5).
    # FS+1cd and FS+2cd: Saturday, Sunday elapse -> Monday 13; FS+3cd: Monday too -> Tuesday 14.
    for days, expected in ((0, "2025-01-13"), (1, "2025-01-13"), (2, "2025-01-13"), (3, "2025-01-14")):
        y = int(tm.shift(5, days, from_finish=True, to_finish=False))
        assert _date(tm, y) == expected, days


def test_it_counts_ss_calendar_days_from_the_morning_of_the_start() -> None:
    tm = TimeModel(WorkCalendar(MONDAY))
    # A task starts on Monday 13 January (boundary 5): SS+2cd -> Wednesday 15, SS+5cd -> Saturday -> Monday 20.
    assert _date(tm, int(tm.shift(5, 2, from_finish=False, to_finish=False))) == "2025-01-15"
    assert _date(tm, int(tm.shift(5, 5, from_finish=False, to_finish=False))) == "2025-01-20"
    # The old model counted from the evening before (Sunday night): SS+2cd gave Tuesday 14.
    assert int(tm.shift(5, 2, from_finish=False, to_finish=False)) == 7


def test_ff_and_sf_bound_the_end_of_a_working_day() -> None:
    tm = TimeModel(WorkCalendar(MONDAY))
    # FF+2cd after a Friday-evening finish: the lag ends on Sunday night, the successor cannot end
    # on the weekend, so it ends on Monday evening at the earliest (finish boundary 6).
    assert int(tm.shift(5, 2, from_finish=True, to_finish=True)) == 6
    # FF+1cd after a Thursday-evening finish (boundary 4): Friday evening (boundary 5).
    assert int(tm.shift(4, 1, from_finish=True, to_finish=True)) == 5
    # SF+0cd from a Monday-morning start (boundary 5): the successor must end at Monday 00:00 or
    # later; Friday evening is before that instant, so Monday evening (6). In working days (SF+0)
    # both are the same boundary and Friday evening would do: only real time tells them apart.
    assert int(tm.shift(5, 0, from_finish=False, to_finish=True)) == 6


def test_public_holidays_of_may() -> None:
    # 2025: Thursday 1 May and Thursday 8 May are holidays. Origin Monday 28 April:
    # Mon 28 = 0, Tue 29 = 1, Wed 30 = 2, Fri 2 May = 3, Mon 5 = 4, Tue 6 = 5, Wed 7 = 6, Fri 9 = 7.
    tm = TimeModel(WorkCalendar.france(dt.date(2025, 4, 28)))
    assert [_date(tm, k) for k in (2, 3, 6, 7)] == ["2025-04-30", "2025-05-02", "2025-05-07", "2025-05-09"]
    # Finish on Wednesday 30 April evening (boundary 3), FS+1cd: Thursday 1 May elapses -> Friday 2 May.
    assert _date(tm, int(tm.shift(3, 1, from_finish=True, to_finish=False))) == "2025-05-02"
    # Finish on Wednesday 7 May (boundary 7), FS+1cd -> Friday 9 May; FS+2cd -> Saturday -> Monday 12.
    assert _date(tm, int(tm.shift(7, 1, from_finish=True, to_finish=False))) == "2025-05-09"
    assert _date(tm, int(tm.shift(7, 2, from_finish=True, to_finish=False))) == "2025-05-12"


def test_alsace_moselle_has_its_own_26_december() -> None:
    # Origin Monday 22 December 2025; a 2-day task ends on Tuesday 23 in the evening (boundary 2).
    # FS+2cd: Wednesday 24 and Thursday 25 (Christmas) elapse; the next working day is Friday 26
    # in Paris, Monday 29 in Metz (26 December is a holiday in Moselle).
    paris = TimeModel(WorkCalendar.france(dt.date(2025, 12, 22)))
    metz = TimeModel(WorkCalendar.france(dt.date(2025, 12, 22), department="57"))
    assert _date(paris, int(paris.shift(2, 2, from_finish=True, to_finish=False))) == "2025-12-26"
    assert _date(metz, int(metz.shift(2, 2, from_finish=True, to_finish=False))) == "2025-12-29"
    # Good Friday 3 April 2026 is a holiday in Alsace-Moselle only.
    strasbourg = TimeModel(WorkCalendar.france(dt.date(2026, 3, 30), department="67"))
    lyon = TimeModel(WorkCalendar.france(dt.date(2026, 3, 30)))
    assert _date(strasbourg, 4) == "2026-04-07"  # Mon 30, Tue 31, Wed 1, Thu 2, (Fri 3, Easter Monday 6 off)
    assert _date(lyon, 4) == "2026-04-03"


def test_a_closure_swallows_the_lag() -> None:
    # Closed 10-14 August 2026 (and 15 August is a Saturday). Origin Monday 3 August.
    cal = WorkCalendar.france(dt.date(2026, 8, 3), closures=[(dt.date(2026, 8, 10), dt.date(2026, 8, 14))])
    tm = TimeModel(cal)
    # A week of work ends on Friday 7 in the evening (boundary 5); FS+3cd ends on Monday 10 at
    # midnight inside the closure, so the successor starts on Monday 17 (slot 5).
    y = int(tm.shift(5, 3, from_finish=True, to_finish=False))
    assert (y, _date(tm, y)) == (5, "2026-08-17")
    # FS+10cd: 8 + 10 days = Tuesday 18 at midnight -> Tuesday 18 (slot 6).
    assert _date(tm, int(tm.shift(5, 10, from_finish=True, to_finish=False))) == "2026-08-18"


def test_negative_calendar_lags_go_back_in_days() -> None:
    tm = TimeModel(WorkCalendar(MONDAY))
    # Finish on Wednesday 8 January evening (boundary 3) with FS-2cd: Tuesday 7 at midnight -> Tuesday (slot 1).
    assert int(tm.shift(3, -2, from_finish=True, to_finish=False)) == 1
    # Before the origin, slots go negative: finish Monday evening (1), FS-5cd -> Thursday 2 January.
    y = int(tm.shift(1, -5, from_finish=True, to_finish=False))
    assert (y, _date(tm, y)) == (-2, "2025-01-02")


def test_half_day_slots() -> None:
    tm = TimeModel(WorkCalendar(MONDAY), slots_per_day=2)
    # Slot 4 is Wednesday morning; a task ending with it ends at Wednesday noon (boundary 5).
    assert _date(tm, 4) == "2025-01-08"
    assert _date(tm, 5) == "2025-01-08 pm"
    # FS+1cd from Wednesday noon: Thursday noon -> Thursday afternoon (slot 7).
    assert int(tm.shift(5, 1, from_finish=True, to_finish=False)) == 7
    # From Friday noon (boundary 9) FS+1cd: Saturday noon -> Monday morning (slot 10).
    assert int(tm.shift(9, 1, from_finish=True, to_finish=False)) == 10


def test_elapsed_durations() -> None:
    tm = TimeModel(WorkCalendar(MONDAY))
    # 7 elapsed days from Monday 6: until Monday 13 at midnight -> successors from Monday 13 (slot 5);
    # 3 elapsed days from Thursday 9 (slot 3): Sunday night -> Monday 13 (slot 5).
    assert tm.elapsed_finish([0, 3], [7, 3]).tolist() == [5, 5]


def test_dates_become_slots_and_back() -> None:
    tm = TimeModel(WorkCalendar.france(dt.date(2025, 4, 28)))
    assert tm.start_slot(dt.date(2025, 5, 1)) == 3  # a holiday starts on the next working day
    assert tm.slots([2, 5]).tolist() == [2, 5]
    with pytest.raises(InputError):
        TimeModel(WorkCalendar(MONDAY), slots_per_day=3)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(-40, 200),
    st.integers(-20, 40),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, "57"]),
    st.integers(1, 2),
)
def test_unshift_is_the_exact_inverse_of_shift(
    x: int, days: int, from_finish: bool, to_finish: bool, department: str | None, spd: int
) -> None:
    cal = WorkCalendar.france(
        dt.date(2025, 12, 15), department=department, closures=[(dt.date(2026, 2, 16), dt.date(2026, 2, 27))]
    )
    tm = TimeModel(cal, spd)
    y = int(tm.shift(x, days, from_finish=from_finish, to_finish=to_finish))
    back = int(tm.unshift(y, days, from_finish=from_finish, to_finish=to_finish))
    assert back >= x
    assert int(tm.shift(back, days, from_finish=from_finish, to_finish=to_finish)) <= y
    assert int(tm.shift(back + 1, days, from_finish=from_finish, to_finish=to_finish)) > y
    assert int(tm.shift(x + 1, days, from_finish=from_finish, to_finish=to_finish)) >= y  # monotone


def test_a_resource_calendar_gives_capacity_per_slot() -> None:
    tm = TimeModel(WorkCalendar.france(dt.date(2025, 5, 5)))  # Thursday 8 May is a holiday (project calendar)
    # Slots: Mon 5 = 0, Tue 6 = 1, Wed 7 = 2, Fri 9 = 3, Mon 12 = 4, Tue 13 = 5, Wed 14 = 6, Thu 15 = 7, Fri 16 = 8
    four_days = ResourceCalendar(workdays=(0, 1, 2, 3))  # does not work on Fridays
    assert four_days.capacity(tm, 9).tolist() == [1, 1, 1, 0, 1, 1, 1, 1, 0]
    on_leave = ResourceCalendar(absences=((dt.date(2025, 5, 12), dt.date(2025, 5, 13), 1),), holidays=(MONDAY,))
    assert on_leave.capacity(tm, 9).tolist() == [1, 1, 1, 1, 0, 0, 1, 1, 1]
    team = ResourceCalendar(units=3, absences=((dt.date(2025, 5, 6), dt.date(2025, 5, 7), 1),))
    assert pool_capacity(tm, [team, four_days], 4).tolist() == [4, 3, 3, 3]
    with pytest.raises(InputError):
        ResourceCalendar(absences=((dt.date(2025, 5, 13), dt.date(2025, 5, 12), 1),))


def test_half_day_part_time() -> None:
    tm = TimeModel(WorkCalendar(MONDAY), slots_per_day=2)
    # Works mornings only on Wednesday, not at all on Friday.
    cal = ResourceCalendar(workdays=(0, 1, 2, 3), off_half_days=((2, 1),))
    assert cal.capacity(tm, 10).tolist() == [1, 1, 1, 1, 1, 0, 1, 1, 0, 0]
    # With whole days the half-worked Wednesday is not worked at all (never over-booked).
    assert cal.capacity(TimeModel(WorkCalendar(MONDAY)), 5).tolist() == [1, 1, 0, 1, 0]


def test_cpm_uses_the_exact_lags_both_ways() -> None:
    cal = WorkCalendar(MONDAY)
    net = Network(
        [Activity("A", 5), Activity("B", 2), Activity("C", 1), Activity("D", 1)],
        [
            Link("A", "B", LinkType.FS, 3, calendar_days=True),  # Friday evening + 3 days: Tuesday
            Link("A", "C", LinkType.SS, 2, calendar_days=True),  # Monday morning + 2 days: Wednesday
            Link("B", "D"),
            Link("C", "D"),
        ],
        calendar=cal,
    )
    r = schedule(net)
    assert r.es.tolist() == [0, 6, 2, 8]
    assert r.finish == 9
    # backwards: D must start by 8, so B by 6, so A must finish so that +3cd lands by Tuesday: Friday.
    assert r.ls.tolist() == [0, 6, 7, 8]
    assert r.total_float.tolist() == [0, 0, 5, 0]
    assert check_schedule(net.compile(), r.es).ok
    assert check_schedule(net.compile(), r.ls).ok


def test_the_validator_reads_calendar_lags_on_dates() -> None:
    cal = WorkCalendar(MONDAY)
    net = Network(
        [Activity("A", 5), Activity("B", 1), Activity("C", 1)],
        [Link("A", "B", LinkType.FS, 3, calendar_days=True), Link("A", "C", LinkType.SS, 2, calendar_days=True)],
        calendar=cal,
    ).compile()
    report = check_schedule(net, np.array([0, 5, 1]))
    assert report.violations == [
        "link A -> B (FS+3cd) broken: B starts 2025-01-13 00:00, needs 2025-01-14 00:00 or later",
        "link A -> C (SS+2cd) broken: C starts 2025-01-07 00:00, needs 2025-01-08 00:00 or later",
    ]
    assert check_schedule(net, np.array([0, 6, 2])).ok
