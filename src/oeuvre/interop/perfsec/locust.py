"""Locust's ``--csv PREFIX`` statistics, ``PREFIX_stats.csv`` (Locust 1.x and 2.x): one row per endpoint and the
``Aggregated`` row for the whole run (:data:`~oeuvre.interop.perfsec.ALL`).

Columns read: ``Type`` and ``Name`` (the label is ``"GET /login"``, as Locust's web table shows it), ``Request
Count``, ``Failure Count``, ``Average Response Time``, ``Max Response Time``, ``Requests/s`` and the percentile
columns ``50%``, ``90%``, ``95%``, ``99%``. Locust's own percentiles are computed on response times rounded to two
significant figures above 100 ms (its ``StatsEntry`` buckets): they are kept as Locust reports them, not recomputed.
``N/A`` (no request) is no figure. Older files name the median ``Median Response Time`` without a ``50%`` column.
"""

from __future__ import annotations

import csv
import io

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import ALL, Measurement, Metric, Report
from oeuvre.interop.perfsec._common import MAX_LABELS, guard_bytes, measurement, number

__all__ = ["looks_like_locust", "read_locust"]

_COLUMNS = (("Average Response Time", Metric.RESPONSE_TIME_MEAN), ("50%", Metric.RESPONSE_TIME_P50),
            ("90%", Metric.RESPONSE_TIME_P90), ("95%", Metric.RESPONSE_TIME_P95), ("99%", Metric.RESPONSE_TIME_P99),
            ("Max Response Time", Metric.RESPONSE_TIME_MAX), ("Requests/s", Metric.THROUGHPUT))  # fmt: skip
_REQUIRED = ("Name", "Request Count", "Failure Count")


def looks_like_locust(first_line: bytes) -> bool:
    line = first_line.lstrip(b"\xef\xbb\xbf")
    return b"Request Count" in line and b"Failure Count" in line and b"Name" in line


def read_locust(data: bytes, source: str | None = None) -> Report:
    guard_bytes(data, "csv", source)
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip() for c in next(reader, [])]
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise FileFormatError(
                f"the header lacks Locust's column {missing[0]!r}", code="locust_header",
                params={"column": missing[0]}, line=1, field=missing[0], source=source,
            )  # fmt: skip
        where = {name: i for i, name in enumerate(header)}
        if "50%" not in where and "Median Response Time" in where:
            where["50%"] = where["Median Response Time"]
        out: list[Measurement] = []
        seen_all = False
        rows = 0
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) != len(header):
                raise FileFormatError(
                    f"the row has {len(row)} fields; the header names {len(header)}", code="locust_columns",
                    params={"found": len(row), "expected": len(header)}, line=line, source=source,
                )  # fmt: skip
            rows += 1
            if rows > MAX_LABELS:
                raise FileFormatError(
                    f"more than {MAX_LABELS} endpoints", code="too_many_labels", params={"limit": MAX_LABELS},
                    line=line, source=source,
                )  # fmt: skip
            name = row[where["Name"]].strip()
            kind = row[where["Type"]].strip() if "Type" in where else ""
            if name == "Aggregated" and not kind:
                label, seen_all = ALL, True
            else:
                label = f"{kind} {name}".strip()
            out += _row(label, row, where, line, source)
    except csv.Error as exc:
        raise FileFormatError(
            f"the CSV is damaged: {exc}", code="csv_syntax", params={"detail": str(exc)}, line=reader.line_num,
            source=source,
        ) from None  # fmt: skip
    if not seen_all:
        raise FileFormatError(
            "the file has no Aggregated row (is it Locust's _stats_history.csv or _failures.csv?)",
            code="locust_no_aggregate", source=source,
        )  # fmt: skip
    if not any(m.label == ALL for m in out):
        raise FileFormatError("the run made no request (its Aggregated row counts 0)", code="no_samples",
                              source=source)  # fmt: skip
    return Report(tool="locust", format="locust-csv", measurements=out)


def _row(label: str, row: list[str], where: dict[str, int], line: int, source: str | None) -> list[Measurement]:
    def cell(column: str) -> float | None:
        return number(row[where[column]], source=source, field=column, line=line) if column in where else None

    count = cell("Request Count") or 0.0
    if count <= 0:
        return []
    failures = cell("Failure Count") or 0.0
    out = [measurement(label, Metric.SAMPLES, count)]
    for column, metric in _COLUMNS:
        value = cell(column)
        if value is not None:
            out.append(measurement(label, metric, value))
    rate = 100.0 * failures / count
    out += [measurement(label, Metric.ERROR_RATE, rate), measurement(label, Metric.AVAILABILITY, 100.0 - rate)]
    return out
