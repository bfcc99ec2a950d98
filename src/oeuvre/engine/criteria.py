"""Measurable criteria of the DAT: a metric, an operator, a threshold and a unit, checked against a measurement.

A performance or security constraint ("p95 response time ≤ 2,000 ms", "availability ≥ 99.5 %", "no critical
vulnerability", "TLS ≥ 1.2") is a :class:`Criterion`. A tool reports its measurement in its own unit (the readers
of :mod:`oeuvre.interop.perfsec` emit the units of :data:`~oeuvre.interop.perfsec.METRICS`); :func:`evaluate`
converts it into the criterion's unit (ms and s, % and ratio, req/s and req/min…) and answers met (``True``), not
met (``False``), or not measured (``None``). Versions (``"1.2"`` against ``"1.3"``) compare part by part as
numbers, so 1.10 is above 1.9.

Examples
--------
>>> c = Criterion(Metric.RESPONSE_TIME_P95, "<=", 2, "s")
>>> evaluate(c, 1850.0, "ms"), evaluate(c, 2000.0, "ms"), evaluate(c, 2000.5, "ms"), evaluate(c, None)
(True, True, False, None)
>>> evaluate(Criterion(Metric.TLS_MIN_VERSION, ">=", "1.2", "version"), "1.3", "version")
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from oeuvre.engine.errors import InputError
from oeuvre.interop.perfsec import METRICS, Metric

__all__ = [
    "OPERATORS",
    "UNITS",
    "Criterion",
    "Metric",
    "compare",
    "convert",
    "evaluate",
    "parse_version",
    "units_for",
]

#: The operators a criterion may use; the measured value is on the left (``measured <= threshold``).
OPERATORS: tuple[str, ...] = ("<=", "<", ">=", ">", "=")

#: unit → (kind, factor to the kind's base unit). Units of one kind convert into each other.
UNITS: dict[str, tuple[str, float]] = {
    "ms": ("time", 1.0),
    "s": ("time", 1000.0),
    "min": ("time", 60_000.0),
    "%": ("ratio", 1.0),
    "ratio": ("ratio", 100.0),
    "req/s": ("rate", 1.0),
    "req/min": ("rate", 1.0 / 60.0),
    "req/h": ("rate", 1.0 / 3600.0),
    "users": ("users", 1.0),
    "count": ("count", 1.0),
    "version": ("version", 1.0),
}

# Two floats closer than this (relatively) are equal: 0.995 as a ratio is 99.5 %, not 99.49999999999999 %.
_REL_TOL = 1e-9
_VERSION = re.compile(r"^\s*v?(\d+(?:\.\d+)*)\s*$", re.IGNORECASE)


def units_for(metric: Metric) -> list[str]:
    """The units a criterion on ``metric`` may be written in (those of the same kind as the readers' unit).

    Examples
    --------
    >>> units_for(Metric.RESPONSE_TIME_P95)
    ['ms', 's', 'min']
    >>> units_for(Metric.ERROR_RATE)
    ['%', 'ratio']
    """
    kind = UNITS[METRICS[metric]][0]
    return [unit for unit, (k, _f) in UNITS.items() if k == kind]


def parse_version(text: str) -> tuple[int, ...]:
    """``"1.2"`` → ``(1, 2)``; a leading ``v`` and a ``TLS``/``TLSv`` prefix are allowed.

    Examples
    --------
    >>> parse_version("1.10") > parse_version("1.9")
    True
    >>> parse_version("TLSv1.2")
    (1, 2)
    """
    cleaned = text.strip()
    if cleaned.upper().startswith("TLS"):
        cleaned = cleaned[3:]
    match = _VERSION.match(cleaned)
    if not match:
        raise InputError(f"{text!r} is not a version such as 1.2", field="version")
    parts = [int(p) for p in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:  # 1.2.0 is 1.2
        parts.pop()
    return tuple(parts)


def _number(value: float | str, field: str) -> float:
    if isinstance(value, bool):
        raise InputError(f"{value!r} is not a number", field=field)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{value!r} is not a number", field=field) from None
    if math.isnan(number) or math.isinf(number):
        raise InputError(f"{value!r} is not a finite number", field=field)
    return number


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (both of the same kind).

    Examples
    --------
    >>> convert(2.5, "s", "ms")
    2500.0
    >>> convert(0.995, "ratio", "%")
    99.5
    >>> convert(120, "req/min", "req/s")
    2.0
    """
    if from_unit not in UNITS:
        raise InputError(f"unknown unit {from_unit!r}", field="unit")
    if to_unit not in UNITS:
        raise InputError(f"unknown unit {to_unit!r}", field="unit")
    kind_from, factor_from = UNITS[from_unit]
    kind_to, factor_to = UNITS[to_unit]
    if kind_from != kind_to or kind_from == "version":
        raise InputError(f"cannot convert {from_unit} into {to_unit}", field="unit")
    number = _number(value, "value")
    if factor_from == factor_to:
        return number
    converted = number * factor_from / factor_to
    # Round away the binary noise of the factors (0.995 × 100 = 99.49999999999999): 12 significant digits.
    return float(f"{converted:.12g}")


def compare(measured: float | tuple[int, ...], operator: str, threshold: float | tuple[int, ...]) -> bool:
    """``measured operator threshold`` with a tolerance on equality for numbers.

    Examples
    --------
    >>> compare(2000.0, "<=", 2000.0), compare(2000.0, "<", 2000.0), compare((1, 3), ">=", (1, 2))
    (True, False, True)
    """
    if isinstance(measured, tuple) or isinstance(threshold, tuple):
        a, b = measured, threshold
        equal = a == b
        less = a < b  # type: ignore[operator]
    else:
        equal = math.isclose(measured, threshold, rel_tol=_REL_TOL, abs_tol=1e-12)
        less = measured < threshold and not equal
    if operator == "<=":
        return less or equal
    if operator == "<":
        return less
    if operator == ">=":
        return not less
    if operator == ">":
        return not less and not equal
    if operator == "=":
        return equal
    raise InputError(f"unknown operator {operator!r}", field="operator")


@dataclass(frozen=True)
class Criterion:
    """A measurable constraint: ``metric operator threshold unit`` (e.g. p95 ≤ 2 s).

    Parameters
    ----------
    metric : Metric
        What is measured.
    operator : str
        One of :data:`OPERATORS`; the measured value is on its left.
    threshold : float or str
        A number, or a version string such as ``"1.2"`` when ``unit`` is ``"version"``.
    unit : str
        A unit of :data:`UNITS` of the metric's kind (see :func:`units_for`).

    Examples
    --------
    >>> Criterion(Metric.AVAILABILITY, ">=", 99.5, "%").describe()
    'availability >= 99.5 %'
    >>> Criterion(Metric.AVAILABILITY, ">=", 99.5, "ms")
    Traceback (most recent call last):
    ...
    oeuvre.engine.errors.InputError: field 'unit': ms is not a unit of availability (use %, ratio)
    """

    metric: Metric
    operator: str
    threshold: float | str
    unit: str

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise InputError(f"unknown metric {self.metric!r}", field="metric")
        if self.operator not in OPERATORS:
            raise InputError(f"unknown operator {self.operator!r} (use {', '.join(OPERATORS)})", field="operator")
        allowed = units_for(self.metric)
        if self.unit not in allowed:
            raise InputError(
                f"{self.unit} is not a unit of {self.metric.value} (use {', '.join(allowed)})", field="unit"
            )
        if self.unit == "version":
            parse_version(str(self.threshold))
        else:
            _number(self.threshold, "threshold")

    def describe(self) -> str:
        """``"response_time_p95 <= 2000 ms"``.

        Examples
        --------
        >>> Criterion(Metric.TLS_MIN_VERSION, ">=", "1.2", "version").describe()
        'tls_min_version >= 1.2'
        """
        if self.unit == "version":
            return f"{self.metric.value} {self.operator} {self.threshold}"
        return f"{self.metric.value} {self.operator} {_number(self.threshold, 'threshold'):g} {self.unit}"


def evaluate(criterion: Criterion, measured: float | str | None, unit: str | None = None) -> bool | None:
    """Is ``criterion`` met by ``measured`` (in ``unit``, by default the readers' unit of the metric)?

    Returns ``None`` when nothing was measured. A NaN or infinite measure is refused (``InputError``): a tool that
    wrote no figure did not measure, it must not pass or fail a criterion.

    Examples
    --------
    >>> evaluate(Criterion(Metric.ERROR_RATE, "<", 1, "%"), 0.004, "ratio")
    True
    >>> evaluate(Criterion(Metric.THROUGHPUT, ">=", 600, "req/min"), 9.9, "req/s")
    False
    >>> evaluate(Criterion(Metric.VULNERABILITIES_CRITICAL, "=", 0, "count"), 0)
    True
    """
    if measured is None:
        return None
    unit = unit or METRICS[criterion.metric]
    if criterion.unit == "version":
        if unit != "version":
            raise InputError(f"cannot compare {unit} with a version", field="unit")
        return compare(parse_version(str(measured)), criterion.operator, parse_version(str(criterion.threshold)))
    if isinstance(measured, str):
        measured = _number(measured, "value")
    value = convert(measured, unit, criterion.unit)
    return compare(value, criterion.operator, _number(criterion.threshold, "threshold"))
