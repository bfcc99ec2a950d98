"""Performance and security results written by the tools teams use, read into one plain shape.

Load tests (Apache JMeter JTL as CSV or XML, k6's end-of-test summary JSON, Gatling's ``stats.json`` or its
``stats.js`` twin, Locust's ``*_stats.csv`` and ``*_stats_history.csv``) and security scans (SARIF 2.1 from OWASP
ZAP, Trivy, Semgrep, CodeQL…, ZAP's own JSON report, and testssl.sh's JSON for the TLS versions a server offers)
become a :class:`Report`: measurements per label (a JMeter sampler, a k6 group or tagged request, a Gatling
request, a Locust endpoint, plus :data:`ALL` for the whole run) and security findings with a normalised severity.
A criterion of the DAT (``engine.criteria``) is then compared with the measurement of the same metric. A report
folder, a zip (Gatling's HTML report, Locust's stats with their history) and files sent together are read by
:mod:`~oeuvre.interop.perfsec.bundle`.

This module holds the contract shared by the readers and the stages that store their results: the metric
vocabulary, the dataclasses and :func:`read_report`, which detects the tool from the bytes and the file name.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field

__all__ = [
    "ALL",
    "ERROR_CODES",
    "FORMATS",
    "METRICS",
    "Finding",
    "Measurement",
    "Metric",
    "Report",
    "Severity",
    "detect_format",
    "read_report",
    "read_report_file",
    "read_reports",
]

#: The label of a measurement over the whole run (every sampler or request together).
ALL = "*"


class Metric(enum.StrEnum):
    """What a measurement or a criterion is about; the unit in brackets is the unit readers emit."""

    RESPONSE_TIME_MEAN = "response_time_mean"  # [ms]
    RESPONSE_TIME_P50 = "response_time_p50"  # [ms]
    RESPONSE_TIME_P90 = "response_time_p90"  # [ms]
    RESPONSE_TIME_P95 = "response_time_p95"  # [ms]
    RESPONSE_TIME_P99 = "response_time_p99"  # [ms]
    RESPONSE_TIME_MAX = "response_time_max"  # [ms]
    THROUGHPUT = "throughput"  # [req/s]
    ERROR_RATE = "error_rate"  # [%]
    AVAILABILITY = "availability"  # [%] 100 - error rate when a tool reports no availability of its own
    USERS = "users"  # [users] peak concurrent virtual users, when the file says it
    SAMPLES = "samples"  # [count] requests measured
    VULNERABILITIES_CRITICAL = "vulnerabilities_critical"  # [count]
    VULNERABILITIES_HIGH = "vulnerabilities_high"  # [count]
    VULNERABILITIES_MEDIUM = "vulnerabilities_medium"  # [count]
    VULNERABILITIES_LOW = "vulnerabilities_low"  # [count]
    TLS_MIN_VERSION = "tls_min_version"  # [version] e.g. 1.2, from a scan that reports it


#: The unit each metric is emitted in by the readers (criteria may be written in another unit of the same kind,
#: e.g. seconds for a response time; ``engine.criteria`` converts).
METRICS: dict[Metric, str] = {
    Metric.RESPONSE_TIME_MEAN: "ms",
    Metric.RESPONSE_TIME_P50: "ms",
    Metric.RESPONSE_TIME_P90: "ms",
    Metric.RESPONSE_TIME_P95: "ms",
    Metric.RESPONSE_TIME_P99: "ms",
    Metric.RESPONSE_TIME_MAX: "ms",
    Metric.THROUGHPUT: "req/s",
    Metric.ERROR_RATE: "%",
    Metric.AVAILABILITY: "%",
    Metric.USERS: "users",
    Metric.SAMPLES: "count",
    Metric.VULNERABILITIES_CRITICAL: "count",
    Metric.VULNERABILITIES_HIGH: "count",
    Metric.VULNERABILITIES_MEDIUM: "count",
    Metric.VULNERABILITIES_LOW: "count",
    Metric.TLS_MIN_VERSION: "version",
}


class Severity(enum.StrEnum):
    """A security finding's severity, normalised across tools (SARIF ``level`` and ``security-severity``, ZAP risk)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


@dataclass(frozen=True)
class Measurement:
    label: str  # ALL for the whole run
    metric: Metric
    value: float
    unit: str  # METRICS[metric]


@dataclass(frozen=True)
class Finding:
    rule_id: str  # "CVE-2024-1234", "10038", "python.lang.security.audit.eval"
    title: str
    severity: Severity
    message: str = ""
    location: str = ""  # "src/app.py:42", a URL, a package@version
    tool: str = ""


@dataclass
class Report:
    tool: str  # "jmeter", "k6", "gatling", "locust", "sarif", "zap", "testssl"
    tool_version: str = ""  # as the file says it, "" when it does not
    format: str = ""  # one of FORMATS
    measurements: list[Measurement] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    producer: str = (
        ""  # the program that wrote a security report, with its version: "Semgrep OSS 1.187.0", "ZAP 2.16.0"
    )

    def value(self, metric: Metric, label: str = ALL) -> float | None:
        """The measured value of ``metric`` for ``label`` (the whole run by default), or ``None``."""
        for m in self.measurements:
            if m.metric == metric and m.label == label:
                return m.value
        return None

    def labels(self) -> list[str]:
        """The labels measured, :data:`ALL` first."""
        seen = dict.fromkeys(m.label for m in self.measurements)
        return sorted(seen, key=lambda label: (label != ALL, label))


