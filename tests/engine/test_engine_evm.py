"""Earned value: published worked examples, earned schedule, French aliases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from oeuvre.engine import (
    InputError,
    earned_schedule,
    earned_value,
    earned_value_series,
    landing,
    planned_value_curve,
)


def test_it_matches_the_fence_example() -> None:
    # "Earned Value Exercise" (fence with four sides, $1,000 each, end of day 3), after R. Mulcahy,
    # PMP Exam Prep, p. 210 (studylib.net/doc/5898152/earned-value-exercise): PV 3,000, EV 2,500,
    # AC 2,800, BAC 4,000 -> CV -300, CPI .893, SV -500, SPI .833, EAC 4,479, ETC 1,679, VAC -479.
    # The source rounds CPI to .893 before dividing; unrounded, EAC = 4,480.
    r = earned_value(bac=4000, pv=3000, ev=2500, ac=2800)
    assert r.cv == -300
    assert r.sv == -500
    assert round(r.cpi, 3) == 0.893
    assert round(r.spi, 3) == 0.833
    assert r.eac == pytest.approx(4000 / 0.893, abs=1.5)
    assert r.etc == pytest.approx(1679, abs=1.5)
    assert r.vac == pytest.approx(-479, abs=1.5)


def test_it_matches_the_tutorialspoint_example() -> None:
    # tutorialspoint.com, "EVM - Example" (earn_value_management/evm_example.htm): one task, 8 h
    # baselined at $100/h, 11 h spent, 1 h to go: PV 800, AC 1,100, EV 734, EAC = AC + ETC = 1,200,
    # VAC -400, SV -66, CV -366, SPI 0.91, CPI 0.66 (the page truncates the last digits).
    r = earned_value(bac=800, pv=800, ev=734, ac=1100, etc=100)
    assert r.eac == 1200
    assert r.eac_bottom_up == 1200
    assert r.vac == -400
    assert r.sv == -66
    assert r.cv == -366
    assert math.floor(r.spi * 100) / 100 == 0.91
    assert math.floor(r.cpi * 100) / 100 == 0.66
    assert r.atterrissage == 1200
    assert r.raf == 100
    assert r.consomme == 1100
    assert r.ecart == 400


def test_earned_schedule_follows_lipke() -> None:
    # W. Lipke, "Schedule is Different" (The Measurable News, 2003): ES = C + (EV - PV_C) / (PV_C+1 - PV_C),
    # illustrated with "ES = 5 + (EV - PV(May)) / (PV(June) - PV(May)), AT = 7".
    pv = [10, 25, 45, 70, 100, 140, 170, 190, 200]
    ev_july = 120.0  # between PV(May) = 100 and PV(June) = 140
    es = earned_schedule(pv, [ev_july])[0]
    assert es == pytest.approx(5 + (120 - 100) / (140 - 100))
    r = earned_value(bac=200, pv=170, ev=ev_july, ac=150, pv_curve=pv, at=7)
    assert r.es == pytest.approx(5.5)
    assert r.spi_t == pytest.approx(5.5 / 7)
    assert r.sv_t == pytest.approx(-1.5)
    assert r.forecast_duration == pytest.approx(9 / (5.5 / 7))


def test_the_composite_eac_and_tcpi() -> None:
    r = earned_value(bac=1000, pv=500, ev=400, ac=500)
    assert r.eac_composite == pytest.approx(500 + 600 / (0.8 * 0.8))
    assert r.tcpi == pytest.approx(600 / 500)


def test_undefined_ratios_are_nan_not_errors() -> None:
    r = earned_value(bac=100, pv=0, ev=0, ac=0)
    assert math.isnan(r.spi)
    assert math.isnan(r.cpi)
    with pytest.raises(InputError):
        earned_value(bac=100, pv=-1, ev=0, ac=0)


def test_series_and_planned_value_curve() -> None:
    curve = planned_value_curve([0, 2, 2], [2, 2, 0], [200.0, 100.0, 10.0])
    assert curve.tolist() == [100.0, 200.0, 260.0, 310.0]
    s = earned_value_series(curve, [80, 180], [100, 200])
    assert np.allclose(s.spi, [0.8, 0.9])
    assert np.allclose(s.es, [0.8, 1.8])


def test_landing_in_effort_and_money() -> None:
    x = landing(charge_vendue=120, consomme=80, raf=55)
    assert (x.atterrissage, x.ecart) == (135, 15)
    assert landing(charge_vendue=120, consomme=80, raf=55, tjm=600).atterrissage == 81_000
