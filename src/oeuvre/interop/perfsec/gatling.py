"""Gatling's statistics from its HTML report: ``js/stats.json`` (the tree of groups and requests) or
``js/global_stats.json`` (the whole run only), as Gatling 2.x and 3.x write them.

Each node's ``stats`` holds ``{"total", "ok", "ko"}`` triples, figures as numbers or strings (Gatling 2 pads them and
groups thousands: ``"   81,714"``; ``"-"`` when there is none). Read, from ``total``: ``numberOfRequests`` (samples,
and with ``ko`` the error rate), ``meanResponseTime``, ``maxResponseTime``, ``meanNumberOfRequestsPerSecond``
(throughput) and the percentiles. Gatling's four percentiles are configurable (``gatling.charting.indicators``):
their defaults are 50, 75, 95 and 99, so ``percentiles1`` is read as p50, ``percentiles3`` as p95 and
``percentiles4`` as p99; ``percentiles2`` (p75) has no metric. A report whose indicators were changed says so only in
its HTML: pass ``percentiles`` to read it differently.

The root is :data:`~oeuvre.interop.perfsec.ALL`; each request is a label, named by its path in the groups
(``Checkout / Pay``), as the report's table shows it.

The same tree is in the report's ``js/stats.js``, which the HTML pages load: ``var stats = {…}`` followed by the
``fillStats`` function. Its object is JavaScript, not JSON: the node keys (``type``, ``name``, ``path``,
``pathFormatted``, ``stats``, ``contents``) are unquoted in Gatling 2.x and 3.x, and every key is in Gatling 1.x.
:func:`read_gatling_js` never evaluates it: it takes the object literal alone (up to its matching brace, strings
skipped), quotes its bare keys and decodes the result as JSON, so the script of an HTML report gives the figures of
its ``stats.json`` twin.
"""

from __future__ import annotations

import re
from typing import Any

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import ALL, Measurement, Metric, Report
from oeuvre.interop.perfsec._common import (
    MAX_JSON_DEPTH,
    MAX_LABELS,
    guard_bytes,
    load_json,
    measurement,
    number,
    parse_json,
    utf8,
)

__all__ = [
    "DEFAULT_PERCENTILES",
    "gatling_report",
    "looks_like_gatling",
    "looks_like_gatling_js",
    "read_gatling",
    "read_gatling_js",
    "stats_js_to_json",
]

#: Gatling's default ``percentiles1..4`` (``gatling.charting.indicators.percentile1..4``).
DEFAULT_PERCENTILES = (50.0, 75.0, 95.0, 99.0)
_BY_PERCENT = {50.0: Metric.RESPONSE_TIME_P50, 90.0: Metric.RESPONSE_TIME_P90, 95.0: Metric.RESPONSE_TIME_P95,
               99.0: Metric.RESPONSE_TIME_P99}  # fmt: skip


#: ``var stats = {`` opens the object of ``js/stats.js``.
_VAR_STATS = re.compile(r"\bvar\s+stats\s*=\s*(?=\{)")
#: The tokens of a JavaScript object literal as Gatling writes it: a double-quoted string, a bare word (a key when a
#: colon follows), a bracket, or a run of anything else (numbers, commas, colons, white space).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|([A-Za-z_$][\w$]*)(\s*:)?|[{}\[\]]|[^"A-Za-z_${}\[\]]+|.', re.DOTALL)


def looks_like_gatling_js(start: bytes) -> bool:
    """Whether a file's first bytes are Gatling's ``js/stats.js``."""
    return re.match(rb"\s*var\s+stats\s*=\s*\{", start) is not None


def stats_js_to_json(text: str, source: str | None = None) -> str:
    r"""The object literal of ``var stats = {…}`` as JSON text, on the same lines as in the file (so a syntax error
    names the file's line). Nothing is evaluated: the literal ends at its matching brace, strings are copied as they
    are, a bare word followed by a colon is quoted; what follows the object (the ``fillStats`` function) is ignored.

    >>> stats_js_to_json('var stats = {\n    type: "GROUP",\nstats: {"name": "All"}\n}\nfunction fillStats(s){}')
    '{\n    "type": "GROUP",\n"stats": {"name": "All"}\n}'
    """
    found = _VAR_STATS.search(text)
    if found is None:
        raise FileFormatError("this JavaScript has no « var stats = {…} »", code="gatling_js", source=source)
    start = found.end()
    out = ["\n" * text.count("\n", 0, start)]
    depth = 0
    for token in _TOKEN.finditer(text, start):
        piece = token.group()
        word, colon = token.group(1), token.group(2)
        if word is not None:
            out.append(f'"{word}"{colon}' if colon else piece)
            continue
        if piece == '"':
            line = text.count("\n", 0, token.start()) + 1
            raise FileFormatError("a string is never closed", code="gatling_js", line=line, source=source)
        out.append(piece)
        if piece in ("{", "["):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise HostileFileError(
                    f"the JavaScript object nests deeper than {MAX_JSON_DEPTH} levels", code="json_depth",
                    params={"limit": MAX_JSON_DEPTH}, source=source,
                )  # fmt: skip
        elif piece in ("}", "]"):
            depth -= 1
            if depth == 0:
                return "".join(out)
    raise FileFormatError("the « var stats » object is never closed", code="gatling_js", source=source)


