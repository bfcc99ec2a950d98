# ruff: noqa: E501  (the sample reports keep the long lines their tools write)
"""JUnit XML reports: a real pytest run, Surefire, jest-junit, go-junit-report and PHPUnit shapes, hostile files."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import oeuvre.interop.junit as junit_module
from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.junit import MAX_DETAILS, Outcome, read_junit
from oeuvre.interop.safety import Limits

PYTEST_SAMPLE = """\
import pytest


def test_ok():
    print("hello from stdout")


def test_ko():
    assert 1 + 1 == 3, "arithmetic is broken"


@pytest.fixture
def broken():
    raise RuntimeError("fixture exploded")


def test_error(broken):
    pass


@pytest.mark.skip(reason="not on this platform")
def test_skipped():
    pass


@pytest.fixture
def bad_teardown():
    yield
    raise ValueError("teardown exploded")


def test_fails_then_teardown_errors(bad_teardown):
    assert False, "first failure"


class TestCart:
    @pytest.mark.parametrize("qty", [1, 2])
    def test_add(self, qty):
        assert qty
"""


def run_pytest(tmp_path: Path, family: str) -> bytes:
    """Run pytest for real on a small test file and return its --junitxml report."""
    (tmp_path / "test_sample.py").write_text(PYTEST_SAMPLE)
    report = tmp_path / "report.xml"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # no pytest-django, xdist… in the child run
    proc = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
            "-c", os.devnull, f"--junitxml={report}", "-o", f"junit_family={family}", "-o", "junit_logging=system-out",
            "test_sample.py",
        ],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr  # some tests fail, on purpose
    return report.read_bytes()


@pytest.mark.parametrize("family", ["xunit2", "xunit1"])
def test_it_reads_a_real_pytest_report(tmp_path: Path, family: str) -> None:
    report = read_junit(run_pytest(tmp_path, family), "report.xml")
    assert report.name == "pytest tests"
    assert [s.name for s in report.suites] == ["pytest"]
    by_name = {c.full_name: c for c in report.cases}
    assert set(by_name) == {
        "test_sample.test_ok",
        "test_sample.test_ko",
        "test_sample.test_error",
        "test_sample.test_skipped",
        "test_sample.test_fails_then_teardown_errors",
        "test_sample.TestCart.test_add[1]",
        "test_sample.TestCart.test_add[2]",
    }
    assert by_name["test_sample.test_ok"].outcome is Outcome.PASSED
    ko = by_name["test_sample.test_ko"]
    assert ko.outcome is Outcome.FAILED
    assert "arithmetic is broken" in ko.message
    assert "assert 1 + 1 == 3" in ko.details
    error = by_name["test_sample.test_error"]
    assert error.outcome is Outcome.ERROR
    assert "fixture exploded" in error.details
    skipped = by_name["test_sample.test_skipped"]
    assert skipped.outcome is Outcome.SKIPPED
    assert "not on this platform" in skipped.message
    both = by_name["test_sample.test_fails_then_teardown_errors"]
    # pytest reports the failure and the teardown error as two <testcase>: merged, the worst wins, both are kept
    assert both.outcome is Outcome.ERROR
    assert "first failure" in both.details
    assert "teardown exploded" in both.details
    assert all(c.duration is not None and c.duration >= 0 for c in report.cases)
    assert report.counts() == {Outcome.PASSED: 3, Outcome.FAILED: 1, Outcome.ERROR: 2, Outcome.SKIPPED: 1}
    if family == "xunit1":
        assert ko.file == "test_sample.py"
        assert ko.line == 7  # pytest counts lines from 0: `def test_ko` is on line 8
    assert "hello from stdout" in by_name["test_sample.test_ok"].system_out


SUREFIRE = b"""\
<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report-3.0.xsd"
    version="3.0" name="fr.gouv.sirh.PayrollServiceTest" time="1.234" tests="3" errors="0" skipped="1" failures="1">
  <properties>
    <property name="java.version" value="21.0.2"/>
    <property name="maven.repo.local" value="/home/ci/.m2/repository"/>
  </properties>
  <testcase name="computesNetSalary" classname="fr.gouv.sirh.PayrollServiceTest" time="0.412"/>
  <testcase name="appliesCsgRate" classname="fr.gouv.sirh.PayrollServiceTest" time="0.021">
    <failure message="expected: &lt;9.2&gt; but was: &lt;9.7&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[
