"""SARIF 2.1.0, the Static Analysis Results Interchange Format (OASIS standard) that Semgrep, CodeQL, Trivy, OWASP ZAP
and most scanners write: one finding per result of every run.

Severity, as GitHub code scanning derives it: the ``security-severity`` property (a CVSS score, of the result or
else of its rule) in bands — ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium, > 0 low, 0 info —; without one, the result's
``level`` (else its rule's ``defaultConfiguration.level``, else SARIF's default ``warning``): error → high,
warning → medium, note → low, none → info.

Not findings: results whose ``kind`` is ``pass``, ``notApplicable`` or ``informational`` (SARIF §3.27.9), results
suppressed in the source or by a reviewer (a ``suppressions`` entry not ``rejected``, §3.27.23), and results a
baseline comparison marks ``absent`` (fixed since). The rule of a result is found by ``ruleId``, ``rule.id``,
``ruleIndex`` or ``rule.index``, in the driver or in the extension ``rule.toolComponent.index`` names (CodeQL's
packs).
"""

from __future__ import annotations

from typing import Any

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import Finding, Report, Severity
from oeuvre.interop.perfsec._common import load_json, number, truncate, vulnerability_counts

__all__ = ["looks_like_sarif", "read_sarif", "sarif_report", "severity_from_score"]

_LEVELS = {"error": Severity.HIGH, "warning": Severity.MEDIUM, "note": Severity.LOW, "none": Severity.INFO}
_NOT_FINDINGS = {"pass", "notApplicable", "informational"}
MAX_FINDINGS = 100_000


def looks_like_sarif(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("runs"), list)
        and (str(document.get("version", "")).startswith("2.") or "sarif" in str(document.get("$schema", "")).lower())
    )


def severity_from_score(score: float) -> Severity:
    """GitHub's bands of a CVSS ``security-severity``.

    >>> [severity_from_score(s).value for s in (9.8, 7.0, 6.9, 4.0, 0.1, 0.0)]
    ['critical', 'high', 'medium', 'medium', 'low', 'info']
    """
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFO


