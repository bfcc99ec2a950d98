"""Critical path method: golden textbook example, link types, constraints, errors, properties."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oeuvre.engine import (
    Activity,
    CompiledNetwork,
    Constraint,
    ConstraintType,
    CycleError,
    InputError,
    Link,
    LinkType,
    Network,
    WorkCalendar,
    schedule,
)

# Golden example: J. Rajgopal, "CPM" web notes, University of Pittsburgh, Industrial Engineering
# (sites.pitt.edu/~jrclass/or/webnotes/cpm3.html). Activity-on-arrow network, nodes 1..7:
# 1-2 (4), 2-3 (8), 2-4 (7), 3-4 (0, dummy), 2-5 (6), 3-5 (9), 4-6 (15), 5-6 (12), 6-7 (20).
# Published results: event times ES = 0, 4, 12, 12, 21, 33, 53 and latest times LC = 0, 4, 12,
# 18, 21, 33, 53; project length 53; critical activities 1-2, 2-3, 3-5, 5-6, 6-7.
PITT = {"1-2": 4, "2-3": 8, "2-4": 7, "3-4": 0, "2-5": 6, "3-5": 9, "4-6": 15, "5-6": 12, "6-7": 20}


def _aoa_to_aon(arcs: dict[str, int]) -> Network:
    acts = [Activity(a, d) for a, d in arcs.items()]
    links = [Link(p, s) for p in arcs for s in arcs if p.split("-")[1] == s.split("-")[0]]
    return Network(acts, links)


def test_it_matches_the_pitt_textbook_example() -> None:
    r = schedule(_aoa_to_aon(PITT))
    es = dict(zip(r.ids, r.es.tolist(), strict=True))
    lf = dict(zip(r.ids, r.lf.tolist(), strict=True))
    tf = dict(zip(r.ids, r.total_float.tolist(), strict=True))
    assert r.finish == 53
    node_es = {1: 0, 2: 4, 3: 12, 4: 12, 5: 21, 6: 33, 7: 53}
    node_lc = {1: 0, 2: 4, 3: 12, 4: 18, 5: 21, 6: 33, 7: 53}
    for arc, duration in PITT.items():
        i, j = (int(x) for x in arc.split("-"))
        assert es[arc] == node_es[i]
        assert lf[arc] == node_lc[j]
        assert tf[arc] == node_lc[j] - node_es[i] - duration
    critical = {a for a, c in zip(r.ids, r.critical.tolist(), strict=True) if c}
    assert critical == {"1-2", "2-3", "3-5", "5-6", "6-7"}
    assert r.critical_path() == ["1-2", "2-3", "3-5", "5-6", "6-7"]


def test_it_handles_every_link_type_with_leads_and_lags() -> None:
    acts = [Activity("A", 5), Activity("B", 3), Activity("C", 4), Activity("D", 2), Activity("E", 6)]
    links = [
        Link("A", "B", LinkType.SS, 2),  # B starts >= 2
        Link("A", "C", LinkType.FF, -1),  # C finishes >= 4 -> starts >= 0
        Link("B", "D", LinkType.FS, -1),  # D starts >= 5 - 1 = 4
        Link("A", "E", LinkType.SF, 8),  # E finishes >= 8 -> starts >= 2
    ]
    r = schedule(Network(acts, links))
    assert r.es.tolist() == [0, 2, 0, 4, 2]
    assert r.finish == 8
    assert (r.total_float >= 0).all()


def test_it_reports_an_unmet_constraint_as_negative_float_and_a_warning() -> None:
    net = Network(
        [Activity("A", 5), Activity("B", 3)],
        [Link("A", "B")],
        [Constraint("B", ConstraintType.FNLT, 6)],
    )
    r = schedule(net)
    assert r.finish == 8
    assert r.total_float.tolist() == [-2, -2]
    assert r.critical.all()
    assert any("finish no later than 6" in w.message for w in r.warnings)


def test_it_applies_snet_and_mso() -> None:
    net = Network(
        [Activity("A", 2), Activity("B", 2), Activity("C", 1)],
        [Link("A", "C"), Link("B", "C")],
        [Constraint("B", ConstraintType.SNET, 4), Constraint("A", ConstraintType.MSO, 1)],
    )
    r = schedule(net)
    assert r.es.tolist() == [1, 4, 6]
    assert r.ls[0] == 1  # must start on 1: no float to the right either
    assert r.total_float[0] == 0
    assert not r.warnings


def test_it_warns_when_a_must_start_on_date_is_too_early() -> None:
    net = Network([Activity("A", 4), Activity("B", 2)], [Link("A", "B")], [Constraint("B", ConstraintType.MSO, 2)])
    r = schedule(net)
    assert r.es[1] == 4
    assert r.total_float[1] == -2
    assert r.warnings
    assert "must start on day 2" in r.warnings[0].message


def test_it_names_the_activities_of_a_cycle() -> None:
    net = Network(
        [Activity(x, 1) for x in "ABCDE"],
        [Link("A", "B"), Link("B", "C"), Link("C", "D"), Link("D", "B"), Link("D", "E")],
    )
    with pytest.raises(CycleError) as exc:
        schedule(net)
    assert sorted(exc.value.cycle) == ["B", "C", "D"]
    assert (
        "B -> C -> D -> B" in str(exc.value)
        or "C -> D -> B -> C" in str(exc.value)
        or "D -> B -> C -> D" in str(exc.value)
    )


def test_it_rejects_a_negative_duration_and_an_unknown_activity() -> None:
    with pytest.raises(InputError, match="negative duration"):
        Network([Activity("A", -1)]).compile()
    with pytest.raises(InputError, match="unknown activity 'X'"):
        Network([Activity("A", 1)], [Link("X", "A")]).compile()


def test_it_supports_calendar_day_lags() -> None:
    cal = WorkCalendar(dt.date(2025, 1, 6))  # Monday, no holidays
    # A ends Friday evening; concrete cures 2 calendar days (the weekend): B may start Monday.
    net = Network([Activity("A", 5), Activity("B", 1)], [Link("A", "B", lag=2, calendar_days=True)], calendar=cal)
    r = schedule(net)
    assert r.es[1] == 5
    # The same lag in working days would push B to Wednesday.
    r2 = schedule(Network([Activity("A", 5), Activity("B", 1)], [Link("A", "B", lag=2)]))
    assert r2.es[1] == 7
    assert r.total_float.tolist() == [0, 0]


def test_it_schedules_milestones_and_an_empty_network() -> None:
    r = schedule(
        Network(
            [Activity("Start", 0), Activity("A", 3), Activity("End", 0)],
            [Link("Start", "A"), Link("A", "End")],
        )
    )
    assert r.es.tolist() == [0, 0, 3]
    assert r.finish == 3
    assert schedule(Network([])).finish == 0


def _reference_cpm(d: list[int], links: list[tuple[int, int, int, int]]) -> tuple[list[int], list[int]]:
    """Plain relaxation until nothing changes (Bellman-Ford), independent of the level scheme."""
    n = len(d)

    def weight(p: int, s: int, k: int, lag: int) -> int:
        return lag + (d[p] if k in (0, 2) else 0) - (d[s] if k in (2, 3) else 0)

    es = [0] * n
    for _ in range(n + 1):
        changed = False
        for p, s, k, lag in links:
            v = es[p] + weight(p, s, k, lag)
            if v > es[s]:
                es[s], changed = v, True
        if not changed:
            break
    finish = max((e + x for e, x in zip(es, d, strict=True)), default=0)
    ls = [finish - x for x in d]
    for _ in range(n + 1):
        changed = False
        for p, s, k, lag in links:
            v = ls[s] - weight(p, s, k, lag)
            if v < ls[p]:
                ls[p], changed = v, True
        if not changed:
            break
    return es, ls


@st.composite
def dags(draw: st.DrawFn, max_n: int = 25) -> tuple[list[int], list[tuple[int, int, int, int]]]:
    n = draw(st.integers(1, max_n))
    d = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    links = []
    if n > 1:
        for _ in range(draw(st.integers(0, 3 * n))):
            p = draw(st.integers(0, n - 2))
            s = draw(st.integers(p + 1, n - 1))
            links.append((p, s, draw(st.integers(0, 3)), draw(st.integers(-3, 5))))
    return d, links


@settings(max_examples=150, deadline=None)
@given(dags())
def test_property_it_agrees_with_a_plain_relaxation(
    case: tuple[list[int], list[tuple[int, int, int, int]]],
) -> None:
    d, links = case
    net = CompiledNetwork.from_arrays(
        d,
        [p for p, _, _, _ in links],
        [s for _, s, _, _ in links],
        [k for _, _, k, _ in links],
        [lag for _, _, _, lag in links],
    )
    r = schedule(net)
    es, ls = _reference_cpm(d, links)
    assert r.es.tolist() == es
    assert r.ls.tolist() == ls


@settings(max_examples=150, deadline=None)
@given(dags())
def test_property_floats_and_critical_path_without_constraints(
    case: tuple[list[int], list[tuple[int, int, int, int]]],
) -> None:
    d, links = case
    net = CompiledNetwork.from_arrays(
        d, [x[0] for x in links], [x[1] for x in links], [x[2] for x in links], [x[3] for x in links]
    )
    r = schedule(net)
    assert (r.total_float >= 0).all()
    assert (r.es <= r.ls).all()
    assert (r.free_float >= 0).all()
    assert (r.free_float <= r.total_float).all()
    # The critical chain's length (its first start plus durations and link gaps) equals the finish.
    path = [int(i) for i in r.critical_path()]
    assert r.ef[path[-1]] == r.finish
    assert r.es[path[0]] == 0 or r.es[path[0]] == net.release[path[0]]
    w = net.link_weights()
    for a, b in itertools.pairwise(path):
        ok = (net.pred == a) & (net.succ == b) & (r.es[b] == r.es[a] + w)
        assert ok.any()
    assert r.critical[path].all()


def test_it_schedules_a_large_network_the_same_as_the_plain_relaxation() -> None:
    rng = np.random.default_rng(3)
    n, m = 400, 1200
    p = rng.integers(0, n - 1, m)
    s = np.minimum(n - 1, p + 1 + rng.integers(0, 30, m))
    k = rng.integers(0, 4, m)
    lag = rng.integers(-2, 4, m)
    d = rng.integers(0, 10, n)
    r = schedule(CompiledNetwork.from_arrays(d, p, s, k, lag))
    es, ls = _reference_cpm(d.tolist(), list(zip(p.tolist(), s.tolist(), k.tolist(), lag.tolist(), strict=True)))
    assert r.es.tolist() == es
    assert r.ls.tolist() == ls


def test_it_gives_dates_from_the_calendar() -> None:
    cal = WorkCalendar.france(dt.date(2025, 5, 5))  # Monday; 8 May (Thursday) is a holiday
    net = Network([Activity("A", 4), Activity("M", 0)], [Link("A", "M")], calendar=cal)
    r = schedule(net)
    assert [str(x) for x in r.start_dates()] == ["2025-05-05", "2025-05-12"]
    assert [str(x) for x in r.finish_dates()] == ["2025-05-09", "2025-05-12"]
    with pytest.raises(InputError, match="no calendar"):
        schedule(Network([Activity("A", 1)])).start_dates()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(0, 150), st.integers(0, 10_000), st.booleans())
def test_the_numpy_topology_equals_the_compiled_one(n: int, m: int, seed: int, cyclic: bool) -> None:
    from oeuvre.engine import _kernels, _topology

    rng = np.random.default_rng(seed)
    pred = rng.integers(0, n, m)
    succ = rng.integers(0, n, m) if cyclic else np.minimum(n - 1, pred + 1 + rng.integers(0, 5, m))
    keep = pred != succ
    pred, succ = pred[keep].astype(np.int64), succ[keep].astype(np.int64)
    a = _topology.topological_levels(n, pred, succ)
    b = np.asarray(_kernels.topological_levels(n, pred, succ))
    assert a.tolist() == b.tolist()
    if (a < 0).any():
        return
    levels = int(a.max()) + 1
    for key in (pred, succ):
        for x, y in zip(_topology.group_links(key, a, levels), _kernels.group_links(key, a, levels), strict=True):
            assert np.asarray(x).tolist() == np.asarray(y).tolist()