#: The codes of the errors the readers raise (``FileFormatError.code``; ``HostileFileError`` for the first five), with
#: the ``params`` each carries, for an edge that words them in the user's language. ``line``, ``row``, ``field`` and
#: ``source`` say where on every error; a ``*_shape`` error's field names the value that is not as the tool writes it.
ERROR_CODES: dict[str, tuple[str, ...]] = {
    "too_large": ("size_mib", "limit_mib"), "empty": (), "wrong_magic": ("format",), "xml_entities": (),
    "json_depth": ("limit",),
    "unsupported_report": ("detail",), "encoding": ("offset",), "json_syntax": ("detail", "column"),
    "csv_syntax": ("detail",), "xml_syntax": ("detail",), "not_number": ("value",), "missing_field": ("field",),
    "no_samples": (), "too_many_labels": ("limit",), "too_many_samples": ("limit",), "too_many_findings": ("limit",),
    "jtl_header": ("column",), "jtl_columns": ("found", "expected"), "not_jtl": ("root",),
    "locust_header": ("column",), "locust_columns": ("found", "expected"), "locust_no_aggregate": (),
    "locust_history_header": ("column",),
    "not_k6": (), "k6_shape": (), "not_gatling": (), "gatling_shape": (), "gatling_js": (),
    "not_sarif": (), "sarif_version": ("version",), "sarif_shape": (), "not_zap": (), "zap_shape": (),
    "not_testssl": (), "testssl_shape": (),
    "zip_bomb": (), "zip_damaged": (), "zip_name": ("member",), "zip_nested": ("member",), "too_many_files": ("limit",),
    "bundle_no_report": (), "bundle_ambiguous": ("names",), "bundle_mixed": ("formats",),
}  # fmt: skip

#: The formats :func:`read_report` knows, as :func:`detect_format` names them.
FORMATS = ("jtl-csv", "jtl-xml", "k6-summary", "gatling-stats", "gatling-js", "locust-csv", "locust-history",
           "sarif-2.1", "zap-json", "testssl-json")  # fmt: skip


def detect_format(data: bytes, filename: str = "") -> str:
    r"""Which tool wrote ``data``: one of :data:`FORMATS`, from the content (the file name only breaks no tie: a
    renamed file is still recognised); ``"zip"`` for an archive, whose report is chosen when it is read. Raises
    :class:`~oeuvre.interop.errors.FileFormatError` (``unsupported_report``) when it is none of them.

    >>> detect_format(b"timeStamp,elapsed,label,responseCode,success\n1700000000000,12,Home,200,true\n")
    'jtl-csv'
    >>> detect_format(b'{"version": "2.1.0", "runs": []}')
    'sarif-2.1'
    """
    from oeuvre.interop.perfsec import _detect

    return _detect.detect(data, filename)


def read_report(data: bytes, filename: str = "") -> Report:
    r"""Read a load-test or security report, detecting the tool from its content (the file name is a hint).

    A zip (Gatling's report folder zipped, Locust's stats with their history, or one report) is read through the
    zip guard and :mod:`oeuvre.interop.perfsec.bundle`.

    Raises :class:`oeuvre.interop.errors.FileFormatError` (naming the line, row or field) when the file is not one
    of the supported formats or is damaged, :class:`~oeuvre.interop.errors.HostileFileError` when it looks crafted
    (over the size limit, binary, an XML DOCTYPE or entity, JSON nested too deep).

    >>> report = read_report(b"timeStamp,elapsed,label,success\n1700000000000,120,Home,true\n"
    ...                      b"1700000000100,80,Home,false\n", "results.jtl")
    >>> report.tool, report.value(Metric.RESPONSE_TIME_MAX), report.value(Metric.ERROR_RATE)
    ('jmeter', 120.0, 50.0)
    """
    from oeuvre.interop.perfsec import _detect

    return _detect.read(data, filename)


def read_report_file(path: str | os.PathLike[str], name: str | None = None) -> Report:
    """Read a report from a file; a JMeter JTL is streamed from the disk (a run of millions of samples is summarised
    holding only their response times), any other format is read whole under the shared size limit. A Locust
    ``PREFIX_stats.csv`` takes the peak user count (:attr:`Metric.USERS`) from the ``PREFIX_stats_history.csv``
    Locust writes beside it, when it is there. A folder (Gatling's report folder, Locust's ``--csv`` output) or a zip
    is read through :mod:`oeuvre.interop.perfsec.bundle`. ``name`` is what errors call the file (by default its
    own name): an upload kept under a generated name is named as the user sent it."""
    from oeuvre.interop.perfsec import _detect

    return _detect.read_file(path, name)


def read_reports(parts: list[tuple[bytes, str]]) -> Report:
    """Files of one run sent together (``(bytes, file name)``): one report, or Locust's ``_stats.csv`` with its
    ``_stats_history.csv`` (the peak user count joins the stats). Other mixes are refused (``bundle_mixed``)."""
    from oeuvre.interop.perfsec.bundle import read_together

    return read_together(parts)
