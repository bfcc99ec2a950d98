"""Apache JMeter results (JTL), as CSV (with or without its header line) or XML, summarised per label and for ALL.

Both are streamed: the CSV through :mod:`csv` row by row, the XML through lxml's ``iterparse`` with each top-level
sample cleared once read. What stays in memory is one 32-bit response time per sample (4 MB for a million samples)
plus a few counters per label, never the file.

Figures, per label (the sampler's name) and for :data:`~oeuvre.interop.perfsec.ALL`, as JMeter's *Aggregate Report*
computes them:

- percentiles by **nearest rank** on the sorted response times, the definition of JMeter's ``StatCalculator``: the
  value of rank ``round(n × p)`` (half up, at least 1); p50, p90, p95, p99;
- mean and max of ``elapsed`` (ms);
- throughput: samples divided by the span from the first sample's start (``timeStamp``, JMeter's default
  ``sampleresult.timestamp.start``) to the last sample's end (``timeStamp + elapsed``), per second;
- error rate: the share of samples with ``success`` false, in %; availability is 100 minus it;
- users (ALL only): the peak of ``allThreads`` (``na`` in XML) when the file has it.

Only top-level samples count (a transaction controller's children, nested in XML, are its parts, as in JMeter's
listeners). The CSV columns are those of JMeter 5.x's default ``jmeter.save.saveservice`` configuration; a file
without a header line must have them in that order (the property ``jmeter.save.saveservice.print_field_names=false``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from array import array
from collections.abc import Iterator
from typing import BinaryIO
from xml.parsers import expat

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import ALL, Metric, Report
from oeuvre.interop.perfsec._common import (
    MAX_LABELS,
    MAX_SAMPLES,
    GuardedStream,
    LabelSamples,
    measurement,
    merged,
    summarise,
)

__all__ = ["DEFAULT_COLUMNS", "looks_like_jtl_csv", "read_jtl_csv", "read_jtl_xml"]

#: JMeter 5.x's CSV columns in their default order (what a file without a header line holds).
DEFAULT_COLUMNS = (
    "timeStamp", "elapsed", "label", "responseCode", "responseMessage", "threadName", "dataType", "success",
    "failureMessage", "bytes", "sentBytes", "grpThreads", "allThreads", "URL", "Latency", "IdleTime", "Connect",
)  # fmt: skip
_REQUIRED = ("timeStamp", "elapsed", "label", "success")
# A headerless JTL line: an epoch in ms (or a formatted date), then the elapsed time.
_HEADERLESS = re.compile(rb"^(\d{10,13}|\d{4}[/-]\d\d[/-]\d\d[ T][\d:.]+),\d+,")
_DATE_FORMATS = ("%Y/%m/%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S",
                 "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S")  # fmt: skip


def looks_like_jtl_csv(first_line: bytes) -> bool:
    """A JTL CSV's first line: JMeter's header (``timeStamp,elapsed,…``) or a sample of the default columns."""
    line = first_line.lstrip(b"\xef\xbb\xbf")
    if line.startswith(b"timeStamp") or line.startswith(b'"timeStamp"'):
        return b"elapsed" in line and b"label" in line
    return bool(_HEADERLESS.match(line))


class _Accumulator:
    """Samples grouped by label as they stream past."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.labels: dict[str, LabelSamples] = {}
        self.count = 0
        self.users = 0

    def group(self, label: str, line: int | None) -> LabelSamples:
        samples = self.labels.get(label)
        if samples is None:
            if len(self.labels) >= MAX_LABELS:
                raise FileFormatError(
                    f"more than {MAX_LABELS} different labels (samplers named after their URL?)",
                    code="too_many_labels", params={"limit": MAX_LABELS}, line=line, field="label",
                    source=self.source,
                )  # fmt: skip
            samples = self.labels[label] = LabelSamples(array("i"))
        return samples

    def report(self, fmt: str) -> Report:
        if self.count == 0:
            raise FileFormatError("the results hold no sample", code="no_samples", source=self.source)
        report = Report(tool="jmeter", format=fmt)
        for label in sorted(self.labels):
            report.measurements += summarise(label, self.labels[label])
        report.measurements += summarise(ALL, merged(self.labels.values()))
        if self.users:
            report.measurements.append(measurement(ALL, Metric.USERS, self.users))
        return report


