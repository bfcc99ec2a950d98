"""Which tool wrote a file, from its first bytes (and, for JSON, its top-level keys), and the dispatch to its reader."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any, BinaryIO

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import Report
from oeuvre.interop.perfsec._common import JSON_LIMITS, STREAM_LIMITS, guard_bytes, head, load_json
from oeuvre.interop.perfsec.gatling import gatling_report, looks_like_gatling, looks_like_gatling_js, read_gatling_js
from oeuvre.interop.perfsec.jmeter import looks_like_jtl_csv, read_jtl_csv, read_jtl_xml
from oeuvre.interop.perfsec.k6 import k6_report, looks_like_k6
from oeuvre.interop.perfsec.locust import (
    looks_like_locust,
    looks_like_locust_history,
    read_locust,
    read_locust_history,
    with_users,
)
from oeuvre.interop.perfsec.sarif import looks_like_sarif, sarif_report
from oeuvre.interop.perfsec.testssl import looks_like_testssl, ssl_scan_report
from oeuvre.interop.perfsec.zap import looks_like_zap, zap_report
from oeuvre.interop.safety import ZIP_MAGIC

_SNIFF = 64 * 1024
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_SUPPORTED = ("JMeter JTL (CSV or XML), k6 summary JSON, Gatling stats.json or stats.js (or its report zipped), "
              "Locust _stats.csv or _stats_history.csv (or both zipped), SARIF 2.1.0, ZAP JSON or testssl.sh "
              "JSON")  # fmt: skip
_LOCUST_STATS = "_stats.csv"
_LOCUST_HISTORY = "_stats_history.csv"


def _unsupported(source: str | None, why: str) -> FileFormatError:
    return FileFormatError(f"{why}; expected {_SUPPORTED}", code="unsupported_report", params={"detail": why},
                           source=source)  # fmt: skip


def _json_format(document: Any, source: str | None) -> str:
    for fmt, test in (("sarif-2.1", looks_like_sarif), ("zap-json", looks_like_zap), ("k6-summary", looks_like_k6),
                      ("gatling-stats", looks_like_gatling), ("testssl-json", looks_like_testssl)):  # fmt: skip
        if test(document):
            return fmt
    raise _unsupported(source, "this JSON is no known report")


def _text_format(start: bytes, source: str | None) -> str:
    if start.startswith(b"<"):
        # The root's name, unless comments fill the whole head: then the JTL reader decides, streaming.
        if b"<testResults" in start or not _ELEMENT.search(start):
            return "jtl-xml"
        raise _unsupported(source, "this XML is not a JMeter <testResults>")
    if looks_like_gatling_js(start):
        return "gatling-js"
    first = start.split(b"\n", 1)[0].rstrip(b"\r")
    if looks_like_locust_history(first):
        return "locust-history"
    if looks_like_locust(first):
        return "locust-csv"
    if looks_like_jtl_csv(first):
        return "jtl-csv"
    raise _unsupported(source, "the first line is neither a JTL nor a Locust header")


def detect(data: bytes, filename: str = "") -> str:
    source = filename or None
    if data.startswith(ZIP_MAGIC):
        return "zip"
    guard_bytes(data, "report", source)
    start = head(data, _SNIFF)
    if start[:1] in (b"{", b"["):
        return _json_format(load_json(data, source, "report"), source)
    return _text_format(start, source)


def read(data: bytes, filename: str = "") -> Report:
    source = filename or None
    if data.startswith(ZIP_MAGIC):
        return _zip(data, len(data), source)
    guard_bytes(data, "report", source)
    start = head(data, _SNIFF)
    if start[:1] in (b"{", b"["):
        document = load_json(data, source, "report")
        fmt = _json_format(document, source)
        if fmt == "sarif-2.1":
            return sarif_report(document, source)
        if fmt == "zap-json":
            return zap_report(document, source)
        if fmt == "k6-summary":
            return k6_report(document, source)
        if fmt == "testssl-json":
            return ssl_scan_report(document, source)
        return gatling_report(document, source)
    fmt = _text_format(start, source)
    if fmt == "jtl-xml":
        return read_jtl_xml(io.BytesIO(data), source)
    if fmt == "jtl-csv":
        return read_jtl_csv(io.BytesIO(data), source)
    if fmt == "gatling-js":
        return read_gatling_js(data, source)
    if fmt == "locust-history":
        return read_locust_history(data, source)
    return read_locust(data, source)


def _zip(data: bytes | BinaryIO, size: int, source: str | None) -> Report:
    from oeuvre.interop.perfsec.bundle import ZIP_LIMITS, read_zip

    if size > ZIP_LIMITS.max_bytes:
        raise _too_large(size, ZIP_LIMITS.max_bytes, source)
    return read_zip(data, source)


def read_file(path: str | os.PathLike[str], display: str | None = None) -> Report:
    """``display`` is the name errors give the file (the default: its own name)."""
    file = Path(path)
    source = display or file.name
    if file.is_dir():
        from oeuvre.interop.perfsec.bundle import read_folder

        return read_folder(file)
    size = file.stat().st_size
    with file.open("rb") as stream:
        if stream.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
            stream.seek(0)
            return _zip(stream, size, source)
        stream.seek(0)
        start = head(stream.read(_SNIFF), _SNIFF)
        if not start:
            raise HostileFileError("the file is empty", code="empty", source=source)
        if start[:1] not in (b"{", b"["):
            fmt = _text_format(start, source)
            if fmt in {"jtl-csv", "jtl-xml"}:
                if size > STREAM_LIMITS.max_bytes:
                    raise _too_large(size, STREAM_LIMITS.max_bytes, source)
                stream.seek(0)
                return (read_jtl_xml if fmt == "jtl-xml" else read_jtl_csv)(stream, source)
        if size > JSON_LIMITS.max_bytes:
            raise _too_large(size, JSON_LIMITS.max_bytes, source)
        stream.seek(0)
        data = stream.read()
    report = read(data, source)
    if report.format == "locust-csv" and file.name.endswith(_LOCUST_STATS):
        report = _with_locust_history(report, file.with_name(file.name[: -len(_LOCUST_STATS)] + _LOCUST_HISTORY))
    return report


def _with_locust_history(report: Report, history: Path) -> Report:
    """Locust writes the users of a run only in the ``PREFIX_stats_history.csv`` beside ``PREFIX_stats.csv``: when
    it is there, its peak user count joins the report (a damaged history is an error naming it, not a silent gap)."""
    if not history.is_file():
        return report
    size = history.stat().st_size
    if size > JSON_LIMITS.max_bytes:
        raise _too_large(size, JSON_LIMITS.max_bytes, history.name)
    return with_users(report, read_locust_history(history.read_bytes(), history.name))


def _too_large(size: int, limit: int, source: str | None) -> HostileFileError:
    mib, limit_mib = size // (1024 * 1024), limit // (1024 * 1024)
    return HostileFileError(f"the file is {mib} MiB; the limit is {limit_mib} MiB", code="too_large",
                            params={"size_mib": mib, "limit_mib": limit_mib}, source=source)  # fmt: skip
