"""``python -m oeuvre.interop.perfsec FILE [--json]``: the summary of a load-test or security report, as the readers
see it (a pipeline's check before pushing the file; the benchmark's whole-command timing)."""

from __future__ import annotations

import argparse
import json
import sys

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import read_report_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oeuvre.interop.perfsec", description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--json", action="store_true", help="write the report as JSON")
    args = parser.parse_args(argv)
    try:
        report = read_report_file(args.file)
    except FileFormatError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.json:
        document = {
            "tool": report.tool, "tool_version": report.tool_version, "format": report.format,
            "producer": report.producer,
            "measurements": [{"label": m.label, "metric": m.metric.value, "value": m.value, "unit": m.unit}
                             for m in report.measurements],
            "findings": [{"rule_id": f.rule_id, "title": f.title, "severity": f.severity.value,
                          "location": f.location, "tool": f.tool, "message": f.message} for f in report.findings],
        }  # fmt: skip
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
        return 0
    sys.stdout.write(f"{report.tool} {report.tool_version} ({report.format})\n")
    for label in report.labels():
        figures = ", ".join(f"{m.metric.value}={m.value:g} {m.unit}" for m in report.measurements if m.label == label)
        sys.stdout.write(f"{label}: {figures}\n")
    for f in report.findings:
        sys.stdout.write(f"[{f.severity.value}] {f.rule_id} {f.title} — {f.location}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