org.opentest4j.AssertionFailedError: expected: <9.2> but was: <9.7>
	at fr.gouv.sirh.PayrollServiceTest.appliesCsgRate(PayrollServiceTest.java:42)
]]></failure>
    <system-out><![CDATA[INFO  PayrollService - computing CSG for 2026-01
]]></system-out>
  </testcase>
  <testcase name="exportsDsn" classname="fr.gouv.sirh.PayrollServiceTest" time="0">
    <skipped message="DSN sandbox unavailable"/>
  </testcase>
</testsuite>
"""


def test_it_reads_a_maven_surefire_report() -> None:
    report = read_junit(SUREFIRE, "TEST-fr.gouv.sirh.PayrollServiceTest.xml")
    (suite,) = report.suites
    assert suite.name == "fr.gouv.sirh.PayrollServiceTest"
    assert suite.duration == pytest.approx(1.234)
    assert suite.properties["java.version"] == "21.0.2"
    cases = {c.name: c for c in suite.cases}
    failed = cases["appliesCsgRate"]
    assert failed.full_name == "fr.gouv.sirh.PayrollServiceTest.appliesCsgRate"
    assert failed.outcome is Outcome.FAILED
    assert failed.message == "expected: <9.2> but was: <9.7>"
    assert failed.result_type == "org.opentest4j.AssertionFailedError"
    assert "PayrollServiceTest.java:42" in failed.details
    assert "computing CSG" in failed.system_out
    assert failed.xml_line == 10
    assert cases["exportsDsn"].outcome is Outcome.SKIPPED
    assert cases["exportsDsn"].duration == 0.0
    assert suite.count(Outcome.PASSED) == 1


JEST = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="1" errors="0" time="2.871">
  <testsuite name="Panier › paiement" errors="0" failures="1" skipped="0" timestamp="2026-03-02T09:14:03" time="1.2" tests="2">
    <testcase classname="Panier › paiement applique la remise de 10 %" name="Panier › paiement applique la remise de 10 %" time="0.004">
    </testcase>
    <testcase classname="Panier › paiement refuse une carte expirée" name="Panier › paiement refuse une carte expirée" time="0.011">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: "refusée"
Received: "acceptée"
    at Object.&lt;anonymous&gt; (src/cart/payment.test.ts:27:31)</failure>
    </testcase>
  </testsuite>
  <testsuite name="Accueil" errors="0" failures="0" skipped="0" timestamp="2026-03-02T09:14:04" time="0.3" tests="1">
    <testcase classname="Accueil affiche le titre" name="Accueil affiche le titre" time="0.002" file="src/home.test.ts">
    </testcase>
  </testsuite>
</testsuites>
""".encode()


def test_it_reads_a_jest_junit_report() -> None:
    report = read_junit(JEST, "junit.xml")
    assert report.name == "jest tests"
    assert [s.name for s in report.suites] == ["Panier › paiement", "Accueil"]
    names = [c.full_name for c in report.cases]
    assert names == [
        "Panier › paiement applique la remise de 10 %",
        "Panier › paiement refuse une carte expirée",
        "Accueil affiche le titre",
    ]
    failed = report.cases[1]
    assert failed.outcome is Outcome.FAILED
    assert failed.message == ""
    assert 'Received: "acceptée"' in failed.details
    assert report.cases[2].file == "src/home.test.ts"


def test_a_jest_describe_path_class_name_is_joined_with_a_space() -> None:
    xml = b'<testsuites><testsuite name="s"><testcase classname="Cart checkout" name="applies discount"/></testsuite></testsuites>'
    assert read_junit(xml).cases[0].full_name == "Cart checkout applies discount"


GO = b"""\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="3" failures="1">
\t<testsuite name="example.org/oeuvre/api" tests="3" failures="1" errors="0" id="0" hostname="ci-runner-3" time="0.015" timestamp="2026-03-02T10:00:00Z">
\t\t<properties>
\t\t\t<property name="go.version" value="go1.23.4 linux/amd64"></property>
\t\t</properties>
\t\t<testcase name="TestHealth" classname="example.org/oeuvre/api" time="0.000"></testcase>
\t\t<testcase name="TestLogin/valid_password" classname="example.org/oeuvre/api" time="0.010"></testcase>
\t\t<testcase name="TestLogin/expired_token" classname="example.org/oeuvre/api" time="0.005">
\t\t\t<failure message="Failed"><![CDATA[    login_test.go:41: status = 200, want 401]]></failure>
\t\t</testcase>
\t</testsuite>
</testsuites>
"""


