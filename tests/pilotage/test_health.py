"""The météo rules of DOMAIN.md on the edge values of every threshold (engine, no database)."""

from __future__ import annotations

import pytest

from oeuvre.engine.errors import InputError
from oeuvre.engine.health import HealthFacts, HealthThresholds, Weather, assess


def _axis(facts: HealthFacts, axis: str, thresholds: HealthThresholds | None = None) -> str:
    return assess(facts, thresholds).axes[axis].weather.label


@pytest.mark.parametrize(
    ("spi", "expected"),
    [
        (1.2, "sun"),
        (0.95, "sun"),
        (0.9499, "cloud"),
        (0.90, "cloud"),
        (0.8999, "rain"),
        (0.80, "rain"),
        (0.7999, "storm"),
    ],
)
def test_it_judges_the_spi_on_its_thresholds(spi: float, expected: str) -> None:
    assert _axis(HealthFacts(spi=spi), "schedule") == expected


@pytest.mark.parametrize(("spi_t", "expected"), [(0.95, "sun"), (0.85, "rain"), (0.5, "storm")])
def test_it_judges_the_spi_t_like_the_spi(spi_t: float, expected: str) -> None:
    assert _axis(HealthFacts(spi=1.0, spi_t=spi_t), "schedule") == expected


@pytest.mark.parametrize(
    ("slip", "expected"),
    [(-3, "sun"), (0, "sun"), (1, "cloud"), (5, "cloud"), (6, "rain"), (15, "rain"), (16, "storm")],
)
def test_it_judges_milestone_slippage_in_working_days(slip: int, expected: str) -> None:
    assert _axis(HealthFacts(spi=1.0, milestone_slip_days=slip), "schedule") == expected


def test_it_makes_p80_after_the_contract_rain_and_p50_after_it_storm() -> None:
    assert _axis(HealthFacts(spi=1.0, p50_late_days=-5, p80_late_days=0), "schedule") == "sun"
    assert _axis(HealthFacts(spi=1.0, p50_late_days=-5, p80_late_days=1), "schedule") == "rain"
    assert _axis(HealthFacts(spi=1.0, p50_late_days=1, p80_late_days=9), "schedule") == "storm"


def test_it_warns_on_ccag_deadlines_and_critical_risks() -> None:
    assert _axis(HealthFacts(spi=1.0, deadlines_at_risk=1), "schedule") == "cloud"
    assert _axis(HealthFacts(spi=1.0, deadlines_overdue=1), "schedule") == "rain"
    assert _axis(HealthFacts(spi=1.0, critical_risks=1), "schedule") == "cloud"
    assert _axis(HealthFacts(spi=1.0, critical_risks=1), "schedule", HealthThresholds(critical_risks_cloud=0)) == "sun"


@pytest.mark.parametrize(
    ("cpi", "expected"),
    [(0.95, "sun"), (0.9499, "cloud"), (0.90, "cloud"), (0.85, "rain"), (0.80, "rain"), (0.79, "storm")],
)
def test_it_judges_the_cpi_on_its_thresholds(cpi: float, expected: str) -> None:
    assert _axis(HealthFacts(cpi=cpi, landing=100.0, sold=100.0), "cost") == expected


@pytest.mark.parametrize(
    ("landing", "expected"),
    [(100.0, "sun"), (100.01, "cloud"), (105.0, "cloud"), (105.01, "rain"), (115.0, "rain"), (115.01, "storm")],
)
def test_it_judges_the_atterrissage_against_the_sold_amount(landing: float, expected: str) -> None:
    assert _axis(HealthFacts(cpi=1.0, landing=landing, sold=100.0), "cost") == expected


def test_it_counts_missed_quality_criteria() -> None:
    good = {"coverage_percent": 95.0, "pass_rate_percent": 90.0, "majeures": 2, "majeures_max": 2}
    assert _axis(HealthFacts(**good), "quality") == "sun"
    assert _axis(HealthFacts(**{**good, "coverage_percent": 94.9}), "quality") == "cloud"
    assert _axis(HealthFacts(**{**good, "majeures": 3}), "quality") == "cloud"
    assert _axis(HealthFacts(**{**good, "majeures": 3, "pass_rate_percent": 89.9}), "quality") == "rain"


def test_it_makes_a_bloquante_rain_when_recent_and_storm_from_five_days() -> None:
    assert _axis(HealthFacts(bloquante_ages=[4]), "quality") == "rain"
    assert _axis(HealthFacts(bloquante_ages=[5, 1]), "quality") == "storm"
    assert _axis(HealthFacts(bloquante_ages=[5]), "quality", HealthThresholds(bloquante_storm_days=6)) == "rain"


def test_it_makes_a_refused_pv_storm() -> None:
    assert _axis(HealthFacts(pv_refused=True), "quality") == "storm"
    assert _axis(HealthFacts(reserves_open=2), "quality") == "cloud"


def test_it_judges_the_scope() -> None:
    assert _axis(HealthFacts(change_wait_days=[30, 2]), "scope") == "sun"
    assert _axis(HealthFacts(change_wait_days=[31]), "scope") == "rain"
    assert _axis(HealthFacts(exigences_rejected_after_validation=1), "scope") == "cloud"
    assert _axis(HealthFacts(changes_without_avenant=1), "scope") == "storm"


def test_it_takes_the_worst_axis_overall_and_names_figure_and_threshold() -> None:
    health = assess(HealthFacts(spi=0.82, cpi=0.99, landing=90.0, sold=100.0, coverage_percent=100.0))
    assert health.overall is Weather.RAIN
    spi = next(r for r in health.axes["schedule"].reasons if r.code == "spi")
    assert spi.params == {"value": 0.82, "threshold": 0.80, "op": ">="}
    assert spi.weather is Weather.RAIN


def test_it_shows_unknown_figures_without_counting_them() -> None:
    health = assess(HealthFacts())
    assert health.overall is Weather.SUN
    codes = {r.code for r in health.axes["schedule"].reasons if r.weather is None}
    assert {"spi_unknown", "slip_unknown", "monte_carlo_unknown"} <= codes


def test_it_refuses_thresholds_out_of_order() -> None:
    with pytest.raises(InputError) as info:
        HealthThresholds(spi_sun=0.8, spi_cloud=0.9)
    assert info.value.field == "spi_cloud"


def test_it_writes_sunny_reasons_with_their_weather() -> None:
    reasons = assess(HealthFacts(spi=1.0)).to_dict()["axes"]["schedule"]["reasons"]
    assert {"code": "spi", "params": {"value": 1.0, "threshold": 0.95, "op": ">="}, "weather": "sun"} in reasons
