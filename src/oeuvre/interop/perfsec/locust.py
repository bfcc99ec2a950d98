"""Locust's ``--csv PREFIX`` statistics, ``PREFIX_stats.csv`` (Locust 1.x and 2.x): one row per endpoint and the
``Aggregated`` row for the whole run (:data:`~oeuvre.interop.perfsec.ALL`).

Columns read: ``Type`` and ``Name`` (the label is ``"GET /login"``, as Locust's web table shows it), ``Request
Count``, ``Failure Count``, ``Average Response Time``, ``Max Response Time``, ``Requests/s`` and the percentile
columns ``50%``, ``90%``, ``95%``, ``99%``. Locust's own percentiles are computed on response times rounded to two
significant figures above 100 ms (its ``StatsEntry`` buckets): they are kept as Locust reports them, not recomputed.
``N/A`` (no request) is no figure. Older files name the median ``Median Response Time`` without a ``50%`` column.

The stats file does not say how many users ran: Locust writes that only in ``PREFIX_stats_history.csv``, a row every
few seconds with the ``User Count`` of that moment and the running ``Total …`` figures (one row for the ``Aggregated``
whole, and one per endpoint with ``--csv-full-history``). :func:`read_locust_history` reads the peak user count
(:attr:`Metric.USERS`, so a criterion "p95 ≤ 2 s at 500 users" can check the load was reached) and, from each label's
last row, the totals: requests, failures (error rate), mean, median and maximum response time. Its percentile columns
are Locust's *current* window (the last seconds), not the run's, so they are not read; nor is its ``Requests/s``.
:func:`with_users` adds the peak to the report of the stats file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import ALL, Measurement, Metric, Report
from oeuvre.interop.perfsec._common import MAX_LABELS, guard_bytes, measurement, number

__all__ = ["looks_like_locust", "looks_like_locust_history", "read_locust", "read_locust_history", "with_users"]

_COLUMNS = (("Average Response Time", Metric.RESPONSE_TIME_MEAN), ("50%", Metric.RESPONSE_TIME_P50),
            ("90%", Metric.RESPONSE_TIME_P90), ("95%", Metric.RESPONSE_TIME_P95), ("99%", Metric.RESPONSE_TIME_P99),
            ("Max Response Time", Metric.RESPONSE_TIME_MAX), ("Requests/s", Metric.THROUGHPUT))  # fmt: skip
_REQUIRED = ("Name", "Request Count", "Failure Count")


_HISTORY_REQUIRED = ("User Count", "Name", "Total Request Count", "Total Failure Count")
_HISTORY_TOTALS = (("Total Average Response Time", Metric.RESPONSE_TIME_MEAN),
                   ("Total Median Response Time", Metric.RESPONSE_TIME_P50),
                   ("Total Max Response Time", Metric.RESPONSE_TIME_MAX))  # fmt: skip


def looks_like_locust_history(first_line: bytes) -> bool:
    line = first_line.lstrip(b"\xef\xbb\xbf")
    return b"User Count" in line and b"Total Request Count" in line and b"Name" in line


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


# The columns of one row: (request count, failure count, figures). The history file says « Total … ».
_STATS = ("Request Count", "Failure Count", _COLUMNS)
_HISTORY = ("Total Request Count", "Total Failure Count", _HISTORY_TOTALS)


def _row(
    label: str,
    row: list[str],
    where: dict[str, int],
    line: int,
    source: str | None,
    columns: tuple[str, str, tuple[tuple[str, Metric], ...]] = _STATS,
) -> list[Measurement]:
    counted, failed, figures = columns

    def cell(column: str) -> float | None:
        return number(row[where[column]], source=source, field=column, line=line) if column in where else None

    count = cell(counted) or 0.0
    if count <= 0:
        return []
    failures = cell(failed) or 0.0
    out = [measurement(label, Metric.SAMPLES, count)]
    for column, metric in figures:
        value = cell(column)
        if value is not None:
            out.append(measurement(label, metric, value))
    rate = 100.0 * failures / count
    out += [measurement(label, Metric.ERROR_RATE, rate), measurement(label, Metric.AVAILABILITY, 100.0 - rate)]
    return out


def read_locust_history(data: bytes, source: str | None = None) -> Report:
    """``PREFIX_stats_history.csv``: the peak user count and each label's final totals."""
    guard_bytes(data, "csv", source)
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    peak: float | None = None
    last: dict[str, tuple[list[str], int]] = {}
    try:
        header = [c.strip() for c in next(reader, [])]
        missing = [c for c in _HISTORY_REQUIRED if c not in header]
        if missing:
            raise FileFormatError(
                f"the header lacks the column {missing[0]!r} of Locust's stats history",
                code="locust_history_header", params={"column": missing[0]}, line=1, field=missing[0], source=source,
            )  # fmt: skip
        where = {name: i for i, name in enumerate(header)}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) != len(header):
                raise FileFormatError(
                    f"the row has {len(row)} fields; the header names {len(header)}", code="locust_columns",
                    params={"found": len(row), "expected": len(header)}, line=line, source=source,
                )  # fmt: skip
            users = number(row[where["User Count"]], source=source, field="User Count", line=line)
            if users is not None and (peak is None or users > peak):
                peak = users
            name = row[where["Name"]].strip()
            kind = row[where["Type"]].strip() if "Type" in where else ""
            label = ALL if name == "Aggregated" and not kind else f"{kind} {name}".strip()
            if label not in last and len(last) >= MAX_LABELS:
                raise FileFormatError(
                    f"more than {MAX_LABELS} endpoints", code="too_many_labels", params={"limit": MAX_LABELS},
                    line=line, source=source,
                )  # fmt: skip
            last[label] = (row, line)
    except csv.Error as exc:
        raise FileFormatError(
            f"the CSV is damaged: {exc}", code="csv_syntax", params={"detail": str(exc)}, line=reader.line_num,
            source=source,
        ) from None  # fmt: skip
    if ALL not in last:
        raise FileFormatError("the stats history has no Aggregated row", code="locust_no_aggregate", source=source)
    out: list[Measurement] = []
    for label in sorted(last, key=lambda label: (label != ALL, label)):
        row, line = last[label]
        out += _row(label, row, where, line, source, _HISTORY)
    if not any(m.label == ALL for m in out):
        raise FileFormatError("the run made no request (its Aggregated row counts 0)", code="no_samples",
                              source=source)  # fmt: skip
    if peak is not None:
        out.append(measurement(ALL, Metric.USERS, peak))
    return Report(tool="locust", format="locust-history", measurements=out)


def with_users(report: Report, history: Report) -> Report:
    """The stats file's report with the peak user count of its stats history (unless it already has one)."""
    users = history.value(Metric.USERS)
    if users is None or report.value(Metric.USERS) is not None:
        return report
    return replace(report, measurements=[*report.measurements, measurement(ALL, Metric.USERS, users)])
