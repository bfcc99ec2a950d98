# ruff: noqa: E501 — report samples keep the long lines the tools write
"""Test reports as tools write them: JUnit variants from ``../shared/interop-samples/junit``, NUnit, xUnit.net, TRX
and Cucumber JSON.

The sample files are read from where they are kept (``OEUVRE_INTEROP_SAMPLES`` points elsewhere), never copied. The
counts are checked against the tool's own totals in each file's header.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.junit import Outcome, read_junit
from oeuvre.recette.models import ExecutionStatus
from oeuvre.recette.services import testbook as services
from tests.recette import testbook_helpers as h


def _samples() -> Path:
    if os.environ.get("OEUVRE_INTEROP_SAMPLES"):
        return Path(os.environ["OEUVRE_INTEROP_SAMPLES"])
    repo = Path(__file__).resolve().parents[2]
    candidates = [repo.parent / "shared" / "interop-samples", repo.parent.parent / "shared" / "interop-samples"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


JUNIT = _samples() / "junit"
needs_samples = pytest.mark.skipif(not JUNIT.is_dir(), reason=f"no interop samples in {JUNIT}")

# (cases, passed, failed, error, not run) as each tool counts them in its header.
EXPECTED = {
    "tst_disabled.xml": (31, 6, 19, 1, 5),  # tests=31 disabled=5 failures=19 errors=1: disabled is not passed
    "mocha_latex-utensils.xml": (109, 109, 0, 0, 0),  # tests=109, with repeated names kept apart
    "pytest_gloo_standalone.xml": (97, 80, 0, 0, 17),
    "surefire_TEST-com.shape.CircleTest.xml": (8, 6, 1, 1, 0),
    "jest-junit.xml": (2, 2, 0, 0, 0),
    # 59 tests in the header plus the package that failed before its tests ran (TestMain), written as a case.
    "gotestsum_report.xml": (60, 42, 13, 0, 5),
}


def _counts(data: bytes, name: str) -> tuple[int, int, int, int, int]:
    report = read_junit(data, name)
    c = report.counts()
    return len(report.cases), c[Outcome.PASSED], c[Outcome.FAILED], c[Outcome.ERROR], c[Outcome.SKIPPED]


@needs_samples
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_junit_sample_counts_as_its_tool(name: str) -> None:
    data = (JUNIT / name).read_bytes()
    assert _counts(data, name) == EXPECTED[name]
    # Every <testcase> of the file is a case of its own: none merged, none lost.
    assert _counts(data, name)[0] == len(etree.fromstring(data).findall(".//testcase"))


@needs_samples
def test_nunit_results_are_read_with_what_did_not_run() -> None:
    report = read_junit((JUNIT / "nunit3_raw.xml").read_bytes(), "nunit3_raw.xml")
    assert report.format == "nunit2"  # <test-results>: NUnit 2.5's format
    counts = report.counts()
    # Header: total=21 (run) and not-run=7 (ignored=4, invalid=3); errors=1, failures=1, inconclusive=1.
    assert len(report.cases) == 21 + 7
    assert counts[Outcome.FAILED] == 1
    assert counts[Outcome.ERROR] == 1 + 3  # the error and the invalid (not runnable) tests
    assert counts[Outcome.SKIPPED] == 4 + 1  # ignored and inconclusive: not executed, never passed


@needs_samples
def test_disabled_tests_are_not_run_through_the_import(personas: Any) -> None:
    case = h.make_case(personas, "Factorielle désactivée")
    campaign = h.campaign(personas, "CI", cases=[case])
    services.junit_mapping_save(actor=personas.moe, project=personas.project, junit_name="disabled_test",
                                test_case=case)  # fmt: skip
    result = services.junit_import(actor=personas.moe, campaign=campaign,
                                   data=(JUNIT / "tst_disabled.xml").read_bytes(), filename="tst.xml")  # fmt: skip
    assert result.total == 31
    assert result.by_status == {ExecutionStatus.NON_EXECUTE: 1}


def test_status_attributes_and_repeated_names() -> None:
    data = b"""<testsuite name="s" tests="6">
      <testcase classname="c" name="a" status="notrun"/>
      <testcase classname="c" name="b" result="suppressed"/>
      <testcase classname="c" name="d" executed="false"/>
      <testcase classname="c" name="e"><skipped/></testcase>
      <testcase classname="c" name="same"/>
      <testcase classname="c" name="same"><failure message="boom"/></testcase>
    </testsuite>"""
    report = read_junit(data, "x.xml")
    assert [c.outcome.value for c in report.cases] == ["skipped", "skipped", "skipped", "skipped", "passed", "failed"]


XUNIT = b"""<?xml version="1.0" encoding="utf-8"?>
<assemblies>
  <assembly name="Guichet.Tests.dll" total="3" passed="1" failed="1" skipped="1" time="0.2">
    <collection name="Test collection for Guichet.Tests.LoginTests" total="3" time="0.2">
      <test name="Guichet.Tests.LoginTests.Ct001" type="Guichet.Tests.LoginTests" method="Ct001" time="0.1" result="Pass"/>
      <test name="Guichet.Tests.LoginTests.Ct002" type="Guichet.Tests.LoginTests" method="Ct002" time="0.1" result="Fail">
        <failure exception-type="Xunit.Sdk.EqualException"><message>Assert.Equal() Failure</message>
        <stack-trace>at LoginTests.Ct002()</stack-trace></failure>
      </test>
      <test name="Guichet.Tests.LoginTests.Ct003" type="Guichet.Tests.LoginTests" method="Ct003" time="0" result="Skip">
        <reason><![CDATA[SMS gateway]]></reason>
      </test>
    </collection>
  </assembly>