def test_it_reads_a_go_junit_report() -> None:
    report = read_junit(GO)
    (suite,) = report.suites
    assert suite.hostname == "ci-runner-3"
    assert suite.properties == {"go.version": "go1.23.4 linux/amd64"}
    failed = [c for c in report.cases if c.outcome is Outcome.FAILED]
    assert [c.full_name for c in failed] == ["example.org/oeuvre/api.TestLogin/expired_token"]
    assert "want 401" in failed[0].details


PHPUNIT = b"""\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="" tests="3" assertions="3" errors="1" failures="0" skipped="0" time="0.020">
    <testsuite name="Unit" tests="3" assertions="3" errors="1" failures="0" skipped="0" time="0.020">
      <testsuite name="App\\Tests\\InvoiceTest" file="/app/tests/InvoiceTest.php" tests="3" errors="1" time="0.020">
        <testcase name="testTotal" class="App\\Tests\\InvoiceTest" classname="App.Tests.InvoiceTest" file="/app/tests/InvoiceTest.php" line="12" assertions="1" time="0.004"/>
        <testsuite name="App\\Tests\\InvoiceTest::testVat" tests="2" time="0.016">
          <testcase name="testVat with data set #0" class="App\\Tests\\InvoiceTest" classname="App.Tests.InvoiceTest" file="/app/tests/InvoiceTest.php" line="20" assertions="1" time="0.008"/>
          <testcase name="testVat with data set #1" class="App\\Tests\\InvoiceTest" classname="App.Tests.InvoiceTest" file="/app/tests/InvoiceTest.php" line="20" assertions="1" time="0.008">
            <error type="TypeError">App\\Tests\\InvoiceTest::testVat with data set #1
TypeError: vat(): Argument #1 must be of type float, string given</error>
          </testcase>
        </testsuite>
      </testsuite>
    </testsuite>
  </testsuite>
</testsuites>
"""


def test_it_reads_phpunit_nested_suites() -> None:
    report = read_junit(PHPUNIT, "junit.xml")
    assert [s.path for s in report.suites] == [
        ("",),
        ("", "Unit"),
        ("", "Unit", "App\\Tests\\InvoiceTest"),
        ("", "Unit", "App\\Tests\\InvoiceTest", "App\\Tests\\InvoiceTest::testVat"),
    ]
    assert len(report.cases) == 3  # each case once, under its own suite
    error = report.cases[-1]
    assert error.suite == "App\\Tests\\InvoiceTest::testVat"
    assert error.full_name == "App.Tests.InvoiceTest.testVat with data set #1"
    assert error.outcome is Outcome.ERROR
    assert error.result_type == "TypeError"
    assert (error.file, error.line) == ("/app/tests/InvoiceTest.php", 20)


def test_it_accepts_a_declared_latin1_encoding_and_missing_times() -> None:
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?><testsuite name="Recette é"><testcase name="créer un dossier"/></testsuite>'
    report = read_junit(xml.encode("latin-1"))
    assert report.suites[0].name == "Recette é"
    assert report.cases[0].name == "créer un dossier"
    assert report.cases[0].duration is None
    assert report.suites[0].duration is None


def test_it_accepts_utf16() -> None:
    xml = '<?xml version="1.0" encoding="UTF-16"?><testsuite name="s"><testcase name="t"/></testsuite>'
    assert read_junit(xml.encode("utf-16")).cases[0].name == "t"


def test_it_keeps_the_head_and_tail_of_a_huge_failure() -> None:
    body = "first line of the trace\n" + "x" * 100_000 + "\nlast line: the cause"
    xml = f'<testsuite><testcase name="t"><failure message="m">{body}</failure></testcase></testsuite>'
    case = read_junit(xml.encode()).cases[0]
    assert len(case.details) < MAX_DETAILS + 100
    assert case.details.startswith("first line of the trace")
    assert case.details.endswith("last line: the cause")
    assert "characters omitted" in case.details


def test_it_reads_twenty_thousand_test_cases() -> None:
    cases = "".join(
        f'<testcase classname="pkg.Mod{k // 100}" name="test_{k}" time="0.001">'
        + ("<failure message='ko'/>" if k % 1000 == 0 else "")
        + "</testcase>"
        for k in range(20_000)
    )
    report = read_junit(f'<testsuites><testsuite name="big">{cases}</testsuite></testsuites>'.encode())
    assert len(report.cases) == 20_000
    assert report.counts()[Outcome.FAILED] == 20


