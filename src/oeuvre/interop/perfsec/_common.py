"""What the readers share: the file guard (size, binary content, DTD and entities, JSON depth), the JSON loader
that names the line of a syntax error, exact percentiles, and the summary of a label's samples into measurements.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import ALL, METRICS, Measurement, Metric, Severity
from oeuvre.interop.safety import DEFAULT_LIMITS, Limits, check_magic

#: JSON reports (k6, Gatling, SARIF, ZAP) are loaded whole: the shared 50 MiB limit holds.
JSON_LIMITS = DEFAULT_LIMITS
#: A JTL is streamed (memory bounded by the samples' response times, not by the file): a run of tens of millions of
#: samples fits.
STREAM_LIMITS = Limits(max_bytes=4 * 1024 * 1024 * 1024)
#: Nesting a report never needs (SARIF, the deepest, uses about 10 levels); deeper is a crafted file.
MAX_JSON_DEPTH = 64
#: Distinct labels of a load test (JMeter samplers, Locust endpoints): beyond, labels are URLs with ids in them and
#: the summary would be meaningless (and the memory unbounded).
MAX_LABELS = 10_000
#: Samples of one JTL: response times are held as 32-bit integers, 80 MB at most.
MAX_SAMPLES = 20_000_000
#: Characters of a finding's message kept.
MAX_MESSAGE = 2_000

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_BOM_AND_SPACE = b"\xef\xbb\xbf \t\r\n"


def head(data: bytes, size: int = 4096) -> bytes:
    """The first bytes of ``data`` without a UTF-8 BOM or leading white space."""
    return data[:size].lstrip(_BOM_AND_SPACE)


def guard_bytes(data: bytes, fmt: str, source: str | None, limits: Limits = JSON_LIMITS) -> None:
    """Size, emptiness and binary content (for ``csv``), through the shared checks, with the file's name."""
    try:
        check_magic(data, fmt, limits)
    except HostileFileError as exc:
        exc.source = exc.source or source
        exc.args = (exc.describe(),)
        raise


class GuardedStream:
    """A binary stream read through the guard: at most ``limits.max_bytes``, no DOCTYPE or entity declaration in
    XML (checked on every chunk, a declaration split between two chunks included), no NUL byte in text. Counts the
    lines it has passed, so a refusal names where."""

    def __init__(self, raw: BinaryIO, source: str | None, *, xml: bool, limits: Limits = STREAM_LIMITS) -> None:
        self._raw = raw
        self._source = source
        self._xml = xml
        self._limit = limits.max_bytes
        self._tail = b""
        self.consumed = 0
        self.lines = 1

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size if size and size > 0 else 1024 * 1024)
        if not chunk:
            return b""
        self.consumed += len(chunk)
        if self.consumed > self._limit:
            mib = self._limit // (1024 * 1024)
            raise HostileFileError(
                f"the file is larger than {mib} MiB", code="too_large", params={"limit_mib": mib},
                source=self._source,
            )  # fmt: skip
        window = self._tail + chunk
        if self._xml:
            match = _DOCTYPE.search(window)
            if match:
                line = self.lines + chunk.count(b"\n", 0, max(match.start() - len(self._tail), 0))
                raise HostileFileError(
                    "the XML declares a DOCTYPE or entities (external entities and entity expansion are refused)",
                    code="xml_entities", line=line, source=self._source,
                )  # fmt: skip
        elif b"\x00" in chunk:
            line = self.lines + chunk.count(b"\n", 0, chunk.index(b"\x00"))
            raise HostileFileError(
                "the file is binary, not text", code="wrong_magic", params={"format": "csv"}, line=line,
                source=self._source,
            )  # fmt: skip
        self.lines += chunk.count(b"\n")
        self._tail = chunk[-16:]
        return chunk

    # io.TextIOWrapper wants a full binary stream.
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    @property
    def closed(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def flush(self) -> None:
        pass

    def writable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False


def _depth(value: Any) -> int:
    """The nesting depth of a decoded JSON value, iteratively (a crafted file cannot exhaust the stack here)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_JSON_DEPTH:
                return deepest
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return deepest


def load_json(data: bytes, source: str | None, what: str) -> Any:
    """Decode a JSON report after the shared checks; a syntax error names its line, too deep a nesting is refused."""
    guard_bytes(data, "json", source)
    return parse_json(utf8(data, source, what), source, what)


def utf8(data: bytes, source: str | None, what: str) -> str:
    """The text of a report (a UTF-8 BOM dropped); another encoding names the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"the {what} is not UTF-8 text (byte {exc.start})", code="encoding", params={"offset": exc.start},
            source=source,
        ) from None  # fmt: skip


