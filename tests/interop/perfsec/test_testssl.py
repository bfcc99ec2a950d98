"""testssl.sh's JSON: the oldest TLS protocol a server offers (for a criterion « TLS ≥ 1.2 ») and its weaknesses.

The sample ``files/testssl-3.2.json`` is written from the format testssl.sh 3.2 documents for ``--jsonfile`` (a flat
list of ``id``, ``ip``, ``port``, ``severity``, ``cve``, ``cwe``, ``finding`` objects, spaced as the tool spaces
them); the pretty form (``--jsonfile-pretty``) groups the same objects under ``scanResult``.
"""

from __future__ import annotations

import json

import pytest

from oeuvre.engine.criteria import Criterion, evaluate
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import ERROR_CODES, Metric, Severity, detect_format, read_report
from tests.interop.perfsec.helpers import read


def test_it_reads_the_oldest_protocol_offered_and_the_weaknesses() -> None:
    report = read_report(read("testssl-3.2.json"), "testssl.json")
    assert (report.tool, report.format) == ("testssl", "testssl-json")
    assert report.value(Metric.TLS_MIN_VERSION) == pytest.approx(1.2)
    assert {(f.rule_id, f.severity) for f in report.findings} == {("BREACH", Severity.MEDIUM),
                                                                  ("HSTS_time", Severity.LOW)}  # fmt: skip
    assert report.value(Metric.VULNERABILITIES_HIGH) == 0
    assert report.value(Metric.VULNERABILITIES_MEDIUM) == 1
    tls = Criterion(Metric.TLS_MIN_VERSION, ">=", "1.2", "version")
    assert evaluate(tls, f"{report.value(Metric.TLS_MIN_VERSION):g}", "version") is True


def test_it_fails_tls_1_2_when_the_server_still_offers_tls_1_0() -> None:
    entries = json.loads(read("testssl-3.2.json"))
    for e in entries:
        if e["id"] == "TLS1":
            e["finding"], e["severity"] = "offered (deprecated)", "LOW"
    report = read_report(json.dumps(entries).encode(), "old.json")
    assert report.value(Metric.TLS_MIN_VERSION) == pytest.approx(1.0)
    tls = Criterion(Metric.TLS_MIN_VERSION, ">=", "1.2", "version")
    assert evaluate(tls, f"{report.value(Metric.TLS_MIN_VERSION):g}", "version") is False


def test_it_reads_the_pretty_form() -> None:
    entries = json.loads(read("testssl-3.2.json"))
    protocols = [e for e in entries if e["id"].startswith(("SSL", "TLS"))]
    others = [e for e in entries if not e["id"].startswith(("SSL", "TLS"))]
    target = {"targetHost": "portail.guichet.example.fr", "port": "443", "protocols": protocols,
              "vulnerabilities": others}  # fmt: skip
    pretty = {"Invocation": "testssl.sh --jsonfile-pretty t.json portail.guichet.example.fr", "version": "3.2.0 ",
              "scanResult": [target]}  # fmt: skip
    data = json.dumps(pretty).encode()
    assert detect_format(data) == "testssl-json"
    report = read_report(data)
    assert report.tool_version == "3.2.0"
    assert report.value(Metric.TLS_MIN_VERSION) == pytest.approx(1.2)
    assert len(report.findings) == 2


def test_it_names_the_entry_that_is_not_as_the_tool_writes_it() -> None:
    entries = json.loads(read("testssl-3.2.json"))
    entries[5] = {"id": "TLS1_1"}
    with pytest.raises(FileFormatError) as caught:
        read_report(json.dumps(entries).encode(), "t.json")
    assert (caught.value.code, caught.value.field) == ("testssl_shape", "[5]")
    assert set(caught.value.params) == set(ERROR_CODES["testssl_shape"])
