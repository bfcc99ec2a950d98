"""JUnit XML test reports (pytest, Maven Surefire, jest-junit, go-junit-report, PHPUnit…) read into plain data.

The bytes are checked before any parser sees them (size limit, not XML, DOCTYPE or entity declarations), then
parsed by a hardened lxml parser (no entity resolution, no network, no DTD, no huge trees) and handed to
:mod:`junitparser` for the JUnit object model. A document that still carries a DTD after parsing (an encoding
that hid it from the byte check, such as UTF-16) is refused too.

Also read: NUnit 2 (``<test-results>``) and 3 (``<test-run>``), xUnit.net v2 (``<assemblies>``), Visual Studio TRX
(``<TestRun>``) and Cucumber JSON; ``JUnitReport.format`` says which. A case that did not run (``status="disabled"``,
``status="notrun"``, ``result="suppressed"``, ``executed="false"``, ``<skipped/>``, NUnit's ignored or inconclusive,
TRX's NotExecuted) is ``SKIPPED``, never passed.

Accepted JUnit shapes: a ``<testsuites>`` or a ``<testsuite>`` root, nested suites (PHPUnit), several ``<failure>``,
``<error>`` or ``<skipped>`` in one case, adjacent ``<testcase>`` elements of the same test (pytest's failure
then teardown error, recognised by its "failed on teardown" message) merged into one case with the worse outcome —
any other repeated name stays a case of its own, so the totals are the tool's —, missing
``time`` attributes, any encoding libxml2 knows (UTF-8, UTF-16, ISO-8859-1…).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from junitparser import Error as _JError
from junitparser import Failure as _JFailure
from junitparser import JUnitXml as _JUnitXml
from junitparser import Skipped as _JSkipped
from junitparser import TestCase as _JTestCase
from junitparser import TestSuite as _JTestSuite
from lxml import etree

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.safety import DEFAULT_LIMITS, Limits, check_magic, check_xml

__all__ = ["MAX_DETAILS", "MAX_OUTPUT", "JUnitCase", "JUnitReport", "JUnitSuite", "Outcome", "read_junit"]

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_PYTEST_PHASE = re.compile(r"(failed|error) on (teardown|setup)\b", re.IGNORECASE)
MAX_DETAILS = 20_000  # characters of a failure's text kept (head and tail)
MAX_OUTPUT = 4_000  # characters of system-out / system-err kept


class Outcome(enum.StrEnum):
    """Outcome of a test case; when a case holds several results, the worst wins (error > failed > skipped)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class JUnitCase:
    """One ``<testcase>``.

    ``full_name`` is ``classname.name`` (``classname name`` when the class name has spaces, as jest-junit writes a
    describe path; just ``name`` when it already starts with the class name or there is none): stable across runs of
    the same tool. ``duration`` is in seconds, ``None`` when the file has no ``time``. ``file`` and ``line`` are the
    test's source as the tool wrote them (pytest's ``line`` counts from 0). ``xml_line`` is the line of the
    ``<testcase>`` element in the report.
    """

    suite: str
    classname: str
    name: str
    full_name: str
    outcome: Outcome
    message: str = ""
    details: str = ""
    result_type: str = ""
    duration: float | None = None
    file: str | None = None
    line: int | None = None
    system_out: str = ""
    system_err: str = ""
    xml_line: int | None = None


@dataclass(frozen=True)
class JUnitSuite:
    """One ``<testsuite>`` with its own cases (nested suites are listed separately, ``path`` names the nesting)."""

    name: str
    path: tuple[str, ...]
    cases: list[JUnitCase]
    duration: float | None = None
    timestamp: str | None = None
    hostname: str | None = None
    properties: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        """Cases of this suite with ``outcome``."""
        return sum(1 for c in self.cases if c.outcome is outcome)


