"""Levelling and Monte Carlo on the exact time model: calendar-day lags, deadlines, the validator everywhere."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oeuvre.engine import (
    Activity,
    CompiledNetwork,
    Constraint,
    ConstraintType,
    InfeasibleError,
    LevellingProblem,
    Link,
    LinkType,
    Network,
    WorkCalendar,
    level,
    level_heuristic,
    monte_carlo,
    schedule,
    validate,
)
from oeuvre.engine.validation import check_schedule

MONDAY = dt.date(2025, 1, 6)


def test_levelling_never_starts_before_a_calendar_day_lag_allows() -> None:
    # One developer: SPEC (3 days) must wait for DESIGN (2 days), so DESIGN runs Monday-Tuesday and
    # SPEC Wednesday-Friday, ending on Friday evening. REVIEW follows SPEC with FS+3cd: Saturday,
    # Sunday and Monday elapse, REVIEW starts on Tuesday 14 (slot 6), not on Monday (slot 5).
    cal = WorkCalendar(MONDAY)
    net = Network(
        [Activity("DESIGN", 2), Activity("SPEC", 3), Activity("REVIEW", 1)],
        [Link("SPEC", "REVIEW", LinkType.FS, 3, calendar_days=True)],
        calendar=cal,
    )
    p = LevellingProblem.build(net, {"DESIGN": {"dev": 1}, "SPEC": {"dev": 1}}, {"dev": 1})
    for r in (level_heuristic(p, iterations=20), level(p, time_limit=3, workers=1)):
        assert r.validation.ok, r.validation.violations
        s = dict(zip(r.ids, r.start.tolist(), strict=True))
        # either order of the developer's two tasks; REVIEW is always 3 calendar days after SPEC ends
        spec_end = s["SPEC"] + 3
        assert s["REVIEW"] >= int(net.compile().time_model.shift(spec_end, 3, from_finish=True, to_finish=False))
    best = level(p, time_limit=3, workers=1)
    # SPEC first (Mon-Wed), +3cd from Wednesday evening -> Saturday night -> Monday 13 (slot 5); DESIGN Thu-Fri.
    assert best.makespan == 6
    assert best.optimal


def test_an_ss_calendar_lag_counts_from_the_morning() -> None:
    cal = WorkCalendar(MONDAY)
    net = Network(
        [Activity("A", 3), Activity("B", 2), Activity("C", 2)],
        [Link("B", "C", LinkType.SS, 2, calendar_days=True)],
        calendar=cal,
    )
    # One tester for A and B: B goes on Thursday 9 (slot 3) at best... or first.
    p = LevellingProblem.build(net, {"A": {"t": 1}, "B": {"t": 1}}, {"t": 1})
    r = level(p, time_limit=3, workers=1)
    assert r.validation.ok
    s = dict(zip(r.ids, r.start.tolist(), strict=True))
    # B starts Monday (0) -> C on Wednesday (2); a start on Thursday (3) -> Saturday -> Monday (5).
    expected = {0: 2, 3: 5}
    assert s["C"] >= expected.get(s["B"], 0)
    assert r.makespan == 5  # B, then A; C Wednesday-Thursday


def test_a_deadline_that_links_alone_rule_out_is_explained_with_its_chain() -> None:
    net = Network(
        [Activity("SFD", 5), Activity("DEV", 10), Activity("RECETTE", 5), Activity("MEP", 0)],
        [Link("SFD", "DEV"), Link("DEV", "RECETTE"), Link("RECETTE", "MEP")],
        [Constraint("MEP", ConstraintType.FNLT, 15)],
    )
    p = LevellingProblem.build(net, {"DEV": {"dev": 1}}, {"dev": 1})
    with pytest.raises(InfeasibleError) as exc:
        level(p, time_limit=2, workers=1)
    assert exc.value.proven
    assert exc.value.activity == "MEP"
    assert exc.value.chain == ("SFD", "DEV", "RECETTE", "MEP")
    assert "earliest finish is 20" in str(exc.value)
    with pytest.raises(InfeasibleError):
        level_heuristic(p, iterations=5)


def test_a_deadline_that_the_resource_rules_out_names_the_resource() -> None:
    # Two 4-day tasks for one developer before a milestone due at the end of day 6.
    net = Network(
        [Activity("A", 4), Activity("B", 4), Activity("M", 0)],
        [Link("A", "M"), Link("B", "M")],
        [Constraint("M", ConstraintType.FNLT, 6)],
    )
    p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": 1})
    with pytest.raises(InfeasibleError) as exc:
        level(p, time_limit=2, workers=1)
    assert exc.value.proven
    assert exc.value.resource == "dev"
    assert set(exc.value.chain) == {"A", "B", "M"}
    assert "need 8 slot-units of 'dev', which offers 6" in str(exc.value)


def test_hard_deadlines_reorder_the_work_and_soft_ones_may_be_missed() -> None:
    # One developer, two tasks; B is due by the end of day 3 (FNLT 3). The LFT rule puts B first.
    net = Network([Activity("A", 3), Activity("B", 3)], [], [Constraint("B", ConstraintType.FNLT, 3)])
    p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": 1})
    r = level(p, time_limit=2, workers=1)
    assert r.start.tolist() == [3, 0]
    assert r.lateness == 0
    assert r.validation.ok
    # Both due by day 3: impossible; soft deadlines give a schedule and report the lateness.
    net2 = Network(
        [Activity("A", 3), Activity("B", 3)],
        [],
        [Constraint("B", ConstraintType.FNLT, 3), Constraint("A", ConstraintType.FNLT, 3)],
    )
    p2 = LevellingProblem.build(net2, {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": 1})
    with pytest.raises(InfeasibleError):
        level(p2, time_limit=2, workers=1)
    soft = level(p2, time_limit=2, workers=1, deadlines="soft", penalty=5)
    assert soft.makespan == 6
    assert soft.lateness == 3
    assert soft.validation.ok
    assert len(soft.validation.warnings) == 1
    assert "3 late" in soft.validation.warnings[0]
    assert soft.to_dict()["lateness"] == 3


def test_a_soft_penalty_trades_lateness_against_makespan() -> None:
    # C needs the developer for 4 days and is due by day 2 (FNLT 2): impossible to meet, but the
    # penalty decides whether C goes first. A (1 day) precedes the long chain A -> B (5 days).
    net = Network(
        [Activity("A", 1), Activity("B", 5), Activity("C", 4)],
        [Link("A", "B")],
        [Constraint("C", ConstraintType.FNLT, 2)],
    )
    p = LevellingProblem.build(net, {"A": {"dev": 1}, "C": {"dev": 1}}, {"dev": 1})
    cheap = level(p, time_limit=2, workers=1, deadlines="soft", penalty=0)
    assert cheap.makespan == 6  # A first, then C; lateness does not matter
    dear = level(p, time_limit=2, workers=1, deadlines="soft", penalty=10)
    s = dict(zip(dear.ids, dear.start.tolist(), strict=True))
    assert s["C"] == 0
    assert dear.lateness == 2
    assert dear.makespan == 10


def test_must_finish_on_and_start_no_later_than() -> None:
    net = Network(
        [Activity("A", 2), Activity("B", 2), Activity("C", 1)],
        [Link("A", "C")],
        [Constraint("B", ConstraintType.MFO, 4), Constraint("A", ConstraintType.SNLT, 0)],
    )
    p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}, "C": {"dev": 1}}, {"dev": 1})
    r = level(p, time_limit=2, workers=1)
    assert r.start.tolist() == [0, 2, 4]
    assert r.validation.ok
    assert not validate(p, [0, 1, 4]).ok  # B would finish at 3, not on 4
    assert not validate(p, [1, 3, 5]).ok  # A would start after 0


def test_the_validator_checks_the_six_constraints() -> None:
    acts = [Activity(x, 2) for x in "ABCDEF"]
    cons = [
        Constraint("A", ConstraintType.SNET, 2),
        Constraint("B", ConstraintType.SNLT, 2),
        Constraint("C", ConstraintType.FNET, 4),
        Constraint("D", ConstraintType.FNLT, 4),
        Constraint("E", ConstraintType.MSO, 3),
        Constraint("F", ConstraintType.MFO, 5),
    ]
    net = Network(acts, [], cons).compile()
    assert check_schedule(net, [2, 2, 2, 2, 3, 3]).ok
    bad = check_schedule(net, [1, 3, 1, 3, 4, 2])
    assert [i.activities[0] for i in bad.issues] == ["A", "B", "C", "D", "E", "F"]
    soft = check_schedule(net, [2, 3, 2, 3, 3, 3], deadlines="soft")
    assert soft.ok
    assert len(soft.warnings) == 2


def test_monte_carlo_with_calendar_lags_is_exact_on_whole_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OEUVRE_ENGINE_DEBUG", "1")  # every sample goes through the validator
    cal = WorkCalendar.france(dt.date(2025, 4, 28))
    net = Network(
        [Activity("A", 3), Activity("B", 2)],
        [Link("A", "B", LinkType.FS, 1, calendar_days=True)],
        calendar=cal,
    )
    # A always lasts 3 days: ends Wednesday 30 April; +1cd over the 1 May holiday: B from Friday 2 May (slot 3).
    r = monte_carlo(net, [3, 1], [3, 2], [3, 3], iterations=200, seed=3)
    assert r.deterministic_finish == 5
    assert set(np.unique(r.finish).tolist()) <= {4.0, 5.0, 6.0}
    assert r.finish.min() >= 4.0


@st.composite
def calendar_problems(draw: st.DrawFn) -> LevellingProblem:
    n = draw(st.integers(2, 8))
    d = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    links = []
    for _ in range(draw(st.integers(0, 2 * n))):
        a = draw(st.integers(0, n - 2))
        links.append((a, draw(st.integers(a + 1, n - 1)), draw(st.integers(0, 3)), draw(st.integers(-3, 6))))
    calendar_lag = [draw(st.booleans()) for _ in links]
    closures = []
    if draw(st.booleans()):
        first = dt.date(2025, 12, 15) + dt.timedelta(days=draw(st.integers(0, 20)))
        closures.append((first, first + dt.timedelta(days=draw(st.integers(0, 9)))))
    cal = WorkCalendar.france(dt.date(2025, 12, 15), department=draw(st.sampled_from([None, "57"])), closures=closures)
    cap = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    q = np.array([[draw(st.integers(0, c)) for c in cap] for _ in range(n)], dtype=np.int64)
    net = CompiledNetwork.from_arrays(
        d,
        [x[0] for x in links],
        [x[1] for x in links],
        [x[2] for x in links],
        [x[3] for x in links],
        calendar_lag=calendar_lag,
        calendar=cal,
    )
    profiles = {
        f"r{i}": [c] * draw(st.integers(0, 4)) + [max(1, c - 1)] * draw(st.integers(0, 3)) + [c]
        for i, c in enumerate(cap)
    }
    return LevellingProblem.build(net, q, profiles)


@settings(max_examples=40, deadline=None)
@given(calendar_problems(), st.integers(0, 3))
def test_property_levelled_schedules_pass_the_validator_on_any_calendar(p: LevellingProblem, seed: int) -> None:
    heur = level_heuristic(p, iterations=4, seed=seed)
    assert heur.validation.ok, heur.validation.violations
    exact = level(p, time_limit=1, workers=1, seed=seed)
    assert exact.validation.ok, exact.validation.violations
    assert exact.makespan <= heur.makespan
    assert exact.makespan >= schedule(p.network).finish  # never shorter than the links allow


@settings(max_examples=25, deadline=None)
@given(calendar_problems(), st.integers(0, 5))
def test_property_every_monte_carlo_sample_passes_the_validator(p: LevellingProblem, seed: int) -> None:
    net = p.network
    d = net.durations.astype(float)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OEUVRE_ENGINE_DEBUG", "1")
        r = monte_carlo(net, d * 0.5, d, d * 2 + 1, iterations=40, seed=seed)
    assert (r.finish >= 0).all()
