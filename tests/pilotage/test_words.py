"""The météo's reasons read as French: grouped amounts and agreement with the count."""

from __future__ import annotations

import pytest
from django.utils import translation

from oeuvre.pilotage.words import reason_text


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("fr", 1, "1 anomalie majeure ouverte (seuil du PV : 3)"),
        ("fr", 16, "16 anomalies majeures ouvertes (seuil du PV : 3)"),
        ("en", 1, "1 open major anomaly (PV threshold 3)"),
        ("en", 16, "16 open major anomalies (PV threshold 3)"),
    ],
)
def test_it_agrees_the_major_anomalies_with_their_count(language: str, count: int, expected: str) -> None:
    with translation.override(language):
        assert reason_text({"code": "majeures", "params": {"value": count, "threshold": 3}}) == expected


def test_it_groups_the_thousands_of_the_atterrissage() -> None:
    reason = {
        "code": "landing",
        "params": {"value": -36.1, "landing": 791548, "sold": 1240000, "op": "<=", "threshold": 0},
    }
    with translation.override("fr"):
        text = reason_text(reason)
    assert "791\u202f548 €" in text.replace("\xa0", "\u202f")
    assert "1\u202f240\u202f000 €" in text.replace("\xa0", "\u202f")
    with translation.override("en"):
        assert "791,548 €" in reason_text(reason)


def test_it_rounds_figures_rather_than_cutting_them() -> None:
    with translation.override("fr"):
        text = reason_text({"code": "spi", "params": {"value": 0.9667, "op": ">=", "threshold": 0.95}})
    assert text == "SPI 0,97 ≥ 0,95"
