"""Security scans: SARIF 2.1.0 and OWASP ZAP's JSON report.

``semgrep-1.187.0.sarif`` was written by Semgrep 1.187.0 (``semgrep scan --config semgrep-rules.yaml --sarif
--metrics=off`` on ``semgrep-target.py.txt`` saved as ``src/app.py``); a test runs Semgrep 1.187.0 again and reads
what it writes: Semgrep's pinned dependencies conflict with the project's development tools, so `dev.py test` installs
it into its own environment from ``tools/semgrep/requirements.txt`` (hash-pinned), and CI fails without it.
Trivy 0.56, CodeQL 2.19 and ZAP 2.16 (``traditional-json``) files are written by hand in the shape those versions
write, from their documentation and published reports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import ALL, Metric, Severity, read_report
from oeuvre.interop.perfsec.sarif import severity_from_score
from tests.conftest import IN_CI
from tests.interop.perfsec.helpers import FILES, read


def _by_rule(report: Any) -> dict[str, Any]:
    return {f.rule_id: f for f in report.findings}


def _counts(report: Any) -> tuple[float | None, ...]:
    return tuple(report.value(m) for m in (Metric.VULNERABILITIES_CRITICAL, Metric.VULNERABILITIES_HIGH,
                                           Metric.VULNERABILITIES_MEDIUM, Metric.VULNERABILITIES_LOW))  # fmt: skip


def test_it_reads_what_semgrep_writes() -> None:
    report = read_report(read("semgrep-1.187.0.sarif"), "semgrep.sarif")
    assert (report.tool, report.format, report.tool_version) == ("sarif", "sarif-2.1", "1.187.0")
    assert report.producer == "Semgrep OSS 1.187.0"
    findings = _by_rule(report)
    # security-severity 9.1 on the rule → critical; no score: the rule's default level (error/warning/note).
    assert findings["python-eval-of-input"].severity is Severity.CRITICAL
    assert findings["python-weak-hash"].severity is Severity.MEDIUM
    assert findings["python-debug-print"].severity is Severity.LOW
    assert findings["python-eval-of-input"].location == "src/app.py:5"
    assert findings["python-eval-of-input"].message == "eval() of data the user controls runs arbitrary code"
    assert findings["python-eval-of-input"].tool == "Semgrep OSS"
    assert _counts(report) == (1, 0, 1, 1)


# `dev.py test` installs Semgrep in its own environment (tools/semgrep/requirements.txt) and names it here.
SEMGREP = os.environ.get("OEUVRE_SEMGREP") or shutil.which("semgrep")


@pytest.mark.slow
def test_semgrep_still_writes_what_the_reader_expects(tmp_path: Path) -> None:
    if SEMGREP is None:
        if IN_CI:
            pytest.fail("no semgrep: dev.py test installs it from tools/semgrep/requirements.txt")
        pytest.skip("no semgrep command installed (dev.py test installs it)")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_bytes((FILES / "semgrep-target.py.txt").read_bytes())
    shutil.copy(FILES / "semgrep-rules.yaml", tmp_path / "rules.yaml")
    done = subprocess.run(
        [SEMGREP, "scan", "--config", "rules.yaml", "--sarif", "--metrics=off", "--disable-version-check", "-q",
         "src"], cwd=tmp_path, capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    report = read_report(done.stdout, "semgrep.sarif")
    assert {f.rule_id: f.severity for f in report.findings} == {
        "python-eval-of-input": Severity.CRITICAL, "python-weak-hash": Severity.MEDIUM,
        "python-debug-print": Severity.LOW,
    }  # fmt: skip


def test_it_reads_trivys_image_scan() -> None:
    report = read_report(read("trivy-0.56.sarif"), "trivy.sarif")
    assert report.producer == "Trivy 0.56.2"
    findings = _by_rule(report)
    assert findings["CVE-2023-45853"].severity is Severity.CRITICAL  # 9.8
    assert findings["CVE-2024-6387"].severity is Severity.HIGH  # 8.1
    assert findings["CVE-2024-2511"].severity is Severity.LOW  # 2.0, level note
    assert findings["CVE-2024-6387"].title.startswith("openssh: Possible remote code execution")
    assert findings["CVE-2024-2511"].location == "app/requirements.txt:1"
    assert _counts(report) == (1, 1, 0, 1)


def test_it_reads_codeql_rules_from_its_query_pack_and_leaves_suppressed_results_out() -> None:
    report = read_report(read("codeql-2.19.sarif"), "python.sarif")
    assert report.producer == "CodeQL 2.19.3"
    findings = _by_rule(report)
    assert set(findings) == {"py/sql-injection", "py/unused-import"}  # the logging result is suppressed (accepted)
    assert findings["py/sql-injection"].severity is Severity.HIGH  # the pack's rule: security-severity 8.8
    assert findings["py/sql-injection"].title == "SQL query built from user-controlled sources"
    assert findings["py/unused-import"].severity is Severity.LOW  # no score: the rule's default level, note
    assert findings["py/sql-injection"].location == "portail/dossiers/views.py:48"


def _sarif(results: list[dict[str, Any]], rules: list[dict[str, Any]] | None = None) -> bytes:
    return json.dumps({"version": "2.1.0", "runs": [
        {"tool": {"driver": {"name": "Scanner", "version": "1.0", "rules": rules or []}}, "results": results}
    ]}).encode()  # fmt: skip


@pytest.mark.parametrize(
    ("result", "rule", "expected"),
    [
        ({"level": "error"}, {}, Severity.HIGH),
        ({"level": "warning"}, {}, Severity.MEDIUM),
        ({"level": "note"}, {}, Severity.LOW),
        ({"level": "none"}, {}, Severity.INFO),
        ({}, {}, Severity.MEDIUM),  # SARIF's default level is warning
        ({}, {"defaultConfiguration": {"level": "error"}}, Severity.HIGH),
        ({"level": "note"}, {"properties": {"security-severity": "9.0"}}, Severity.CRITICAL),  # the score wins
        ({"properties": {"security-severity": 4.0}}, {"properties": {"security-severity": "9.5"}}, Severity.MEDIUM),
    ],
)
def test_it_derives_the_severity_as_github_does(
    result: dict[str, Any], rule: dict[str, Any], expected: Severity
) -> None:
    data = _sarif([{"ruleId": "R1", "message": {"text": "m"}, **result}], [{"id": "R1", **rule}])
    assert read_report(data, "scan.sarif").findings[0].severity is expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [(10.0, "critical"), (9.0, "critical"), (8.9, "high"), (7.0, "high"), (6.9, "medium"), (4.0, "medium"),
     (3.9, "low"), (0.1, "low"), (0.0, "info")],
)  # fmt: skip
def test_it_cuts_cvss_scores_at_githubs_bands(score: float, expected: str) -> None:
    assert severity_from_score(score).value == expected


def test_it_leaves_out_what_is_not_a_finding() -> None:
    data = _sarif([
        {"ruleId": "R1", "kind": "pass", "message": {"text": "checked, fine"}},
        {"ruleId": "R1", "kind": "notApplicable", "message": {"text": "n/a"}},
        {"ruleId": "R1", "baselineState": "absent", "level": "error", "message": {"text": "fixed since"}},
        {"ruleId": "R1", "level": "error", "suppressions": [{"kind": "inSource"}], "message": {"text": "waived"}},
        {"ruleId": "R1", "level": "error", "suppressions": [{"kind": "external", "status": "rejected"}],
         "message": {"text": "waiver refused"}},
    ])  # fmt: skip
    report = read_report(data, "scan.sarif")
    assert [f.message for f in report.findings] == ["waiver refused"]
    assert _counts(report) == (0, 1, 0, 0)


def test_it_fills_a_message_from_the_rules_strings() -> None:
    rule = {"id": "R1", "messageStrings": {"default": {"text": "The {0} is logged in clear text."}}}
    where = [{"logicalLocations": [{"fullyQualifiedName": "app.auth.login"}]}]
    data = _sarif(
        [{"ruleId": "R1", "message": {"id": "default", "arguments": ["password"]}, "locations": where}], [rule]
    )
    finding = read_report(data, "scan.sarif").findings[0]
    assert finding.message == "The password is logged in clear text."
    assert finding.location == "app.auth.login"


def test_a_clean_scan_measures_zero_of_each_severity() -> None:
    report = read_report(_sarif([]), "scan.sarif")
    assert report.findings == []
    assert _counts(report) == (0, 0, 0, 0)
    assert report.labels() == [ALL]


@pytest.mark.parametrize(
    ("document", "code", "field"),
    [
        ({"version": "2.0.0", "runs": []}, "sarif_version", "version"),
        ({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}, "sarif_shape",
         "runs[0].tool.driver.name"),
        ({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "S"}}, "results": [{"message": {}}]}]},
         "sarif_shape", "runs[0].results[0].ruleId"),
        ({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "S"}}, "results": [
            {"ruleId": "R", "level": "fatal"}]}]}, "sarif_shape", "runs[0].results[0].level"),
        ({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "S"}}, "results": [
            {"ruleId": "R", "properties": {"security-severity": "high"}}]}]}, "not_number",
         "runs[0].results[0].properties.security-severity"),
        ({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "S"}}, "results": [
            {"ruleId": "R", "properties": {"security-severity": "11"}}]}]}, "sarif_shape",
         "runs[0].results[0].properties.security-severity"),
    ],
)  # fmt: skip
def test_it_names_the_field_of_a_damaged_sarif_log(document: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report(json.dumps(document).encode(), "scan.sarif")
    assert (caught.value.code, caught.value.field) == (code, field)


# --- OWASP ZAP ---------------------------------------------------------------------------------------------------


def test_it_reads_zaps_json_report() -> None:
    report = read_report(read("zap-2.16.0.json"), "zap.json")
    assert (report.tool, report.format, report.tool_version, report.producer) == (
        "zap", "zap-json", "2.16.0", "ZAP 2.16.0")  # fmt: skip
    findings = _by_rule(report)
    assert "10021" not in findings  # confidence 0: a user marked it a false positive
    assert findings["40012"].severity is Severity.HIGH
    assert findings["40012"].title == "Cross Site Scripting (Reflected)"
    assert findings["40012"].message.startswith("Cross-site Scripting (XSS) is an attack technique")
    assert "user's browser" in findings["40012"].message  # HTML entities decoded, tags gone
    assert findings["10038"].severity is Severity.MEDIUM
    assert findings["10038"].location == "https://recette.portail.example.fr/ (+1)"
    assert findings["10109"].severity is Severity.INFO
    assert _counts(report) == (0, 1, 1, 0)


@pytest.mark.parametrize(
    ("riskcode", "field"), [("5", "site[0].alerts[0].riskcode"), ("high", "site[0].alerts[0].riskcode")]
)
def test_it_names_a_damaged_zap_alert(riskcode: str, field: str) -> None:
    document = json.loads(read("zap-2.16.0.json"))
    document["site"][0]["alerts"][0]["riskcode"] = riskcode
    with pytest.raises(FileFormatError) as caught:
        read_report(json.dumps(document).encode(), "zap.json")
    assert caught.value.field == field