def parse_json(text: str, source: str | None, what: str) -> Any:
    """Decode JSON text; a syntax error names its line, too deep a nesting is refused."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"the {what} is not valid JSON: {exc.msg} (column {exc.colno})", code="json_syntax",
            params={"detail": exc.msg, "column": exc.colno}, line=exc.lineno, source=source,
        ) from None  # fmt: skip
    except RecursionError:
        value = None
        depth = MAX_JSON_DEPTH + 1
    else:
        depth = _depth(value)
    if depth > MAX_JSON_DEPTH:
        raise HostileFileError(
            f"the JSON nests deeper than {MAX_JSON_DEPTH} levels", code="json_depth",
            params={"limit": MAX_JSON_DEPTH}, source=source,
        )  # fmt: skip
    return value


def number(
    raw: Any, *, source: str | None, field: str, line: int | None = None, row: int | None = None
) -> float | None:
    """A figure as tools write it: a number, or a string (Gatling pads and groups thousands: ``"   81,714"``);
    ``None`` for an absent value (``"-"``, ``"N/A"``, ``""``, ``null``). Anything else names the field."""
    if raw is None or isinstance(raw, bool):
        if raw is None:
            return None
    elif isinstance(raw, int | float):
        value = float(raw)
        if math.isfinite(value):
            return value
    elif isinstance(raw, str):
        text = raw.strip().replace(",", "")
        if text in {"", "-", "N/A", "NaN", "null"}:
            return None
        try:
            value = float(text)
        except ValueError:
            pass
        else:
            if math.isfinite(value):
                return value
    raise FileFormatError(
        f"{field} is not a number: {str(raw)[:40]!r}", code="not_number", params={"value": str(raw)[:40]},
        field=field, line=line, row=row, source=source,
    )  # fmt: skip


def measurement(label: str, metric: Metric, value: float) -> Measurement:
    return Measurement(label=label, metric=metric, value=float(value), unit=METRICS[metric])


def nearest_rank(ordered: npt.NDArray[Any], fraction: float) -> float:
    """The percentile of JMeter's aggregate report (``StatCalculator.getPercentPoint``): the value of rank
    ``round(n × fraction)`` (Java's ``Math.round``, half up; at least 1) in the sorted values, the maximum for 1.

    >>> nearest_rank(np.array([10, 20, 30, 40]), 0.5), nearest_rank(np.array([10, 20, 30, 40]), 0.9)
    (20.0, 40.0)
    """
    n = len(ordered)
    if n == 0:
        raise ValueError("no values")
    if fraction >= 1.0:
        return float(ordered[-1])
    rank = math.floor(n * fraction + 0.5)
    return float(ordered[max(rank, 1) - 1])


PERCENTILES = ((Metric.RESPONSE_TIME_P50, 0.50), (Metric.RESPONSE_TIME_P90, 0.90),
               (Metric.RESPONSE_TIME_P95, 0.95), (Metric.RESPONSE_TIME_P99, 0.99))  # fmt: skip


@dataclass(slots=True)
class LabelSamples:
    """The samples of one label, as they stream past: response times (ms, 32-bit), errors, the first start and the
    last end (ms since the epoch) for the throughput."""

    elapsed: array[int]
    errors: int = 0
    first: int = 2**62
    last: int = -(2**62)


def summarise(label: str, samples: LabelSamples) -> list[Measurement]:
    """Samples, mean, p50/p90/p95/p99 (nearest rank), max, throughput (samples over the span from the first start
    to the last end, as JMeter's aggregate report), error rate and availability of one label."""
    values = np.frombuffer(samples.elapsed, dtype=np.int32) if len(samples.elapsed) else np.zeros(0, np.int32)
    n = int(values.size)
    if n == 0:
        return []
    ordered = np.sort(values)
    span_ms = samples.last - samples.first
    rate = 100.0 * samples.errors / n
    out = [
        measurement(label, Metric.SAMPLES, n),
        measurement(label, Metric.RESPONSE_TIME_MEAN, float(values.mean(dtype=np.float64))),
        *(measurement(label, metric, nearest_rank(ordered, q)) for metric, q in PERCENTILES),
        measurement(label, Metric.RESPONSE_TIME_MAX, float(ordered[-1])),
    ]
    if span_ms > 0:
        out.append(measurement(label, Metric.THROUGHPUT, n * 1000.0 / span_ms))
    out += [measurement(label, Metric.ERROR_RATE, rate), measurement(label, Metric.AVAILABILITY, 100.0 - rate)]
    return out


def merged(per_label: Iterable[LabelSamples]) -> LabelSamples:
    """All labels' samples together (the ``ALL`` line of a report)."""
    total = LabelSamples(array("i"))
    for s in per_label:
        total.elapsed.extend(s.elapsed)
        total.errors += s.errors
        total.first = min(total.first, s.first)
        total.last = max(total.last, s.last)
    return total


_COUNTS = {Severity.CRITICAL: Metric.VULNERABILITIES_CRITICAL, Severity.HIGH: Metric.VULNERABILITIES_HIGH,
           Severity.MEDIUM: Metric.VULNERABILITIES_MEDIUM, Severity.LOW: Metric.VULNERABILITIES_LOW}  # fmt: skip


def vulnerability_counts(severities: Iterable[Severity]) -> list[Measurement]:
    """The VULNERABILITIES_* counts for ALL (every one present, 0 included: "no high vulnerability" is measured)."""
    counts = dict.fromkeys(_COUNTS, 0)
    for severity in severities:
        if severity in counts:
            counts[severity] += 1
    return [measurement(ALL, metric, counts[severity]) for severity, metric in _COUNTS.items()]


def truncate(text: str, limit: int = MAX_MESSAGE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
