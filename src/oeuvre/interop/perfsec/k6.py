"""k6's end-of-test summary as JSON: the ``--summary-export`` file and the data ``handleSummary`` receives.

Both hold ``metrics`` keyed by name. ``--summary-export`` (k6 0.x and 1.x) writes a metric's figures at its top level
(``{"avg": …, "p(95)": …}``, a rate as ``{"passes", "fails", "value"}``); ``handleSummary``'s data nests them under
``values`` with the metric's ``type`` (``{"type": "trend", "values": {"avg": …}}``, a rate's ``values.rate``).

Read: ``http_req_duration`` (avg, med, p(90), p(95), p(99) when ``summaryTrendStats`` asks for it, max; ms),
``http_reqs`` (count, rate → throughput in req/s), ``http_req_failed`` (rate → error rate and availability in %),
``vus_max`` (the peak of virtual users). A sub-metric of ``http_req_duration`` selected by a tag in the script's
thresholds (``http_req_duration{name:login}``, ``{group:::checkout}``, ``{scenario:browse}``) is a label of its own:
its tag's value.
"""

from __future__ import annotations

import re
from typing import Any

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import ALL, Measurement, Metric, Report
from oeuvre.interop.perfsec._common import load_json, measurement, number

__all__ = ["k6_report", "looks_like_k6", "read_k6"]

_TREND = (("avg", Metric.RESPONSE_TIME_MEAN), ("med", Metric.RESPONSE_TIME_P50), ("p(50)", Metric.RESPONSE_TIME_P50),
          ("p(90)", Metric.RESPONSE_TIME_P90), ("p(95)", Metric.RESPONSE_TIME_P95),
          ("p(99)", Metric.RESPONSE_TIME_P99), ("max", Metric.RESPONSE_TIME_MAX))  # fmt: skip
_SUBMETRIC = re.compile(r"^http_req_duration\{(?P<tags>.*)\}$")


def looks_like_k6(document: Any) -> bool:
    metrics = document.get("metrics") if isinstance(document, dict) else None
    return isinstance(metrics, dict) and any(
        isinstance(k, str) and (k.startswith("http_req") or k in {"iterations", "vus_max", "checks"}) for k in metrics
    )


def _values(metric: Any, name: str, source: str | None) -> dict[str, Any]:
    if not isinstance(metric, dict):
        raise FileFormatError(
            f"the metric {name} is not an object", code="k6_shape", field=f"metrics.{name}", source=source
        )
    inner = metric.get("values")
    return inner if isinstance(inner, dict) else metric


def _label(tags: str) -> str:
    """``name:login`` → ``login``; ``group:::checkout`` → ``::checkout`` (k6 writes groups' paths with ``::``);
    several tags stay as written."""
    if "," not in tags and ":" in tags:
        return tags.split(":", 1)[1]
    return tags


def read_k6(data: bytes, source: str | None = None) -> Report:
    """Read the file's bytes (after the shared checks)."""
    return k6_report(load_json(data, source, "k6 summary"), source)


def k6_report(document: Any, source: str | None = None) -> Report:
    """The report of an already decoded document."""
    if not looks_like_k6(document):
        raise FileFormatError(
            "this JSON is not a k6 end-of-test summary (no metrics of HTTP requests)", code="not_k6", source=source
        )
    metrics: dict[str, Any] = document["metrics"]
    out: list[Measurement] = []

    def trend(label: str, name: str) -> None:
        values = _values(metrics[name], name, source)
        seen: set[Metric] = set()
        for key, metric in _TREND:
            value = number(values.get(key), source=source, field=f"metrics.{name}.{key}")
            if value is not None and metric not in seen:
                seen.add(metric)
                out.append(measurement(label, metric, value))

    if "http_req_duration" in metrics:
        trend(ALL, "http_req_duration")
    reqs = metrics.get("http_reqs")
    count: float | None = None
    if reqs is not None:
        values = _values(reqs, "http_reqs", source)
        count = number(values.get("count"), source=source, field="metrics.http_reqs.count")
        rate = number(values.get("rate"), source=source, field="metrics.http_reqs.rate")
        if count is not None:
            out.append(measurement(ALL, Metric.SAMPLES, count))
        if rate is not None:
            out.append(measurement(ALL, Metric.THROUGHPUT, rate))
    failed = metrics.get("http_req_failed")
    if failed is not None:
        values = _values(failed, "http_req_failed", source)
        raw = values.get("rate", values.get("value"))
        share = number(raw, source=source, field="metrics.http_req_failed.rate")
        if share is not None:
            if not 0.0 <= share <= 1.0:
                raise FileFormatError(
                    f"http_req_failed's rate is {share}, not a share between 0 and 1", code="k6_shape",
                    field="metrics.http_req_failed.rate", source=source,
                )  # fmt: skip
            out += [measurement(ALL, Metric.ERROR_RATE, 100.0 * share),
                    measurement(ALL, Metric.AVAILABILITY, 100.0 - 100.0 * share)]  # fmt: skip
    vus = metrics.get("vus_max")
    if vus is not None:
        values = _values(vus, "vus_max", source)
        peak = number(values.get("max", values.get("value")), source=source, field="metrics.vus_max.max")
        if peak is not None:
            out.append(measurement(ALL, Metric.USERS, peak))
    for name in sorted(metrics):
        match = _SUBMETRIC.match(name)
        if match and not match["tags"].startswith("expected_response:"):
            trend(_label(match["tags"]), name)
    if not out:
        raise FileFormatError(
            "the k6 summary has none of http_req_duration, http_reqs, http_req_failed", code="not_k6", source=source
        )
    return Report(tool="k6", format="k6-summary", measurements=out)