def _text(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("text", "markdown"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return value if isinstance(value, str) else ""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def read_sarif(data: bytes, source: str | None = None) -> Report:
    """Read the file's bytes (after the shared checks)."""
    return sarif_report(load_json(data, source, "SARIF log"), source)


def sarif_report(document: Any, source: str | None = None) -> Report:
    """The report of an already decoded document."""
    if not looks_like_sarif(document):
        raise FileFormatError("this JSON is not a SARIF log (no version 2.x and runs)", code="not_sarif",
                              source=source)  # fmt: skip
    version = str(document.get("version", ""))
    if version and version != "2.1.0":
        raise FileFormatError(
            f"SARIF {version} is not read; scanners write 2.1.0", code="sarif_version", params={"version": version},
            field="version", source=source,
        )  # fmt: skip
    findings: list[Finding] = []
    producers: list[str] = []
    versions: list[str] = []
    for r, run in enumerate(document["runs"]):
        where = f"runs[{r}]"
        if not isinstance(run, dict):
            raise FileFormatError("a run is not an object", code="sarif_shape", field=where, source=source)
        tool = _obj(run.get("tool"))
        driver = _obj(tool.get("driver"))
        name = str(driver.get("name") or "")
        if not name:
            raise FileFormatError("the run names no tool (tool.driver.name)", code="sarif_shape",
                                  field=f"{where}.tool.driver.name", source=source)  # fmt: skip
        tool_version = str(driver.get("semanticVersion") or driver.get("version") or "")
        producer = f"{name} {tool_version}".strip()
        versions.append(tool_version)
        if producer not in producers:
            producers.append(producer)
        components = [driver, *(_obj(e) for e in _list(tool.get("extensions")))]
        rules_by_id: dict[str, dict[str, Any]] = {}
        for component in components:
            for rule in _list(component.get("rules")):
                if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                    rules_by_id.setdefault(rule["id"], rule)
        for n, result in enumerate(_list(run.get("results"))):
            here = f"{where}.results[{n}]"
            if not isinstance(result, dict):
                raise FileFormatError("a result is not an object", code="sarif_shape", field=here, source=source)
            if result.get("kind", "fail") in _NOT_FINDINGS or result.get("baselineState") == "absent":
                continue
            if any(_obj(s).get("status", "accepted") != "rejected" for s in _list(result.get("suppressions"))):
                continue
            rule = _rule(result, components, rules_by_id)
            rule_id = str(result.get("ruleId") or _obj(result.get("rule")).get("id") or rule.get("id") or "")
            if not rule_id:
                raise FileFormatError("the result names no rule (ruleId)", code="sarif_shape",
                                      field=f"{here}.ruleId", source=source)  # fmt: skip
            severity = _severity(result, rule, here, source)
            title = _text(rule.get("shortDescription")) or str(rule.get("name") or "") or rule_id
            message = _message(result, rule)
            findings.append(Finding(rule_id=rule_id, title=truncate(title, 300), severity=severity,
                                    message=truncate(message), location=_location(result), tool=name))  # fmt: skip
            if len(findings) > MAX_FINDINGS:
                raise FileFormatError(f"more than {MAX_FINDINGS} results", code="too_many_findings",
                                      params={"limit": MAX_FINDINGS}, field=here, source=source)  # fmt: skip
    return Report(tool="sarif", tool_version=versions[0] if versions else "", format="sarif-2.1", findings=findings,
                  measurements=vulnerability_counts(f.severity for f in findings),
                  producer=", ".join(producers))  # fmt: skip


def _rule(result: dict[str, Any], components: list[dict[str, Any]],
          rules_by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    ref = _obj(result.get("rule"))
    rule_id = result.get("ruleId") or ref.get("id")
    index = result.get("ruleIndex", ref.get("index"))
    component = components[0]
    comp_index = _obj(ref.get("toolComponent")).get("index")
    if isinstance(comp_index, int) and 0 <= comp_index < len(components) - 1:
        component = components[comp_index + 1]
    rules = _list(component.get("rules"))
    if isinstance(index, int) and 0 <= index < len(rules) and isinstance(rules[index], dict):
        return dict(rules[index])
    if isinstance(rule_id, str) and rule_id in rules_by_id:
        return rules_by_id[rule_id]
    # A rule id with a sub-id ("CA2000/1") refers to the rule before the slash (SARIF §3.27.5).
    if isinstance(rule_id, str) and "/" in rule_id and rule_id.split("/")[0] in rules_by_id:
        return rules_by_id[rule_id.split("/")[0]]
    return {}


def _severity(result: dict[str, Any], rule: dict[str, Any], here: str, source: str | None) -> Severity:
    for holder, field in ((result, f"{here}.properties.security-severity"),
                          (rule, "rule.properties.security-severity")):  # fmt: skip
        raw = _obj(holder.get("properties")).get("security-severity")
        if raw is not None:
            score = number(raw, source=source, field=field)
            if score is not None:
                if not 0.0 <= score <= 10.0:
                    raise FileFormatError(f"security-severity {score} is not a CVSS score (0 to 10)",
                                          code="sarif_shape", field=field, source=source)  # fmt: skip
                return severity_from_score(score)
    level = result.get("level") or _obj(rule.get("defaultConfiguration")).get("level") or "warning"
    if level not in _LEVELS:
        raise FileFormatError(f"level {str(level)[:20]!r} is none of error, warning, note, none", code="sarif_shape",
                              field=f"{here}.level", source=source)  # fmt: skip
    return _LEVELS[level]


def _message(result: dict[str, Any], rule: dict[str, Any]) -> str:
    message = _obj(result.get("message"))
    text = _text(message)
    if not text and isinstance(message.get("id"), str):
        text = _text(_obj(rule.get("messageStrings")).get(message["id"]))
    for n, argument in enumerate(_list(message.get("arguments"))):
        text = text.replace(f"{{{n}}}", str(argument))
    return text or _text(rule.get("fullDescription"))


def _location(result: dict[str, Any]) -> str:
    for location in _list(result.get("locations")):
        physical = _obj(_obj(location).get("physicalLocation"))
        uri = str(_obj(physical.get("artifactLocation")).get("uri") or "")
        line = _obj(physical.get("region")).get("startLine")
        if uri:
            return f"{uri}:{line}" if isinstance(line, int) else uri
        for logical in _list(_obj(location).get("logicalLocations")):
            name = _obj(logical).get("fullyQualifiedName") or _obj(logical).get("name")
            if name:
                return str(name)
    return ""
