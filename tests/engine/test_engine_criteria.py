"""Measurable criteria of the DAT: units, operators, edge values, versions, refusals."""

from __future__ import annotations

import math

import pytest

from oeuvre.engine.criteria import Criterion, convert, evaluate, parse_version, units_for
from oeuvre.engine.errors import InputError
from oeuvre.interop.perfsec import Metric


def test_it_meets_a_threshold_equal_to_the_measure_with_less_or_equal() -> None:
    c = Criterion(Metric.RESPONSE_TIME_P95, "<=", 2000, "ms")
    assert evaluate(c, 2000.0) is True
    assert evaluate(c, 2000.001) is False


def test_it_fails_a_strict_operator_on_an_equal_measure() -> None:
    assert evaluate(Criterion(Metric.RESPONSE_TIME_P95, "<", 2000, "ms"), 2000.0) is False
    assert evaluate(Criterion(Metric.THROUGHPUT, ">", 50, "req/s"), 50.0) is False
    assert evaluate(Criterion(Metric.THROUGHPUT, ">=", 50, "req/s"), 50.0) is True


def test_it_converts_seconds_and_milliseconds_both_ways() -> None:
    in_seconds = Criterion(Metric.RESPONSE_TIME_P95, "<=", 2, "s")
    assert evaluate(in_seconds, 1999.0, "ms") is True
    assert evaluate(in_seconds, 2001.0, "ms") is False
    in_ms = Criterion(Metric.RESPONSE_TIME_MEAN, "<=", 800, "ms")
    assert evaluate(in_ms, 0.8, "s") is True
    assert evaluate(in_ms, 0.81, "s") is False


def test_it_converts_a_ratio_into_a_percentage_without_float_noise() -> None:
    availability = Criterion(Metric.AVAILABILITY, ">=", 99.5, "%")
    assert evaluate(availability, 0.995, "ratio") is True
    assert evaluate(availability, 0.9949, "ratio") is False
    assert convert(0.995, "ratio", "%") == 99.5


def test_it_converts_requests_per_minute_and_per_second() -> None:
    c = Criterion(Metric.THROUGHPUT, ">=", 600, "req/min")
    assert evaluate(c, 10.0, "req/s") is True
    assert evaluate(c, 9.99, "req/s") is False


def test_it_compares_versions_part_by_part() -> None:
    tls = Criterion(Metric.TLS_MIN_VERSION, ">=", "1.2", "version")
    assert evaluate(tls, "1.3", "version") is True
    assert evaluate(tls, "1.2", "version") is True
    assert evaluate(tls, "1.1", "version") is False
    assert evaluate(tls, "TLSv1.2", "version") is True
    assert parse_version("1.10") > parse_version("1.9")
    assert parse_version("1.2.0") == parse_version("1.2")


def test_it_counts_vulnerabilities_exactly() -> None:
    none_critical = Criterion(Metric.VULNERABILITIES_CRITICAL, "=", 0, "count")
    assert evaluate(none_critical, 0) is True
    assert evaluate(none_critical, 1) is False


def test_it_answers_none_when_nothing_was_measured() -> None:
    assert evaluate(Criterion(Metric.ERROR_RATE, "<", 1, "%"), None) is None


def test_it_refuses_a_nan_or_infinite_measure() -> None:
    c = Criterion(Metric.ERROR_RATE, "<", 1, "%")
    with pytest.raises(InputError):
        evaluate(c, math.nan)
    with pytest.raises(InputError):
        evaluate(c, math.inf)
    with pytest.raises(InputError):
        Criterion(Metric.ERROR_RATE, "<", math.nan, "%")


def test_it_refuses_a_unit_of_another_kind_and_an_unknown_operator() -> None:
    with pytest.raises(InputError, match="unit"):
        Criterion(Metric.RESPONSE_TIME_P95, "<=", 2, "%")
    with pytest.raises(InputError, match="operator"):
        Criterion(Metric.RESPONSE_TIME_P95, "=<", 2, "ms")
    with pytest.raises(InputError):
        evaluate(Criterion(Metric.RESPONSE_TIME_P95, "<=", 2, "s"), 3.0, "%")
    with pytest.raises(InputError):
        Criterion(Metric.TLS_MIN_VERSION, ">=", "one point two", "version")


def test_it_lists_the_units_of_a_metric_kind() -> None:
    assert units_for(Metric.THROUGHPUT) == ["req/s", "req/min", "req/h"]
    assert units_for(Metric.VULNERABILITIES_HIGH) == ["count"]
