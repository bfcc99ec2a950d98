"""Every read of the design stage: interfaces, criteria with their latest result, the architecture graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from oeuvre.design.hooks import ResultPoint, environments_for, results_for
from oeuvre.design.models import Criterion, Interface
from oeuvre.projects.models import Project
from oeuvre.requirements.models import Component

__all__ = [
    "CriterionRow",
    "architecture_graph",
    "criteria_for",
    "criterion_rows",
    "interfaces_for",
]


def interfaces_for(project: Project) -> QuerySet[Interface]:
    return (
        Interface.objects.filter(project=project)
        .select_related("source", "target", "owner")
        .prefetch_related("exigences", "specifications")
    )


def criteria_for(project: Project) -> QuerySet[Criterion]:
    return (
        Criterion.objects.filter(project=project)
        .select_related("component", "interface", "interface__source", "interface__target")
        .prefetch_related("exigences")
    )


@dataclass
class CriterionRow:
    """A criterion with its last measured result (``None`` when never measured) and the history behind it."""

    criterion: Criterion
    history: list[ResultPoint] = field(default_factory=list)

    @property
    def latest(self) -> ResultPoint | None:
        return self.history[-1] if self.history else None

    @property
    def measured(self) -> float | str | None:
        return self.latest.value if self.latest else None

    @property
    def met(self) -> bool | None:
        return self.latest.met if self.latest else None

    @property
    def state(self) -> str:
        return {True: "met", False: "not_met", None: "not_measured"}[self.met]

    @property
    def subject(self) -> Any:
        return self.criterion.interface if self.criterion.interface_id else self.criterion.component

    def as_dict(self) -> dict[str, Any]:
        c = self.criterion
        out: dict[str, Any] = {"reference": c.reference}
        if c.interface_id:
            out["interface"] = c.interface.reference  # type: ignore[union-attr]
        else:
            out["component"] = c.component.reference  # type: ignore[union-attr]
        out.update({
            "metric": c.metric, "operator": c.operator, "threshold": c.threshold, "unit": c.unit, "label": c.label,
            "measured": self.measured, "met": self.met,
            "exigences": [e.reference for e in c.exigences.all()],
            "history": [
                {"campaign": p.campaign, "iteration": p.iteration, "value": p.value, "unit": p.unit, "met": p.met,
                 "tool": p.tool, "file": p.filename, "at": p.at.isoformat()}
                for p in self.history
            ],
        })  # fmt: skip
        return out


def criterion_rows(project: Project) -> list[CriterionRow]:
    """Every criterion of the project with its results (three queries and the results provider's)."""
    criteria = list(criteria_for(project))
    results = results_for(project, None)
    return [CriterionRow(c, results.get(c.pk, [])) for c in criteria]


_COLOURS = {"module": "#2563eb", "interface": "#7c3aed", "infrastructure": "#64748b", "partner": "#d97706"}


def architecture_graph(project: Project, environment: str | None = None) -> dict[str, Any]:
    """The component and flow diagram as an ECharts ``graph`` series: nodes, links and categories.

    With ``environment`` (a name the deployment stage knows), only the components deployed there and the
    flows between them (and with partners) are drawn, each component with its deployed version.
    """
    components = list(Component.objects.filter(project=project).order_by("number", "pk"))
    deployed: dict[int, str] | None = None
    if environment:
        deployed = environments_for(project).get(environment, {})
    nodes: list[dict[str, Any]] = []
    ids: set[int] = set()
    categories = ["module", "interface", "infrastructure", "partner"]
    for c in components:
        if deployed is not None and c.pk not in deployed:
            continue
        ids.add(c.pk)
        label = c.name if deployed is None else f"{c.name} ({deployed[c.pk]})"
        nodes.append({
            "id": f"c{c.pk}", "name": label, "value": c.reference, "category": categories.index(c.kind)
            if c.kind in categories else 0, "symbolSize": 46,
        })  # fmt: skip
    links: list[dict[str, Any]] = []
    partners: dict[str, str] = {}
    for i in Interface.objects.filter(project=project).order_by("number", "pk"):
        if i.source_id not in ids or (i.target_id is not None and i.target_id not in ids):
            continue
        if i.target_id is None:
            key = partners.setdefault(i.partner, f"p{len(partners) + 1}")
            target = key
        else:
            target = f"c{i.target_id}"
        source = f"c{i.source_id}"
        if i.direction == Interface.Direction.INBOUND:
            source, target = target, source
        links.append({
            "source": source, "target": target, "value": i.reference,
            "label": {"show": True, "formatter": f"{i.reference} {i.get_protocol_display()}"},
            "lineStyle": {"type": "dashed" if i.target_id is None else "solid"},
            "symbol": ["arrow", "arrow"] if i.direction == Interface.Direction.BOTH else ["none", "arrow"],
        })  # fmt: skip
    for name, key in partners.items():
        nodes.append({"id": key, "name": name, "value": "", "category": 3, "symbolSize": 36, "symbol": "roundRect"})
    return {
        "nodes": nodes,
        "links": links,
        "categories": [
            {"name": str(dict(Component.Kind.choices).get(n, _("Partner system"))), "itemStyle": {"color": _COLOURS[n]}}
            for n in categories
        ],
        "environments": sorted(environments_for(project)),
        "environment": environment or "",
    }
