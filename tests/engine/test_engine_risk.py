"""Monte Carlo: reproducibility, zero variance equals CPM, criticality, risk events, P80 error."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oeuvre.engine import (
    Activity,
    CompiledNetwork,
    InputError,
    Link,
    Network,
    RiskEvent,
    monte_carlo,
    schedule,
)

NET = Network(
    [Activity("A", 3), Activity("B", 4), Activity("C", 2), Activity("D", 1)],
    [Link("A", "C"), Link("B", "C"), Link("C", "D")],
)
LO, ML, HI = [2, 1, 1, 1], [3, 4, 2, 1], [7, 6, 4, 1]


def test_it_is_reproducible_with_a_seed() -> None:
    a = monte_carlo(NET, LO, ML, HI, iterations=3000, seed=11)
    b = monte_carlo(NET, LO, ML, HI, iterations=3000, seed=11, chunk=700)
    c = monte_carlo(NET, LO, ML, HI, iterations=3000, seed=12)
    assert np.array_equal(a.finish, b.finish)
    assert not np.array_equal(a.finish, c.finish)


def test_it_measures_criticality_and_sensitivity() -> None:
    r = monte_carlo(NET, LO, ML, HI, iterations=5000, seed=1)
    crit = dict(zip(r.ids, r.criticality.tolist(), strict=True))
    assert crit["C"] == 1.0
    assert crit["D"] == 1.0
    assert 0.0 < crit["A"] < 1.0
    assert 0.0 < crit["B"] < 1.0
    assert crit["A"] + crit["B"] >= 1.0
    sens = dict(zip(r.ids, r.sensitivity.tolist(), strict=True))
    assert sens["D"] == 0.0  # constant duration
    assert sens["C"] > 0.3


def test_pert_is_tighter_than_triangular() -> None:
    tri = monte_carlo(NET, LO, ML, HI, iterations=5000, seed=2)
    pert = monte_carlo(NET, LO, ML, HI, iterations=5000, seed=2, distribution="pert")
    assert pert.finish.std() < tri.finish.std()


def test_a_certain_risk_event_adds_its_delay() -> None:
    base = monte_carlo(NET, ML, ML, ML, iterations=50)
    hit = monte_carlo(NET, ML, ML, ML, iterations=50, risks=[RiskEvent("strike", 1.0, 3.0, ("C",))])
    assert base.percentiles[50] == 7.0
    assert hit.percentiles[50] == 10.0
    half = monte_carlo(NET, ML, ML, ML, iterations=4000, seed=3, risks=[RiskEvent("x", 0.25, 3.0, ("C",))])
    assert abs(half.probability_of(7.0) - 0.75) < 0.03


def test_the_p80_standard_error_shrinks_with_iterations() -> None:
    small = monte_carlo(NET, LO, ML, HI, iterations=400, seed=5)
    large = monte_carlo(NET, LO, ML, HI, iterations=40_000, seed=5)
    assert large.p80_standard_error < small.p80_standard_error / 4
    # The bootstrap agrees within a factor 2 on the small run.
    rng = np.random.default_rng(0)
    boot = [np.percentile(rng.choice(small.finish, len(small.finish)), 80) for _ in range(300)]
    assert 0.5 < small.p80_standard_error / np.std(boot) < 2.0


def test_it_rejects_inconsistent_estimates() -> None:
    with pytest.raises(InputError, match="optimistic <= most likely"):
        monte_carlo(NET, [4, 1, 1, 1], ML, HI, iterations=10)
    with pytest.raises(InputError, match="unknown activity"):
        monte_carlo(NET, LO, ML, HI, iterations=10, risks=[RiskEvent("x", 0.5, 1.0, ("Z",))])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 20), st.data())
def test_property_zero_variance_equals_cpm(n: int, data: st.DataObject) -> None:
    d = data.draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    links = []
    for _ in range(data.draw(st.integers(0, 2 * n)) if n > 1 else 0):
        a = data.draw(st.integers(0, n - 2))
        links.append(
            (
                a,
                data.draw(st.integers(a + 1, n - 1)),
                data.draw(st.integers(0, 3)),
                data.draw(st.integers(-2, 3)),
            )
        )
    net = CompiledNetwork.from_arrays(
        d, [x[0] for x in links], [x[1] for x in links], [x[2] for x in links], [x[3] for x in links]
    )
    cpm = schedule(net)
    r = monte_carlo(net, d, d, d, iterations=20, seed=0)
    assert (r.finish == cpm.finish).all()
    assert r.deterministic_finish == cpm.finish
    assert np.array_equal(r.criticality == 1.0, cpm.critical)


def test_it_reports_progress_per_batch() -> None:
    seen: list[float] = []
    monte_carlo(NET, LO, ML, HI, iterations=1000, seed=1, chunk=300, progress=seen.append)
    assert seen == [0.3, 0.6, 0.9, 1.0]
