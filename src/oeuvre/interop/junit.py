"""JUnit XML test reports (pytest, Maven Surefire, jest-junit, go-junit-report, PHPUnit…) read into plain data.

The bytes are checked before any parser sees them (size limit, not XML, DOCTYPE or entity declarations), then
parsed by a hardened lxml parser (no entity resolution, no network, no DTD, no huge trees) and handed to
:mod:`junitparser` for the JUnit object model. A document that still carries a DTD after parsing (an encoding
that hid it from the byte check, such as UTF-16) is refused too.

Accepted shapes: a ``<testsuites>`` or a ``<testsuite>`` root, nested suites (PHPUnit), several ``<failure>``,
``<error>`` or ``<skipped>`` in one case (pytest writes a failure and a teardown error together), missing
``time`` attributes, any encoding libxml2 knows (UTF-8, UTF-16, ISO-8859-1…).
"""

from __future__ import annotations

import enum
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
    cases = [_case(c, name, source) for c in _child_cases(suite)]
    yield JUnitSuite(
        name=name,
        path=here,
        cases=cases,
        duration=_seconds(elem, source),
        timestamp=_attr(elem, "timestamp"),
        hostname=_attr(elem, "hostname"),
        properties=properties,
    )
    for child in _child_suites(suite):
        yield from _suites(child, here, source)


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
        ``not_number`` (a bad ``time``).

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
    oeuvre.interop.errors.HostileFileError: the XML declares a DOCTYPE or entities ...
    """
    source = filename or None
    try:
        check_magic(data, "junit", limits)
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
            raise HostileFileError(
                "the file is not XML", code="wrong_magic", params={"format": "junit"}, line=1, source=source
            )
        check_xml(data)
    except HostileFileError as exc:
        if exc.source is None and source is not None:
            exc.source = source
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