def read_gatling_js(
    data: bytes, source: str | None = None, *, percentiles: tuple[float, float, float, float] = DEFAULT_PERCENTILES
) -> Report:
    """Read ``js/stats.js`` (after the shared checks): the figures of its ``stats.json`` twin."""
    guard_bytes(data, "json", source)
    document = parse_json(stats_js_to_json(utf8(data, source, "Gatling stats.js"), source), source, "Gatling stats.js")
    return gatling_report(document, source, percentiles=percentiles, fmt="gatling-js")


def looks_like_gatling(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    stats = document.get("stats") if "stats" in document else document
    return isinstance(stats, dict) and isinstance(stats.get("numberOfRequests"), dict)


def read_gatling(
    data: bytes, source: str | None = None, *, percentiles: tuple[float, float, float, float] = DEFAULT_PERCENTILES
) -> Report:
    """Read the file's bytes (after the shared checks)."""
    return gatling_report(load_json(data, source, "Gatling statistics"), source, percentiles=percentiles)


def gatling_report(
    document: Any,
    source: str | None = None,
    *,
    percentiles: tuple[float, float, float, float] = DEFAULT_PERCENTILES,
    fmt: str = "gatling-stats",
) -> Report:
    """The report of an already decoded document."""
    if not looks_like_gatling(document):
        raise FileFormatError(
            "this JSON is not Gatling's stats.json or global_stats.json (no numberOfRequests)", code="not_gatling",
            source=source,
        )  # fmt: skip
    out: list[Measurement] = []
    if "stats" in document:
        out += _node(ALL, document["stats"], "stats", source, percentiles)
        requests: list[tuple[str, Any, str]] = []
        _walk(document.get("contents"), (), "contents", requests, source)
        if len(requests) > MAX_LABELS:
            raise FileFormatError(
                f"more than {MAX_LABELS} requests", code="too_many_labels", params={"limit": MAX_LABELS},
                source=source,
            )  # fmt: skip
        for label, stats, path in requests:
            out += _node(label, stats, path, source, percentiles)
    else:  # global_stats.json: the root's stats alone
        out += _node(ALL, document, "", source, percentiles)
    return Report(tool="gatling", format=fmt, measurements=out)


def _walk(contents: Any, groups: tuple[str, ...], path: str, into: list[tuple[str, Any, str]],
          source: str | None) -> None:  # fmt: skip
    if contents is None:
        return
    if not isinstance(contents, dict):
        raise FileFormatError("contents is not an object", code="gatling_shape", field=path, source=source)
    for key, node in contents.items():
        if not isinstance(node, dict):
            raise FileFormatError("a node is not an object", code="gatling_shape", field=f"{path}.{key}",
                                  source=source)  # fmt: skip
        name = str(node.get("name", key))
        if node.get("type") == "GROUP":
            _walk(node.get("contents"), (*groups, name), f"{path}.{key}.contents", into, source)
        else:
            into.append((" / ".join((*groups, name)), node.get("stats"), f"{path}.{key}.stats"))


def _total(stats: dict[str, Any], key: str, path: str, source: str | None, part: str = "total") -> float | None:
    triple = stats.get(key)
    if triple is None:
        return None
    if not isinstance(triple, dict):
        raise FileFormatError(f"{key} is not an object", code="gatling_shape", field=f"{path}.{key}", source=source)
    return number(triple.get(part), source=source, field=f"{path}.{key}.{part}")


def _node(label: str, stats: Any, path: str, source: str | None,
          percentiles: tuple[float, float, float, float]) -> list[Measurement]:  # fmt: skip
    if not isinstance(stats, dict):
        raise FileFormatError("the statistics are not an object", code="gatling_shape", field=path or None,
                              source=source)  # fmt: skip
    prefix = f"{path}." if path else ""
    total = _total(stats, "numberOfRequests", prefix.rstrip("."), source)
    if not total:
        return []
    ko = _total(stats, "numberOfRequests", prefix.rstrip("."), source, "ko") or 0.0
    out = [measurement(label, Metric.SAMPLES, total)]
    for key, metric in (("meanResponseTime", Metric.RESPONSE_TIME_MEAN), ("maxResponseTime", Metric.RESPONSE_TIME_MAX),
                        ("meanNumberOfRequestsPerSecond", Metric.THROUGHPUT)):  # fmt: skip
        value = _total(stats, key, prefix.rstrip("."), source)
        if value is not None:
            out.append(measurement(label, metric, value))
    for n, percent in enumerate(percentiles, start=1):
        which = _BY_PERCENT.get(percent)
        value = _total(stats, f"percentiles{n}", prefix.rstrip("."), source)
        if which is not None and value is not None:
            out.append(measurement(label, which, value))
    rate = 100.0 * ko / total
    out += [measurement(label, Metric.ERROR_RATE, rate), measurement(label, Metric.AVAILABILITY, 100.0 - rate)]
    return out
