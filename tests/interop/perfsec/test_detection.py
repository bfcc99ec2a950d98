"""The tool is recognised from the bytes, whatever the file is called."""

from __future__ import annotations

import pytest

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import ERROR_CODES, FORMATS, Metric, detect_format, read_report
from tests.interop.perfsec.helpers import read

FORMAT_OF = {
    "jmeter-5.6.3.csv": "jtl-csv",
    "jmeter-5.6.3-noheader.csv": "jtl-csv",
    "jmeter-5.6.3.xml": "jtl-xml",
    "k6-0.54-summary-export.json": "k6-summary",
    "k6-1.0-handle-summary.json": "k6-summary",
    "gatling-3.11-stats.json": "gatling-stats",
    "gatling-3.11-global_stats.json": "gatling-stats",
    "gatling-3.11-stats.js": "gatling-js",
    "locust-2.47-stats.csv": "locust-csv",
    "locust-2.47-stats_history.csv": "locust-history",
    "semgrep-1.187.0.sarif": "sarif-2.1",
    "trivy-0.56.sarif": "sarif-2.1",
    "codeql-2.19.sarif": "sarif-2.1",
    "zap-2.16.0.json": "zap-json",
}


@pytest.mark.parametrize("name", sorted(FORMAT_OF))
def test_it_recognises_each_tool_from_the_bytes_alone(name: str) -> None:
    data = read(name)
    assert detect_format(data) == FORMAT_OF[name]
    assert detect_format(data, "renamed.txt") == FORMAT_OF[name]  # the name does not decide
    assert read_report(data, "upload.bin").format == FORMAT_OF[name]
    assert FORMAT_OF[name] in FORMATS


def test_it_recognises_locusts_header() -> None:
    header = b"Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time\n"
    assert detect_format(header + b",Aggregated,1,0,5,5.0\n") == "locust-csv"


@pytest.mark.parametrize("name", ["jmeter-5.6.3.csv", "zap-2.16.0.json", "jmeter-5.6.3.xml"])
def test_it_reads_a_file_saved_with_a_bom_and_windows_line_ends(name: str) -> None:
    data = b"\xef\xbb\xbf" + read(name).replace(b"\n", b"\r\n")
    plain = read_report(read(name), name)
    assert read_report(data, name).measurements == plain.measurements


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b'{"name": "not a report"}', "this JSON is no known report"),
        (b"[1, 2, 3]", "this JSON is no known report"),
        (b'<?xml version="1.0"?><testsuites/>', "this XML is not a JMeter <testResults>"),
        (b"id;title\n1;Login\n", "the first line is neither a JTL nor a Locust header"),
    ],
)
def test_it_refuses_what_no_tool_wrote_saying_what_it_expects(data: bytes, detail: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report(data, "upload.dat")
    assert caught.value.code == "unsupported_report"
    assert caught.value.params["detail"] == detail
    assert "SARIF 2.1.0" in str(caught.value)


def test_it_names_the_line_of_broken_json() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report(b'{\n  "version": "2.1.0",\n  "runs": [\n}', "scan.sarif")
    assert (caught.value.code, caught.value.line) == ("json_syntax", 4)


def test_it_refuses_an_empty_file() -> None:
    with pytest.raises(HostileFileError) as caught:
        read_report(b"", "empty.jtl")
    assert caught.value.code == "empty"


def test_it_refuses_text_in_another_encoding_than_utf8_json() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report('{"site": "élevé"}'.encode("latin-1"), "zap.json")
    assert caught.value.code == "encoding"


def test_a_report_answers_the_value_of_a_metric_for_a_label() -> None:
    report = read_report(read("jmeter-5.6.3.csv"), "jmeter.csv")
    assert report.value(Metric.SAMPLES, "02 Connexion") == 2
    assert report.value(Metric.SAMPLES, "no such label") is None
    assert report.value(Metric.VULNERABILITIES_HIGH) is None


def test_every_error_code_a_reader_raises_is_listed_with_its_parameters() -> None:
    import re
    from pathlib import Path

    from oeuvre.interop import perfsec

    package = Path(perfsec.__file__).parent
    raised = {match for path in package.glob("*.py") for match in re.findall(r'code="([a-z0-9_]+)"', path.read_text())}
    assert raised - {"invalid"} <= set(ERROR_CODES), sorted(raised - set(ERROR_CODES))
    assert {"too_large", "empty", "wrong_magic", "xml_entities", "json_depth"} <= set(ERROR_CODES)
