"""Builders for the design tests: components, interfaces, criteria, performance and security reports."""

from __future__ import annotations

from typing import Any

from oeuvre.design import services
from oeuvre.design.models import Criterion, Interface
from oeuvre.interop.perfsec import ALL, Finding, Measurement, Metric, Report, Severity
from tests.requirements import helpers as req


def components(personas: Any) -> tuple[Any, Any]:
    portal = req.component(personas.project, "CMP-001", name="Portail usagers")
    back = req.component(personas.project, "CMP-002", name="Back-office")
    return portal, back


def interface(personas: Any, **fields: Any) -> Interface:
    portal, back = components(personas)
    fields.setdefault("name", "Dépôt de demande")
    fields.setdefault("source", portal)
    fields.setdefault("target", back)
    return services.interface_create(actor=personas.amoe, project=personas.project, **fields)


def criterion(personas: Any, **fields: Any) -> Criterion:
    if "component" not in fields and "interface" not in fields:
        fields["component"] = components(personas)[0]
    fields.setdefault("metric", "response_time_p95")
    fields.setdefault("operator", "<=")
    fields.setdefault("threshold", "2000")
    fields.setdefault("unit", "ms")
    return services.criterion_create(actor=personas.amoe, project=personas.project, **fields)


def load_report(p95_ms: float, error_rate: float = 0.2, label: str = ALL, tool: str = "jmeter") -> Report:
    return Report(
        tool=tool,
        tool_version="5.6.3",
        format="jtl-csv",
        measurements=[
            Measurement(label, Metric.RESPONSE_TIME_P95, p95_ms, "ms"),
            Measurement(label, Metric.ERROR_RATE, error_rate, "%"),
            Measurement(label, Metric.SAMPLES, 12_000, "count"),
        ],
    )


def scan_report(*severities: Severity) -> Report:
    return Report(
        tool="sarif",
        format="sarif-2.1",
        findings=[
            Finding(f"RULE-{i}", f"Finding {i}", severity, message="details", location=f"src/app.py:{i}", tool="zap")
            for i, severity in enumerate(severities, start=1)
        ],
    )