@dataclass(frozen=True)
class JUnitReport:
    """A whole report: its suites in document order (depth first)."""

    name: str
    suites: list[JUnitSuite]
    source: str = ""
    format: str = "junit"  # or nunit2, nunit3, xunit, trx, cucumber

    @property
    def cases(self) -> list[JUnitCase]:
        """Every test case of every suite."""
        return [case for suite in self.suites for case in suite.cases]

    def counts(self) -> dict[Outcome, int]:
        """Number of cases per outcome (every outcome present, possibly 0)."""
        totals = dict.fromkeys(Outcome, 0)
        for case in self.cases:
            totals[case.outcome] += 1
        return totals


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _truncate(text: str, limit: int) -> str:
    """Keep the head and the tail of a long text (a stack trace's cause is at one end or the other)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    half = limit // 2
    omitted = len(text) - 2 * half
    return f"{text[:half]}\n… [{omitted} characters omitted] …\n{text[-half:]}"


def _attr(elem: Any, name: str) -> str | None:
    value = elem.get(name)
    return None if value is None else str(value)


def _seconds(elem: Any, source: str) -> float | None:
    raw = _attr(elem, "time")
    if raw is None or not raw.strip():
        return None
    try:
        # Some tools write thousands separators ("1,234.5"); a comma alone is a decimal comma.
        text = raw.strip().replace(",", "") if "." in raw else raw.strip().replace(",", ".")
        return float(text)
    except ValueError:
        raise FileFormatError(
            f"time is not a number: {raw!r}",
            code="not_number",
            params={"value": raw},
            line=elem.sourceline,
            field="time",
            source=source or None,
        ) from None


def _full_name(classname: str, name: str) -> str:
    if not classname or name.startswith(classname):
        return name
    separator = " " if " " in classname else "."
    return f"{classname}{separator}{name}"


_RANK = {Outcome.PASSED: 0, Outcome.SKIPPED: 1, Outcome.FAILED: 2, Outcome.ERROR: 3}
# What tools write in a <testcase>'s status="…" or result="…" (tst, CTest, Bazel, Ant variants) besides child elements.
_DECLARED = {
    "disabled": Outcome.SKIPPED, "notrun": Outcome.SKIPPED, "not run": Outcome.SKIPPED, "not_run": Outcome.SKIPPED,
    "skipped": Outcome.SKIPPED, "skip": Outcome.SKIPPED, "suppressed": Outcome.SKIPPED, "ignored": Outcome.SKIPPED,
    "excluded": Outcome.SKIPPED, "pending": Outcome.SKIPPED, "filtered": Outcome.SKIPPED,
    "failed": Outcome.FAILED, "failure": Outcome.FAILED, "fail": Outcome.FAILED,
    "errored": Outcome.ERROR, "error": Outcome.ERROR,
}  # fmt: skip


def _declared(elem: Any, outcome: Outcome) -> Outcome:
    """The worse of the child elements' outcome and what the case's attributes declare (``status="disabled"``,
    ``result="suppressed"``, ``executed="false"``, ``skipped="true"``): a disabled test is never passed."""
    for name in ("status", "result"):
        declared = _DECLARED.get((_attr(elem, name) or "").strip().lower())
        if declared is not None and _RANK[declared] > _RANK[outcome]:
            outcome = declared
    for name in ("executed", "run"):
        if (_attr(elem, name) or "").strip().lower() in {"false", "no", "0"} and outcome is Outcome.PASSED:
            outcome = Outcome.SKIPPED
    if (_attr(elem, "skipped") or "").strip().lower() in {"true", "yes", "1"} and outcome is Outcome.PASSED:
        outcome = Outcome.SKIPPED
    return outcome


def _case(case: _JTestCase, suite_name: str, source: str) -> JUnitCase:
    elem: Any = case._elem
    classname = _attr(elem, "classname") or _attr(elem, "class") or ""
    name = _attr(elem, "name") or ""
    outcome = Outcome.PASSED
    messages: list[str] = []
    texts: list[str] = []
    types: list[str] = []
    for result in case.result:
        kind = (
            Outcome.ERROR
            if isinstance(result, _JError)
            else Outcome.FAILED
            if isinstance(result, _JFailure)
            else Outcome.SKIPPED
            if isinstance(result, _JSkipped)
            else Outcome.PASSED
        )
        if _RANK[kind] > _RANK[outcome]:
            outcome = kind
        for value, bucket in ((result.message, messages), (result.text, texts), (result.type, types)):
            if value and str(value).strip() and str(value).strip() not in bucket:
                bucket.append(str(value).strip())
    outcome = _declared(elem, outcome)
    line_raw = _attr(elem, "line")
    try:
        line = int(line_raw) if line_raw is not None else None
    except ValueError:
        line = None
    return JUnitCase(
        suite=suite_name,
        classname=classname,
        name=name,
        full_name=_full_name(classname, name),
        outcome=outcome,
        message=_truncate("\n".join(messages), MAX_OUTPUT),
        details=_truncate("\n\n".join(texts), MAX_DETAILS),
        result_type=", ".join(types),
        duration=_seconds(elem, source),
        file=_attr(elem, "file"),
        line=line,
        system_out=_truncate(str(case.system_out or ""), MAX_OUTPUT),
        system_err=_truncate(str(case.system_err or ""), MAX_OUTPUT),
        xml_line=elem.sourceline,
    )


def _merge(first: JUnitCase, second: JUnitCase) -> JUnitCase:
    """One case from two adjacent reports of the same test: the worse outcome, both texts, the total time."""

    def join(a: str, b: str, sep: str, limit: int) -> str:
        return _truncate(sep.join(x for x in (a, b) if x), limit)

    worse = second.outcome if _RANK[second.outcome] > _RANK[first.outcome] else first.outcome
    duration = (
        None
        if first.duration is None and second.duration is None
        else (first.duration or 0.0) + (second.duration or 0.0)
    )
    return JUnitCase(
        suite=first.suite,
        classname=first.classname,
        name=first.name,
        full_name=first.full_name,
        outcome=worse,
        message=join(first.message, second.message, "\n", MAX_OUTPUT),
        details=join(first.details, second.details, "\n\n", MAX_DETAILS),
        result_type=", ".join(t for t in (first.result_type, second.result_type) if t),
        duration=duration,
        file=first.file or second.file,
        line=first.line if first.line is not None else second.line,
        system_out=join(first.system_out, second.system_out, "\n", MAX_OUTPUT),
        system_err=join(first.system_err, second.system_err, "\n", MAX_OUTPUT),
        xml_line=first.xml_line,
    )


# junitparser is not annotated: these two typed wrappers are the only calls into its untyped API.
def _child_cases(suite: _JTestSuite) -> list[_JTestCase]:
    return list(suite.iterchildren(_JTestCase))  # type: ignore[no-untyped-call]


def _child_suites(suite: _JTestSuite) -> list[_JTestSuite]:
    return list(suite.iterchildren(_JTestSuite))  # type: ignore[no-untyped-call]


def _suites(suite: _JTestSuite, path: tuple[str, ...], source: str) -> Iterator[JUnitSuite]:
    elem: Any = suite._elem
    name = _attr(elem, "name") or ""
    here = (*path, name)
    properties: dict[str, str] = {}
    props = elem.find("properties")
    if props is not None:
        for prop in props.iterfind("property"):
            key = _attr(prop, "name")
            if key:
                properties[key] = _attr(prop, "value") or (prop.text or "").strip()
    cases: list[JUnitCase] = []
    for child in _child_cases(suite):
        case = _case(child, name, source)
        if (
            cases
            and (cases[-1].classname, cases[-1].name) == (case.classname, case.name)
            and _PYTEST_PHASE.match(case.message)
        ):
            # pytest writes a test that fails and then errors at teardown as two adjacent <testcase> elements; any
            # other repeated name (mocha, parametrised tests without parameters in the name) is a test of its own.
            case = _merge(cases.pop(), case)
        cases.append(case)
    yield JUnitSuite(
        name=name,
        path=here,
        cases=cases,
        duration=_seconds(elem, source),
        timestamp=_attr(elem, "timestamp"),
        hostname=_attr(elem, "hostname"),
        properties=properties,
    )
    for nested in _child_suites(suite):
        yield from _suites(nested, here, source)


def read_junit(data: bytes, filename: str = "", *, limits: Limits = DEFAULT_LIMITS) -> JUnitReport:
    """Read a JUnit XML report.

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str
        Shown in error messages.
    limits : Limits
        Size limit (``max_bytes``, 50 MiB by default).

    Returns
    -------
    JUnitReport

    Raises
    ------
    HostileFileError
        ``too_large``, ``empty``, ``wrong_magic`` (not XML), ``xml_entities`` (a DOCTYPE or entity declaration).
    FileFormatError
        ``xml_syntax`` (malformed or truncated, with the line), ``not_junit`` (another root element),
        ``not_number`` (a bad ``time``), ``not_cucumber`` (JSON that is not a Cucumber report).

    Examples
    --------
    >>> report = read_junit(b'<testsuite name="s"><testcase classname="m.T" name="t1" time="0.5"/>'
    ...                     b'<testcase classname="m.T" name="t2"><failure message="boom">trace</failure>'
    ...                     b'</testcase></testsuite>')
    >>> [(c.full_name, c.outcome.value, c.duration) for c in report.cases]
    [('m.T.t1', 'passed', 0.5), ('m.T.t2', 'failed', None)]
    >>> read_junit(b'<!DOCTYPE x [<!ENTITY a "b">]><testsuite/>')
    Traceback (most recent call last):
    ...
    oeuvre.interop.errors.HostileFileError: line 1: the XML declares a DOCTYPE or entities ...
    """
    source = filename or None
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        check_magic(data, "junit", limits)
        return _read_cucumber(data, filename)
    try:
        check_magic(data, "junit", limits)
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
            raise HostileFileError(
                "the file is not XML", code="wrong_magic", params={"format": "junit"}, line=1, source=source
            )
        check_xml(data)
    except HostileFileError as exc:
        # The shared checks do not know the file name, nor where the DOCTYPE is.
        exc.source = exc.source or source
        if exc.code == "xml_entities" and exc.line is None:
            match = _DOCTYPE.search(data)
            exc.line = data.count(b"\n", 0, match.start()) + 1 if match else None
        exc.args = (exc.describe(),)
        raise
    try:
        tree = etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise FileFormatError(
            f"malformed XML: {exc.msg}", code="xml_syntax", params={"detail": exc.msg}, line=line, source=source
        ) from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise HostileFileError(
            "the XML declares a DOCTYPE or entities (external entities and entity expansion are refused)",
            code="xml_entities",
            line=1,
            source=source,
        )
    root = tree.getroot()
    local = _local(root.tag)
    if local in {"test-results", "test-run"}:
        return _read_nunit(root, filename)
    if local in {"assemblies", "assembly"}:
        return _read_xunit(root, filename)
    if local == "TestRun":
        return _read_trx(root, filename)
    if root.tag not in ("testsuites", "testsuite"):
        raise FileFormatError(
            f"the root element is <{root.tag}>, not the <testsuites> or <testsuite> of a JUnit report",
            code="not_junit",
            params={"root": str(root.tag)},
            line=root.sourceline,
            source=source,
        )
    report = _JUnitXml.fromroot(root)
    suites = [s for top in report for s in _suites(top, (), filename)]
    return JUnitReport(name=_attr(root, "name") or "", suites=suites, source=filename)


# --- Other test report formats: NUnit 2 and 3, xUnit.net v2, TRX (Visual Studio), Cucumber JSON ------------------

_NUNIT2 = {"success": Outcome.PASSED, "failure": Outcome.FAILED, "error": Outcome.ERROR, "cancelled": Outcome.ERROR,
           "notrunnable": Outcome.ERROR, "ignored": Outcome.SKIPPED, "skipped": Outcome.SKIPPED,
           "inconclusive": Outcome.SKIPPED}  # fmt: skip
_NUNIT3 = {"passed": Outcome.PASSED, "warning": Outcome.PASSED, "failed": Outcome.FAILED, "skipped": Outcome.SKIPPED,
           "inconclusive": Outcome.SKIPPED}  # fmt: skip
_XUNIT = {"pass": Outcome.PASSED, "fail": Outcome.FAILED, "skip": Outcome.SKIPPED, "notrun": Outcome.SKIPPED}
_TRX = {"passed": Outcome.PASSED, "warning": Outcome.PASSED, "passedbutrunaborted": Outcome.PASSED,
        "completed": Outcome.PASSED, "failed": Outcome.FAILED, "error": Outcome.ERROR, "timeout": Outcome.ERROR,
        "aborted": Outcome.ERROR, "disconnected": Outcome.ERROR, "notrunnable": Outcome.ERROR,
        "notexecuted": Outcome.SKIPPED, "inconclusive": Outcome.SKIPPED, "pending": Outcome.SKIPPED,
        "inprogress": Outcome.SKIPPED}  # fmt: skip
_CUCUMBER_FAILED = {"failed", "ambiguous"}
_CUCUMBER_NOT_RUN = {"skipped", "pending", "undefined"}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(elem: Any, *path: str) -> str:
    """The text of the first descendant along ``path`` (local names, any namespace)."""
    node = elem
    for name in path:
        node = next((c for c in node if _local(c.tag) == name), None)
        if node is None:
            return ""
    return "".join(node.itertext()).strip()


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def _trx_seconds(raw: str | None) -> float | None:
    match = re.fullmatch(r"(\d+):(\d+):(\d+(?:\.\d+)?)", (raw or "").strip())
    return int(match[1]) * 3600 + int(match[2]) * 60 + float(match[3]) if match else None


def _make_case(suite: str, classname: str, name: str, outcome: Outcome, elem: Any, **extra: Any) -> JUnitCase:
    return JUnitCase(
        suite=suite,
        classname=classname,
        name=name,
        full_name=_full_name(classname, name),
        outcome=outcome,
        message=_truncate(extra.get("message", ""), MAX_OUTPUT),
        details=_truncate(extra.get("details", ""), MAX_DETAILS),
        duration=extra.get("duration"),
        xml_line=getattr(elem, "sourceline", None),
    )


def _read_nunit(root: Any, filename: str) -> JUnitReport:
    """NUnit 2 (``<test-results>``) or 3 (``<test-run>``): one suite per fixture, in document order."""
    nunit3 = _local(root.tag) == "test-run"
    suites: list[JUnitSuite] = []
    for fixture in root.iter("test-suite"):
        cases: list[JUnitCase] = []
        for results in [fixture, *[c for c in fixture if c.tag == "results"]]:
            for elem in results:
                if elem.tag != "test-case":
                    continue
                result = (_attr(elem, "result") or "").strip().lower()
                if nunit3:
                    outcome = _NUNIT3.get(result, Outcome.ERROR)
                    label = (_attr(elem, "label") or "").strip().lower()
                    if outcome is Outcome.FAILED and label in {"error", "invalid", "cancelled"}:
                        outcome = Outcome.ERROR
                    name = _attr(elem, "name") or ""
                    classname = _attr(elem, "classname") or ""
                    duration = _float(_attr(elem, "duration"))
                else:
                    outcome = _NUNIT2.get(result, Outcome.ERROR)
                    if (_attr(elem, "executed") or "").lower() == "false" and outcome is Outcome.PASSED:
                        outcome = Outcome.SKIPPED
                    full = _attr(elem, "name") or ""
                    classname, _dot, name = full.rpartition(".")
                    duration = _float(_attr(elem, "time"))
                message = _child_text(elem, "failure", "message") or _child_text(elem, "reason", "message")
                details = _child_text(elem, "failure", "stack-trace")
                cases.append(
                    _make_case(_attr(fixture, "name") or "", classname, name, outcome, elem,
                               message=message, details=details, duration=duration)
                )  # fmt: skip
        if cases:
            name = _attr(fixture, "fullname") or _attr(fixture, "name") or ""
            suites.append(JUnitSuite(name=name, path=(name,), cases=cases, duration=_float(_attr(fixture, "time"))))
    return JUnitReport(
        name=_attr(root, "name") or "", suites=suites, source=filename, format="nunit3" if nunit3 else "nunit2"
    )


def _read_xunit(root: Any, filename: str) -> JUnitReport:
    """xUnit.net v2 (``<assemblies>``/``<assembly>``): one suite per collection."""
    suites: list[JUnitSuite] = []
    for collection in root.iter("collection"):
        cases = []
        for elem in collection.iter("test"):
            classname = _attr(elem, "type") or ""
            name = _attr(elem, "method") or _attr(elem, "name") or ""
            outcome = _XUNIT.get((_attr(elem, "result") or "").strip().lower(), Outcome.ERROR)
            message = _child_text(elem, "failure", "message") or _child_text(elem, "reason")
            cases.append(
                _make_case(_attr(collection, "name") or "", classname, name, outcome, elem, message=message,
                           details=_child_text(elem, "failure", "stack-trace"), duration=_float(_attr(elem, "time")))
            )  # fmt: skip
        name = _attr(collection, "name") or ""
        suites.append(JUnitSuite(name=name, path=(name,), cases=cases, duration=_float(_attr(collection, "time"))))
    return JUnitReport(name=_attr(root, "name") or "", suites=suites, source=filename, format="xunit")


def _read_trx(root: Any, filename: str) -> JUnitReport:
    """Visual Studio TRX (``<TestRun>``): the results with their class from the test definitions."""
    classes: dict[str, str] = {}
    for unit in root.iter():
        if _local(unit.tag) == "UnitTest":
            method = next((c for c in unit if _local(c.tag) == "TestMethod"), None)
            if method is not None:
                classes[_attr(unit, "id") or ""] = _attr(method, "className") or ""
    cases = []
    for elem in root.iter():
        if _local(elem.tag) != "UnitTestResult":
            continue
        outcome = _TRX.get((_attr(elem, "outcome") or "").strip().lower(), Outcome.ERROR)
        cases.append(
            _make_case(_attr(root, "name") or "", classes.get(_attr(elem, "testId") or "", ""),
                       _attr(elem, "testName") or "", outcome, elem,
                       message=_child_text(elem, "Output", "ErrorInfo", "Message"),
                       details=_child_text(elem, "Output", "ErrorInfo", "StackTrace"),
                       duration=_trx_seconds(_attr(elem, "duration")))
        )  # fmt: skip
    name = _attr(root, "name") or ""
    return JUnitReport(name=name, suites=[JUnitSuite(name=name, path=(name,), cases=cases)], source=filename,
                       format="trx")  # fmt: skip


def _read_cucumber(data: bytes, filename: str) -> JUnitReport:
    """Cucumber JSON: one suite per feature, one case per scenario (failed if a step failed, not run if a step was
    skipped, pending or undefined, passed only when every step passed)."""
    try:
        features = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FileFormatError(f"the JSON is not valid: {exc}", code="not_cucumber",
                              source=filename or None) from None  # fmt: skip
    if not isinstance(features, list) or not all(isinstance(f, dict) and "elements" in f for f in features):
        raise FileFormatError("this JSON is not a Cucumber report (a list of features with their elements)",
                              code="not_cucumber", source=filename or None)  # fmt: skip
    suites = []
    for feature in features:
        cases = []
        for element in feature.get("elements") or []:
            if not isinstance(element, dict) or element.get("type") == "background":
                continue
            statuses = [
                str((step.get("result") or {}).get("status", "")).lower() for step in element.get("steps") or []
            ]
            if any(s in _CUCUMBER_FAILED for s in statuses):
                outcome = Outcome.FAILED
            elif not statuses or any(s in _CUCUMBER_NOT_RUN or s != "passed" for s in statuses):
                outcome = Outcome.SKIPPED
            else:
                outcome = Outcome.PASSED
            errors = [str((s.get("result") or {}).get("error_message", "")) for s in element.get("steps") or []]
            nanos = sum(int((s.get("result") or {}).get("duration") or 0) for s in element.get("steps") or [])
            cases.append(
                _make_case(str(feature.get("name", "")), str(feature.get("name", "")), str(element.get("name", "")),
                           outcome, None, details="\n".join(e for e in errors if e), duration=nanos / 1e9)
            )  # fmt: skip
        name = str(feature.get("name", ""))
        suites.append(JUnitSuite(name=name, path=(name,), cases=cases))
    return JUnitReport(name="", suites=suites, source=filename, format="cucumber")
