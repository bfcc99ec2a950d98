"""Resource levelling: validator, infeasibility, general lags, per-period capacity, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oeuvre.engine import (
    Activity,
    CompiledNetwork,
    InfeasibleError,
    LevellingProblem,
    Link,
    LinkType,
    Network,
    level,
    level_heuristic,
    lower_bound,
    sgs,
    validate,
)
from oeuvre.engine.levelling import PRIORITY_RULES


def _problem() -> LevellingProblem:
    net = Network(
        [Activity("A", 3), Activity("B", 2), Activity("C", 4), Activity("D", 2), Activity("E", 3)],
        [Link("A", "C"), Link("B", "D", LinkType.SS, 1), Link("C", "E", LinkType.FF, 1), Link("D", "E")],
    )
    demands = {
        "A": {"dev": 2},
        "B": {"dev": 1, "test": 1},
        "C": {"dev": 2},
        "D": {"test": 2},
        "E": {"dev": 1},
    }
    return LevellingProblem.build(net, demands, {"dev": 2, "test": 2})


def test_the_validator_catches_broken_links_and_overloads() -> None:
    p = _problem()
    report = validate(p, [0, 0, 3, 1, 5])
    assert not report.ok
    assert any("capacity of 'dev'" in v for v in report.violations)
    report = validate(p, [0, 3, 0, 4, 5])
    assert any("link A -> C (FS+0) broken" in v for v in report.violations)
    assert not validate(p, [0, 0]).ok


@pytest.mark.parametrize("rule", PRIORITY_RULES)
@pytest.mark.parametrize("mode", ["serial", "parallel"])
def test_every_rule_and_scheme_gives_a_valid_schedule(rule: str, mode: str) -> None:
    r = sgs(_problem(), rule, mode)
    assert r.validation.ok, r.validation.violations
    assert r.makespan >= r.lower_bound


def test_level_proves_the_optimum_of_a_small_plan() -> None:
    p = _problem()
    r = level(p, time_limit=10, workers=2)
    assert r.validation.ok
    assert r.optimal
    assert r.makespan == r.lower_bound


def test_a_demand_above_capacity_is_a_clear_infeasibility() -> None:
    net = Network([Activity("A", 2), Activity("B", 1)])
    with pytest.raises(InfeasibleError) as exc:
        LevellingProblem.build(net, {"B": {"dev": 4}}, {"dev": 3})
    assert exc.value.activity == "B"
    assert exc.value.resource == "dev"
    assert "needs 4 'dev' but at most 3" in str(exc.value)


def test_a_capacity_that_drops_for_good_is_infeasible() -> None:
    net = Network([Activity("A", 3), Activity("B", 3)], [Link("A", "B")])
    p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": [1, 1, 1, 1, 0]})
    with pytest.raises(InfeasibleError):
        level_heuristic(p, iterations=1)


def test_it_follows_per_period_capacity() -> None:
    # The tester is away on periods 2-4: the 2-day test must wait.
    net = Network([Activity("T1", 2), Activity("T2", 2)])
    p = LevellingProblem.build(net, {"T1": {"test": 1}, "T2": {"test": 1}}, {"test": [1, 1, 0, 0, 0, 1]})
    for r in (level_heuristic(p, iterations=5), level(p, time_limit=5, workers=1)):
        assert r.validation.ok
        assert sorted(r.start.tolist()) == [0, 5]
        assert r.makespan == 7


def test_it_honours_negative_lags() -> None:
    net = Network([Activity("A", 4), Activity("B", 4)], [Link("A", "B", LinkType.FS, -2)])
    p = LevellingProblem.build(net, {"A": {"dev": 1}, "B": {"dev": 1}}, {"dev": 2})
    r = level(p, time_limit=5, workers=1)
    assert r.start.tolist() == [0, 2]
    assert r.makespan == 6
    assert r.optimal


@st.composite
def problems(draw: st.DrawFn) -> LevellingProblem:
    n = draw(st.integers(2, 10))
    d = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    links = []
    for _ in range(draw(st.integers(0, 2 * n))):
        a = draw(st.integers(0, n - 2))
        links.append((a, draw(st.integers(a + 1, n - 1)), draw(st.integers(0, 3)), draw(st.integers(-2, 3))))
    cap = draw(st.lists(st.integers(1, 4), min_size=1, max_size=2))
    q = np.array([[draw(st.integers(0, c)) for c in cap] for _ in range(n)], dtype=np.int64)
    net = CompiledNetwork.from_arrays(
        d, [x[0] for x in links], [x[1] for x in links], [x[2] for x in links], [x[3] for x in links]
    )
    return LevellingProblem.build(net, q, {f"r{i}": c for i, c in enumerate(cap)})


@settings(max_examples=60, deadline=None)
@given(problems(), st.integers(0, 3))
def test_property_every_levelled_schedule_is_valid_and_never_beats_the_lower_bound(
    p: LevellingProblem, seed: int
) -> None:
    heur = level_heuristic(p, iterations=3, seed=seed)
    assert heur.validation.ok, heur.validation.violations
    exact = level(p, time_limit=2, workers=1, seed=seed)
    assert exact.validation.ok, exact.validation.violations
    assert heur.makespan >= exact.lower_bound
    assert exact.makespan <= heur.makespan
    assert exact.lower_bound >= lower_bound(p)
    for rule in ("LFT", "GRPW"):
        for mode in ("serial", "parallel"):
            r = sgs(p, rule, mode)
            assert r.validation.ok
            assert r.makespan >= exact.lower_bound


def test_a_calendar_absence_becomes_a_capacity_profile() -> None:
    import datetime as dt

    from oeuvre.engine import WorkCalendar, capacity_profile

    cal = WorkCalendar.france(dt.date(2025, 5, 5))  # 8 May is a holiday
    # The only tester is away from Monday 12 to Tuesday 13 May (working days 4 and 5).
    prof = capacity_profile(cal, 1, [(dt.date(2025, 5, 12), dt.date(2025, 5, 13), 1)])
    assert prof == [1, 1, 1, 1, 0, 0, 1]
    net = Network([Activity("T1", 3), Activity("T2", 2)], [Link("T1", "T2")], calendar=cal)
    p = LevellingProblem.build(net, {"T1": {"test": 1}, "T2": {"test": 1}}, {"test": prof})
    r = level_heuristic(p, iterations=2)
    assert r.start.tolist() == [0, 6]
    assert r.validation.ok


def test_level_reports_progress() -> None:
    seen: list[tuple[float, str]] = []
    level(_problem(), time_limit=2, workers=1, progress=lambda f, phase: seen.append((f, phase)))
    assert seen
    assert seen[-1][1] in ("done", "heuristic")
    assert all(0.0 <= f <= 1.0 for f, _ in seen)
