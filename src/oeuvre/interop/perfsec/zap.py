"""OWASP ZAP's JSON report (the ``traditional-json`` template of ZAP 2.10 and later, also what ``zap-baseline.py
-J`` writes): ``site[]`` with their ``alerts[]``.

One finding per alert and site: rule ``pluginid`` (the scan rule, ``10038``), title ``name`` (``alert`` in older
files), severity from ``riskcode`` (3 high, 2 medium, 1 low, 0 informational: ZAP has no critical), the location the
first instance's URI (with how many more), the message the alert's description without its HTML. An alert whose
``confidence`` is 0 is one a user marked as a false positive in ZAP: not a finding.
"""

from __future__ import annotations

import html
import re
from typing import Any

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import Finding, Report, Severity
from oeuvre.interop.perfsec._common import load_json, number, truncate, vulnerability_counts

__all__ = ["looks_like_zap", "read_zap", "zap_report"]

_RISK = {3: Severity.HIGH, 2: Severity.MEDIUM, 1: Severity.LOW, 0: Severity.INFO}
_TAG = re.compile(r"<[^>]{0,200}>")


def looks_like_zap(document: Any) -> bool:
    return (isinstance(document, dict) and isinstance(document.get("site"), list)
            and ("@version" in document or "@programName" in document))  # fmt: skip


def read_zap(data: bytes, source: str | None = None) -> Report:
    """Read the file's bytes (after the shared checks)."""
    return zap_report(load_json(data, source, "ZAP report"), source)


def zap_report(document: Any, source: str | None = None) -> Report:
    """The report of an already decoded document."""
    if not looks_like_zap(document):
        raise FileFormatError("this JSON is not a ZAP report (no @version and site)", code="not_zap",
                              source=source)  # fmt: skip
    findings: list[Finding] = []
    for s, site in enumerate(document["site"]):
        where = f"site[{s}]"
        if not isinstance(site, dict):
            raise FileFormatError("a site is not an object", code="zap_shape", field=where, source=source)
        alerts = site.get("alerts") or []
        if not isinstance(alerts, list):
            raise FileFormatError("alerts is not a list", code="zap_shape", field=f"{where}.alerts", source=source)
        for a, alert in enumerate(alerts):
            here = f"{where}.alerts[{a}]"
            if not isinstance(alert, dict):
                raise FileFormatError("an alert is not an object", code="zap_shape", field=here, source=source)
            risk = number(alert.get("riskcode"), source=source, field=f"{here}.riskcode")
            if risk is None or int(risk) != risk or int(risk) not in _RISK:
                raise FileFormatError(f"riskcode {alert.get('riskcode')!r} is not 0, 1, 2 or 3", code="zap_shape",
                                      field=f"{here}.riskcode", source=source)  # fmt: skip
            if number(alert.get("confidence"), source=source, field=f"{here}.confidence") == 0:
                continue
            instances = [i for i in alert.get("instances") or [] if isinstance(i, dict)]
            location = str(instances[0].get("uri", "")) if instances else str(site.get("@name", ""))
            if len(instances) > 1:
                location += f" (+{len(instances) - 1})"
            rule_id = str(alert.get("pluginid") or alert.get("alertRef") or "")
            title = str(alert.get("name") or alert.get("alert") or rule_id)
            if not rule_id:
                raise FileFormatError("the alert has no pluginid", code="zap_shape", field=f"{here}.pluginid",
                                      source=source)  # fmt: skip
            message = html.unescape(_TAG.sub(" ", str(alert.get("desc") or "")))
            findings.append(
                Finding(rule_id=rule_id, title=truncate(title, 300), severity=_RISK[int(risk)],
                        message=truncate(message), location=truncate(location, 500), tool="ZAP")
            )  # fmt: skip
    program = str(document.get("@programName") or "ZAP")
    version = str(document.get("@version") or "")
    return Report(tool="zap", tool_version=version, format="zap-json", findings=findings,
                  measurements=vulnerability_counts(f.severity for f in findings),
                  producer=f"{program} {version}".strip())  # fmt: skip
