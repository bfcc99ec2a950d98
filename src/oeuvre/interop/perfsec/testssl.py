"""testssl.sh's JSON (``--jsonfile``, a flat list of findings, and ``--jsonfile-pretty``, the same findings grouped
under ``scanResult``), as testssl.sh 3.0 to 3.2 write it: the TLS protocols a server offers and its weaknesses.

Each entry has an ``id`` (``SSLv2``, ``SSLv3``, ``TLS1``, ``TLS1_1``, ``TLS1_2``, ``TLS1_3`` for the protocols;
``heartbleed``, ``BREACH``, ``cipherlist_LOW``… for the checks), a ``severity`` (``OK``, ``INFO``, ``LOW``,
``MEDIUM``, ``HIGH``, ``CRITICAL``, and ``WARN``/``DEBUG``/``FATAL`` for the scan itself) and a ``finding`` text
(``offered``, ``not offered``, ``offered (deprecated)``, ``offered with final``…).

The report measures :data:`~oeuvre.interop.perfsec.Metric.TLS_MIN_VERSION`, the oldest protocol offered (SSL 2 and 3
as 0.2 and 0.3, so that any TLS version compares above them), for a criterion such as "TLS ≥ 1.2", and turns the
LOW to CRITICAL entries into findings.
"""

from __future__ import annotations

from typing import Any

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import ALL, Finding, Metric, Report, Severity
from oeuvre.interop.perfsec._common import load_json, measurement, truncate, vulnerability_counts

__all__ = ["looks_like_testssl", "read_testssl", "ssl_scan_report"]

_PROTOCOLS = {"SSLv2": 0.2, "SSLv3": 0.3, "TLS1": 1.0, "TLS1_1": 1.1, "TLS1_2": 1.2, "TLS1_3": 1.3}
_SEVERITY = {"LOW": Severity.LOW, "MEDIUM": Severity.MEDIUM, "HIGH": Severity.HIGH, "CRITICAL": Severity.CRITICAL}
_KEYS = {"id", "severity", "finding"}


def _entries(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and isinstance(document.get("scanResult"), list):
        found: list[Any] = []
        for target in document["scanResult"]:
            if isinstance(target, dict):
                for value in target.values():
                    if isinstance(value, list):
                        found.extend(value)
        return found
    return None


def looks_like_testssl(document: Any) -> bool:
    """A list whose first objects carry ``id``, ``severity`` and ``finding``, or the pretty form's ``scanResult``."""
    if isinstance(document, dict):
        return isinstance(document.get("scanResult"), list) and "Invocation" in document
    if not isinstance(document, list) or not document:
        return False
    return all(isinstance(e, dict) and set(e) >= _KEYS for e in document[:3])


def read_testssl(data: bytes, source: str | None = None) -> Report:
    return ssl_scan_report(load_json(data, source, "testssl.sh report"), source)


def ssl_scan_report(document: Any, source: str | None = None) -> Report:
    if not looks_like_testssl(document):
        raise FileFormatError("this JSON is not a testssl.sh report", code="not_testssl", source=source)
    entries = _entries(document) or []
    offered: list[float] = []
    findings: list[Finding] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not set(entry) >= _KEYS:
            raise FileFormatError("an entry is not an object with id, severity and finding", code="testssl_shape",
                                  field=f"[{i}]", source=source)  # fmt: skip
        rule, severity, text = str(entry["id"]), str(entry["severity"]).upper(), str(entry["finding"])
        if rule in _PROTOCOLS:
            if text.strip().lower().startswith("offered"):
                offered.append(_PROTOCOLS[rule])
        elif severity in _SEVERITY:
            where = str(entry.get("ip") or entry.get("targetHost") or "")
            port = str(entry.get("port") or "")
            cve = str(entry.get("cve") or "")
            findings.append(Finding(
                rule_id=truncate(rule, 200), title=truncate(f"{rule}: {text}", 300), severity=_SEVERITY[severity],
                message=truncate(" ".join(filter(None, [text, cve]))),
                location=truncate(f"{where}:{port}" if port else where, 500), tool="testssl.sh",
            ))  # fmt: skip
    measurements = vulnerability_counts(f.severity for f in findings)
    if offered:
        measurements.append(measurement(ALL, Metric.TLS_MIN_VERSION, min(offered)))
    version = str(document.get("version", "")).strip() if isinstance(document, dict) else ""
    return Report(tool="testssl", tool_version=version, format="testssl-json", findings=findings,
                  measurements=measurements, producer=f"testssl.sh {version}".strip())  # fmt: skip