def _epoch_ms(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            moment = dt.datetime.strptime(raw.strip(), pattern).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        return int(moment.timestamp() * 1000)
    raise ValueError(raw)


def read_jtl_csv(raw: BinaryIO, source: str | None = None) -> Report:
    """Summarise a JTL written as CSV (``raw`` is read through the guard, once, front to back).

    A line without a double quote (nearly all of them: JMeter quotes only a field holding a comma, a quote or a line
    break) is split on its commas, up to the last column needed; a line with one is parsed by :mod:`csv`, joined to
    the next lines while a quoted field is open. Same fields either way, at about half the cost per sample."""
    stream = GuardedStream(raw, source, xml=False)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")  # type: ignore[type-var]
    acc = _Accumulator(source)
    try:
        position = [0]
        first_line = next(text, None)
        if first_line is None:
            raise FileFormatError("the file is empty", code="no_samples", source=source)
        first = _quoted(first_line, text, position, source)
        if first and first[0].strip() == "timeStamp":
            columns = [c.strip() for c in first]
            lines: Iterator[str] = text
        else:
            columns = list(DEFAULT_COLUMNS)
            lines = itertools.chain([first_line], text)
            position[0] = 0
        missing = [c for c in _REQUIRED if c not in columns]
        if missing:
            raise FileFormatError(
                f"the JTL header lacks the column {missing[0]!r}", code="jtl_header", params={"column": missing[0]},
                line=1, field=missing[0], source=source,
            )  # fmt: skip
        _read_rows(lines, position, columns, acc)
    finally:
        text.detach()
    return acc.report("jtl-csv")


def _quoted(line: str, more: Iterator[str], position: list[int], source: str | None) -> list[str]:
    """The fields of a line with quotes, by :mod:`csv`, joined to the next lines while a quoted field is open (it
    holds a line break). ``position[0]`` is the line number, advanced past the lines taken."""
    position[0] += 1
    start = position[0]
    while line.count('"') % 2:
        following = next(more, None)
        if following is None:
            raise FileFormatError(
                "a quoted field is never closed", code="csv_syntax", params={"detail": "unclosed quote"}, line=start,
                source=source,
            )  # fmt: skip
        position[0] += 1
        line += following
    try:
        return next(csv.reader([line], strict=True))
    except (csv.Error, StopIteration) as exc:
        raise FileFormatError(
            f"the CSV is damaged: {exc}", code="csv_syntax", params={"detail": str(exc)}, line=start, source=source
        ) from None


def _read_rows(lines: Iterator[str], position: list[int], columns: list[str], acc: _Accumulator) -> None:
    i_ts, i_el, i_lb, i_ok = (columns.index(c) for c in _REQUIRED)
    i_all = columns.index("allThreads") if "allThreads" in columns else -1
    width = max(i_ts, i_el, i_lb, i_ok, i_all) + 1
    labels = acc.labels
    users = 0
    last_threads = ""
    count = 0
    line_no = position[0]
    source = acc.source
    # The loop is the whole cost of a million-sample file: locals only, no call per row but the conversions.
    for line in lines:
        if '"' in line:
            position[0] = line_no
            row = _quoted(line, lines, position, source)
            line_no = position[0]
        else:
            line_no += 1
            row = line.split(",", width)
            if len(row) <= width:  # the last column needed ends the line: not its line break
                row[-1] = row[-1].rstrip("\r\n")
        if len(row) < width:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line (a file cut then appended to)
            raise FileFormatError(
                f"the row has {len(row)} fields; the header names {len(columns)}", code="jtl_columns",
                params={"found": len(row), "expected": len(columns)}, line=line_no, source=source,
            )  # fmt: skip
        label = row[i_lb]
        try:
            elapsed = int(row[i_el])
        except ValueError:
            raise _bad(row[i_el], "elapsed", line_no, source) from None
        try:
            start = int(row[i_ts])
        except ValueError:
            try:
                start = _epoch_ms(row[i_ts])
            except ValueError:
                raise _bad(row[i_ts], "timeStamp", line_no, source) from None
        samples = labels.get(label)
        if samples is None:
            samples = acc.group(label, line_no)
        try:
            samples.elapsed.append(elapsed)
        except OverflowError:
            raise _bad(row[i_el], "elapsed", line_no, source) from None
        if row[i_ok] != "true" and row[i_ok].strip().lower() != "true":
            samples.errors += 1
        if start < samples.first:
            samples.first = start
        if start + elapsed > samples.last:
            samples.last = start + elapsed
        if i_all >= 0 and row[i_all] != last_threads:
            last_threads = row[i_all]  # consecutive samples mostly share it: converted when it changes
            if last_threads:
                try:
                    threads = int(last_threads)
                except ValueError:
                    raise _bad(last_threads, "allThreads", line_no, source) from None
                if threads > users:
                    users = threads
        count += 1
        if count > MAX_SAMPLES:
            raise _too_many(line_no, None, source)
    acc.count = count
    acc.users = users


def _bad(raw: str, field: str, line: int | None, source: str | None) -> FileFormatError:
    return FileFormatError(
        f"{field} is not a whole number: {raw[:40]!r}", code="not_number", params={"value": raw[:40]}, line=line,
        field=field, source=source,
    )  # fmt: skip


def _too_many(line: int | None, row: int | None, source: str | None) -> FileFormatError:
    return FileFormatError(
        f"more than {MAX_SAMPLES:,} samples", code="too_many_samples", params={"limit": MAX_SAMPLES}, line=line,
        row=row, source=source,
    )  # fmt: skip


_SAMPLE_TAGS = ("httpSample", "sample")


def read_jtl_xml(raw: BinaryIO, source: str | None = None) -> Report:
    """Summarise a JTL written as XML (``<testResults>`` of ``<httpSample>`` and ``<sample>``), streamed.

    Read with expat and one start-element callback: no tree is built (a million samples took 12 s through lxml's
    ``iterparse``, which builds and clears an element per sample; ``bench/jtl_xml_parsers.py`` measures both). The
    stream is the guarded one (no DOCTYPE or entity declaration reaches the parser), and the parser refuses one all
    the same.
    """
    stream = GuardedStream(raw, source, xml=True)
    acc = _Accumulator(source)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    labels = acc.labels
    group = acc.group
    depth = 0
    users = 0
    count = 0
    last_threads: str | None = None
    root_seen = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, users, count, last_threads, root_seen
        depth += 1
        if depth != 2:
            if depth == 1:
                root_seen = True
                if name != "testResults":
                    raise FileFormatError(
                        f"the root element is <{name}>, not the <testResults> of a JTL", code="not_jtl",
                        params={"root": name}, line=parser.CurrentLineNumber, source=source,
                    )  # fmt: skip
            return  # a sub-sample or what a sample holds
        if name != "httpSample" and name != "sample":
            return
        get = attrs.get
        try:
            elapsed = int(get("t"))  # type: ignore[arg-type]
            begin = int(get("ts"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            line = parser.CurrentLineNumber
            _attr_int(get("t"), "t", line, source)
            _attr_int(get("ts"), "ts", line, source)
            raise AssertionError("unreachable") from None
        label = get("lb") or ""
        samples = labels.get(label)
        if samples is None:
            samples = group(label, parser.CurrentLineNumber)
        try:
            samples.elapsed.append(elapsed)
        except OverflowError:
            raise _bad(str(elapsed), "t", parser.CurrentLineNumber, source) from None
        success = get("s")
        if success != "true" and (success or "").strip().lower() != "true":
            samples.errors += 1
        if begin < samples.first:
            samples.first = begin
        if begin + elapsed > samples.last:
            samples.last = begin + elapsed
        threads = get("na")
        if threads != last_threads:
            last_threads = threads  # consecutive samples mostly share it: converted when it changes
            if threads:
                users = max(users, _attr_int(threads, "na", parser.CurrentLineNumber, source))
        count += 1
        if count > MAX_SAMPLES:
            raise _too_many(parser.CurrentLineNumber, None, source)

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    def refuse(*_args: object) -> None:
        raise HostileFileError(
            "the XML declares a DOCTYPE or entities (external entities and entity expansion are refused)",
            code="xml_entities", line=parser.CurrentLineNumber, source=source,
        )  # fmt: skip

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        while chunk := stream.read(1 << 20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        detail = expat.ErrorString(exc.code) or "malformed XML"
        raise FileFormatError(
            f"malformed XML: {detail}", code="xml_syntax", params={"detail": detail}, line=exc.lineno, source=source,
        ) from None  # fmt: skip
    if not root_seen:
        raise FileFormatError("malformed XML: no element found", code="xml_syntax",
                              params={"detail": "no element found"}, line=1, source=source)  # fmt: skip
    acc.count = count
    acc.users = users
    # The root's version="1.2" is the file format's, not JMeter's: the tool's version stays unknown.
    return acc.report("jtl-xml")


def _attr_int(raw: str | None, field: str, line: int | None, source: str | None) -> int:
    if raw is None:
        raise FileFormatError(
            f"the sample has no {field} attribute", code="missing_field", params={"field": field}, line=line,
            field=field, source=source,
        )  # fmt: skip
    try:
        return int(raw)
    except ValueError:
        raise _bad(raw, field, line, source) from None
