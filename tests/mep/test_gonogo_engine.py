"""The go/no-go proposal of the engine: every criterion met and not met, thresholds and criteria not applied."""

from __future__ import annotations

import pytest

from oeuvre.engine.gonogo import ATTESTED, CRITERIA, GoNoGoFacts, GoNoGoThresholds, propose

ALL_ATTESTED = dict.fromkeys(ATTESTED, True)


def _ready(**changes: object) -> GoNoGoFacts:
    base: dict[str, object] = {
        "pv_status": "signed",
        "attested": ALL_ATTESTED,
        "open_reserves": 1,
        "open_bloquantes": 0,
        "open_majeures": 2,
    }
    base.update(changes)
    return GoNoGoFacts(**base)  # type: ignore[arg-type]


def _met(facts: GoNoGoFacts, thresholds: GoNoGoThresholds | None = None) -> dict[str, bool]:
    return {c.code: c.met for c in propose(facts, thresholds).criteria}


def test_it_proposes_go_when_every_criterion_is_met() -> None:
    result = propose(_ready())
    assert result.proposal == "go"
    assert [c.code for c in result.criteria] == list(CRITERIA)
    assert result.unmet == ()


@pytest.mark.parametrize("status", ["none", "draft", "decided", "refused"])
def test_it_wants_a_signed_accepting_pv(status: str) -> None:
    result = propose(_ready(pv_status=status))
    assert result.proposal == "no_go"
    assert [c.code for c in result.unmet] == ["pv_signed"]


def test_it_counts_blocking_and_major_anomalies_against_thresholds() -> None:
    assert _met(_ready(open_bloquantes=1))["no_bloquante"] is False
    assert _met(_ready(open_bloquantes=1), GoNoGoThresholds(max_open_bloquantes=1))["no_bloquante"] is True
    assert _met(_ready(open_majeures=3))["majeures_under_threshold"] is False
    assert _met(_ready(open_majeures=3), GoNoGoThresholds(max_open_majeures=3))["majeures_under_threshold"] is True


@pytest.mark.parametrize("code", ATTESTED)
def test_it_wants_each_attested_readiness(code: str) -> None:
    missing = {k: v for k, v in ALL_ATTESTED.items() if k != code}
    result = propose(_ready(attested=missing))
    assert [c.code for c in result.unmet] == [code]
    withdrawn = propose(_ready(attested={**ALL_ATTESTED, code: False}))
    assert withdrawn.proposal == "no_go"


def test_a_criterion_not_applied_is_listed_but_does_not_block() -> None:
    facts = _ready(attested={k: v for k, v in ALL_ATTESTED.items() if k != "training"})
    result = propose(facts, GoNoGoThresholds(ignored=frozenset({"training"})))
    assert result.proposal == "go"
    training = next(c for c in result.criteria if c.code == "training")
    assert (training.met, training.applies) == (False, False)


def test_it_refuses_unknown_criteria_and_negative_thresholds() -> None:
    with pytest.raises(ValueError, match="unknown go/no-go criteria: nope"):
        propose(_ready(), GoNoGoThresholds(ignored=frozenset({"nope"})))
    with pytest.raises(ValueError, match="negative"):
        propose(_ready(), GoNoGoThresholds(max_open_majeures=-1))