def test_its_docstring_examples_run() -> None:
    result = doctest.testmod(junit_module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------- hostile files

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<testsuite name="&xxe;"><testcase name="t"/></testsuite>
"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<testsuite name="&lol4;"/>
"""
DTD = b'<?xml version="1.0"?>\n<!DOCTYPE testsuite SYSTEM "http://example.org/junit.dtd">\n<testsuite/>'


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (XXE, "xml_entities"),
        (BILLION_LAUGHS, "xml_entities"),
        (DTD, "xml_entities"),
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE t [<!ENTITY a "b">]><testsuite/>'.encode("utf-16"),
         "xml_entities"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "wrong_magic"),
        (b"PK\x03\x04 a zip archive", "wrong_magic"),
        (b"name,outcome\ntest_a,passed\n", "wrong_magic"),
        (b"   \n  ", "wrong_magic"),
    ],
)  # fmt: skip
def test_it_refuses_hostile_files(data: bytes, code: str) -> None:
    with pytest.raises(HostileFileError) as err:
        read_junit(data, "report.xml")
    assert err.value.code == code
    assert err.value.source == "report.xml"
    assert str(err.value).startswith("report.xml")


def test_it_names_the_line_of_a_doctype() -> None:
    with pytest.raises(HostileFileError) as err:
        read_junit(XXE, "report.xml")
    assert err.value.line == 2
    assert str(err.value).startswith("report.xml, line 2: the XML declares a DOCTYPE")


def test_it_refuses_a_file_over_the_size_limit() -> None:
    data = b"<testsuites>" + b" " * (50 * 1024 * 1024) + b"</testsuites>"
    with pytest.raises(HostileFileError) as err:
        read_junit(data, "huge.xml")
    assert err.value.code == "too_large"
    assert err.value.params == {"size_mib": 50, "limit_mib": 50}
    with pytest.raises(HostileFileError):
        read_junit(b"<testsuite>" + b" " * 2048 + b"</testsuite>", limits=Limits(max_bytes=1024))


def test_it_names_the_line_of_a_truncated_file() -> None:
    data = textwrap.dedent(
        """\
        <?xml version="1.0"?>
        <testsuites>
          <testsuite name="s">
            <testcase name="a"/>
            <testcase name="b">
              <failure message="m">tra"""
    ).encode()
    with pytest.raises(FileFormatError) as err:
        read_junit(data, "cut.xml")
    assert err.value.code == "xml_syntax"
    assert err.value.line == 6
    assert "cut.xml, line 6" in str(err.value)


def test_it_refuses_another_xml_document() -> None:
    with pytest.raises(FileFormatError) as err:
        read_junit(b'<?xml version="1.0"?>\n<Project xmlns="http://schemas.microsoft.com/project"/>', "plan.xml")
    assert err.value.code == "not_junit"
    assert err.value.params == {"root": "{http://schemas.microsoft.com/project}Project"}
    assert err.value.line == 2


def test_it_names_a_bad_time_attribute() -> None:
    with pytest.raises(FileFormatError) as err:
        read_junit(b'<testsuite>\n<testcase name="t" time="fast"/></testsuite>')
    assert (err.value.code, err.value.field, err.value.line) == ("not_number", "time", 2)


def test_it_reads_a_decimal_comma_and_thousands_separators() -> None:
    report = read_junit(b'<testsuite><testcase name="a" time="0,25"/><testcase name="b" time="1,234.5"/></testsuite>')
    assert [c.duration for c in report.cases] == [0.25, 1234.5]


def test_every_reader_error_names_where_it_happened_in_one_french_form() -> None:
    """JUnit and the performance readers share one message builder: file, row, line and field, then the French
    colon with its space (the JUnit one used to drop the field and the space)."""
    from django.utils import translation

    from oeuvre.recette.services.results import report_error_message
    from oeuvre.recette.services.testbook import junit_error_message

    error = FileFormatError("bad value", code="no-such-code", source="run.jtl", line=7, field="elapsed")
    with translation.override("fr"):
        assert junit_error_message(error) == "run.jtl, ligne 7, champ elapsed : bad value"
        assert report_error_message(error) == junit_error_message(error)
    with translation.override("en"):
        assert junit_error_message(error) == "run.jtl, line 7, field elapsed: bad value"
