"""Benchmark of the JMeter XML JTL reader: expat with one start-element callback (the reader of
``oeuvre.interop.perfsec``) against lxml's ``iterparse`` with a tag filter and clearing (the reader it replaced, kept
here as the competitor), on the same file, in the same run.

    python bench/jtl_xml_parsers.py [--samples 1000000] [--labels 25] [--runs 3]

Both readers stream the same guarded file and must give the same figures (checked). Each is timed ``--runs`` times,
alternating, and the best and median times are printed with the ratio. Everything printed is measured in this run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from jtl_summary import machine, write_files
from lxml import etree

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import Report
from oeuvre.interop.perfsec._common import MAX_SAMPLES, GuardedStream
from oeuvre.interop.perfsec.jmeter import _Accumulator, _attr_int, _bad, _too_many, read_jtl_xml

_SAMPLE_TAGS = ("httpSample", "sample")


def lxml_iterparse_reader(raw: BinaryIO, source: str | None = None) -> Report:
    """Summarise a JTL written as XML (``<testResults>`` of ``<httpSample>`` and ``<sample>``), streamed."""
    stream = GuardedStream(raw, source, xml=True)
    acc = _Accumulator(source)
    events = etree.iterparse(
        stream, events=("end",), tag=_SAMPLE_TAGS, resolve_entities=False, no_network=True, load_dtd=False,
        dtd_validation=False, huge_tree=False, remove_comments=True, remove_pis=True,
    )  # fmt: skip
    users = 0
    last_threads: str | None = None
    count = 0
    labels = acc.labels
    root_checked = False
    try:
        for _event, elem in events:
            parent = elem.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # a sub-sample: cleared with its parent
            if not root_checked:
                if parent.tag != "testResults":
                    raise FileFormatError(
                        f"the root element is <{parent.tag}>, not the <testResults> of a JTL", code="not_jtl",
                        params={"root": str(parent.tag)}, line=parent.sourceline, source=source,
                    )  # fmt: skip
                root_checked = True
            get = elem.get
            try:
                elapsed = int(get("t"))
                start = int(get("ts"))
            except (TypeError, ValueError):
                raise _attr_error(elem, ("t", "ts"), source) from None
            label = get("lb") or ""
            samples = labels.get(label)
            if samples is None:
                samples = acc.group(label, elem.sourceline)
            try:
                samples.elapsed.append(elapsed)
            except OverflowError:
                raise _bad(str(elapsed), "t", elem.sourceline, source) from None
            if get("s") != "true" and (get("s") or "").strip().lower() != "true":
                samples.errors += 1
            if start < samples.first:
                samples.first = start
            if start + elapsed > samples.last:
                samples.last = start + elapsed
            threads = get("na")
            if threads != last_threads:
                last_threads = threads  # consecutive samples mostly share it: converted when it changes
                if threads:
                    users = max(users, _attr_int(threads, "na", elem.sourceline, source))
            count += 1
            if count > MAX_SAMPLES:
                raise _too_many(elem.sourceline, None, source)
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None:
                del parent[0]
        root = events.root
    except etree.XMLSyntaxError as exc:
        if isinstance(exc.__context__, HostileFileError):
            raise exc.__context__ from None
        line_no = exc.lineno if isinstance(exc.lineno, int) else None
        raise FileFormatError(
            f"malformed XML: {exc.msg}", code="xml_syntax", params={"detail": exc.msg}, line=line_no, source=source,
        ) from None  # fmt: skip
    if root is not None and root.tag != "testResults":
        raise FileFormatError(
            f"the root element is <{root.tag}>, not the <testResults> of a JTL", code="not_jtl",
            params={"root": str(root.tag)}, line=root.sourceline, source=source,
        )  # fmt: skip
    if root is not None and root.getroottree().docinfo.doctype:
        raise HostileFileError(
            "the XML declares a DOCTYPE or entities (external entities and entity expansion are refused)",
            code="xml_entities", line=1, source=source,
        )  # fmt: skip
    acc.count = count
    acc.users = users
    # The root's version="1.2" is the file format's, not JMeter's: the tool's version stays unknown.
    return acc.report("jtl-xml")


def _attr_error(elem: etree._Element, names: tuple[str, ...], source: str | None) -> FileFormatError:
    """The error of the first of ``names`` that is missing or not a whole number (``elem`` failed on one)."""
    for name in names:
        try:
            _attr_int(elem.get(name), name, elem.sourceline, source)
        except FileFormatError as exc:
            return exc
    raise AssertionError("no attribute is wrong")


def _time(reader: object, path: Path) -> tuple[float, Report]:
    started = time.perf_counter()
    with path.open("rb") as stream:
        report = reader(stream, path.name)  # type: ignore[operator]
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--labels", type=int, default=25)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        _csv, xml = write_files(Path(folder), args.samples, args.labels, xml=True)
        assert xml is not None
        print(f"{args.samples:,} samples, {args.labels} labels, XML {xml.stat().st_size / 2**20:.0f} MiB")
        times: dict[str, list[float]] = {"expat (oeuvre)": [], "lxml iterparse (before)": []}
        reports: dict[str, Report] = {}
        for _ in range(args.runs):
            for name, reader in (("lxml iterparse (before)", lxml_iterparse_reader), ("expat (oeuvre)", read_jtl_xml)):
                seconds, report = _time(reader, xml)
                times[name].append(seconds)
                reports[name] = report
        ours, theirs = reports["expat (oeuvre)"], reports["lxml iterparse (before)"]
        assert ours.measurements == theirs.measurements, "the two readers disagree"
        for name, values in times.items():
            print(f"{name:26} best {min(values):6.2f} s   median {statistics.median(values):6.2f} s")
        ratio = statistics.median(times["lxml iterparse (before)"]) / statistics.median(times["expat (oeuvre)"])
        print(f"expat is {ratio:.2f}× the speed of lxml iterparse (median of {args.runs} runs each)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
