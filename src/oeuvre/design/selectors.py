"""Every read of the design stage: interfaces, criteria with their latest result, the architecture graph."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
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


# --- The requirements' traceability: what an exigence change reaches in the architecture ---------------------


# The last query's answer, by identity: the interfaces and the criteria providers read it for the same analysis
# (one ``ImpactQuery`` object), so the three queries run once; another analysis is another object.
_last_reached: list[tuple[Any, list[tuple[Interface, tuple[str, ...]]]]] = []


def _reached_interfaces(query: Any) -> list[tuple[Interface, tuple[str, ...]]]:
    """The interfaces pointing at a changed exigence or specification, or joining a reached component, each with
    the references it is reached through (three queries, whatever the number of ids; once per analysis)."""
    last = _last_reached[0] if _last_reached else None
    if last is not None and last[0] is query:
        return last[1]
    found = _reach_interfaces(query)
    _last_reached[:] = [(query, found)]
    return found


def _reach_interfaces(query: Any) -> list[tuple[Interface, tuple[str, ...]]]:
    via: dict[int, set[str]] = {}
    through = Interface.exigences.through.objects.filter(
        interface__project=query.project, exigence_id__in=query.exigence_ids
    ).values_list("interface_id", "exigence__reference")
    through_spec = Interface.specifications.through.objects.filter(
        interface__project=query.project, specification_id__in=query.specification_ids
    ).values_list("interface_id", "specification__reference")
    for interface_id, reference in [*through, *through_spec]:
        via.setdefault(interface_id, set()).add(reference)
    found = []
    for i in (
        Interface.objects.filter(
            Q(pk__in=list(via)) | Q(source_id__in=query.component_ids) | Q(target_id__in=query.component_ids),
            project=query.project,
        )
        .select_related("source", "target")
        .order_by("number", "pk")
    ):
        reached = set(via.get(i.pk, set()))
        reached |= {c.reference for c in (i.source, i.target) if c is not None and c.pk in query.component_ids}
        found.append((i, tuple(sorted(reached))))
    return found


def interfaces_hanging_on(query: Any) -> list[Any]:
    """Impact provider: the interfaces an exigence change reaches."""
    from django.urls import reverse

    from oeuvre.requirements.traces import HangingItem

    return [
        HangingItem(group="interfaces", reference=i.reference, title=i.name, via=via,
                    url=reverse("design:interface", args=[query.project.code, i.pk]), status=i.get_status_display())
        for i, via in _reached_interfaces(query)
    ]  # fmt: skip


def criteria_hanging_on(query: Any) -> list[Any]:
    """Impact provider: the criteria of a changed exigence, of a reached component or of a reached interface (the
    constraint may have to be measured again), with their last result."""
    from django.urls import reverse

    from oeuvre.requirements.traces import HangingItem

    interface_ids = {i.pk for i, _via in _reached_interfaces(query)}
    criteria = list(
        Criterion.objects.filter(
            Q(exigences__in=query.exigence_ids)
            | Q(component_id__in=query.component_ids)
            | Q(interface_id__in=interface_ids),
            project=query.project,
        )
        .distinct()
        .select_related("component", "interface")
        .prefetch_related("exigences")
    )
    results = results_for(query.project, [c.pk for c in criteria])
    items = []
    for c in criteria:
        via = {e.reference for e in c.exigences.all() if e.pk in query.exigence_ids}
        if c.interface_id in interface_ids and c.interface is not None:
            via.add(c.interface.reference)
        if c.component_id in query.component_ids and c.component is not None:
            via.add(c.component.reference)
        history = results.get(c.pk, [])
        status = "" if not history else (_("met") if history[-1].met else _("not met"))
        items.append(HangingItem(
            group="criteria", reference=c.reference, title=c.describe(), via=tuple(sorted(via)),
            url=reverse("design:criterion", args=[query.project.code, c.pk]), status=str(status),
        ))  # fmt: skip
    return items


def interfaces_of_exigences(
    project: Project, exigence_ids: list[int], specs_of: Mapping[int, list[int]]
) -> dict[int, set[str]]:
    """Architecture provider of the RTM: exigence id → references of the interfaces pointing at it or at one of
    its specifications (two queries)."""
    out: dict[int, set[str]] = {}
    for exigence_id, reference in Interface.exigences.through.objects.filter(
        interface__project=project, exigence_id__in=exigence_ids
    ).values_list("exigence_id", "interface__reference"):
        out.setdefault(exigence_id, set()).add(reference)
    spec_ids = {s for specs in specs_of.values() for s in specs}
    if spec_ids:
        by_spec: dict[int, set[str]] = {}
        for spec_id, reference in Interface.specifications.through.objects.filter(
            interface__project=project, specification_id__in=spec_ids
        ).values_list("specification_id", "interface__reference"):
            by_spec.setdefault(spec_id, set()).add(reference)
        for exigence_id, specs in specs_of.items():
            for s in specs:
                if s in by_spec:
                    out.setdefault(exigence_id, set()).update(by_spec[s])
    return out