</assemblies>"""

TRX = b"""<?xml version="1.0" encoding="utf-8"?>
<TestRun id="1" name="ci@agent 2026-01-12" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Results>
    <UnitTestResult testId="t1" testName="Ct001" outcome="Passed" duration="00:00:01.5000000"/>
    <UnitTestResult testId="t2" testName="Ct002" outcome="Failed" duration="00:00:00.2500000">
      <Output><ErrorInfo><Message>Expected 2</Message><StackTrace>at Ct002()</StackTrace></ErrorInfo></Output>
    </UnitTestResult>
    <UnitTestResult testId="t3" testName="Ct003" outcome="NotExecuted"/>
  </Results>
  <TestDefinitions>
    <UnitTest id="t1" name="Ct001"><TestMethod className="Guichet.LoginTests" name="Ct001"/></UnitTest>
    <UnitTest id="t2" name="Ct002"><TestMethod className="Guichet.LoginTests" name="Ct002"/></UnitTest>
    <UnitTest id="t3" name="Ct003"><TestMethod className="Guichet.LoginTests" name="Ct003"/></UnitTest>
  </TestDefinitions>
</TestRun>"""

CUCUMBER = b"""[{"name": "Connexion", "uri": "features/login.feature", "elements": [
  {"type": "background", "name": "", "steps": [{"result": {"status": "passed"}}]},
  {"type": "scenario", "name": "CT-001 usager", "steps": [{"result": {"status": "passed", "duration": 1500000000}}]},
  {"type": "scenario", "name": "CT-002 agent", "steps": [{"result": {"status": "failed", "error_message": "KO"}}]},
  {"type": "scenario", "name": "CT-003 sms", "steps": [{"result": {"status": "passed"}},
                                                    {"result": {"status": "undefined"}}]}]}]"""


@pytest.mark.parametrize(
    ("data", "fmt"), [(XUNIT, "xunit"), (TRX, "trx"), (CUCUMBER, "cucumber")], ids=["xunit", "trx", "cucumber"]
)
def test_other_report_formats_are_read(data: bytes, fmt: str) -> None:
    report = read_junit(data, "report")
    assert report.format == fmt
    assert [c.outcome.value for c in report.cases] == ["passed", "failed", "skipped"]
    assert report.cases[1].message or report.cases[1].details


def test_trx_keeps_the_class_and_duration() -> None:
    case = read_junit(TRX, "r.trx").cases[0]
    assert (case.full_name, case.duration) == ("Guichet.LoginTests.Ct001", 1.5)


@pytest.mark.parametrize(
    ("data", "needle"),
    [(b"<html><body/></html>", "<html>"), (b'{"not": "cucumber"}', "Cucumber")],
    ids=["html", "json"],
)
def test_an_unknown_report_is_refused_naming_what_it_is(data: bytes, needle: str) -> None:
    with pytest.raises(FileFormatError, match=needle):
        read_junit(data, "x")


def test_hostile_nunit_is_refused() -> None:
    with pytest.raises(HostileFileError):
        read_junit(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><test-run/>', "x")
