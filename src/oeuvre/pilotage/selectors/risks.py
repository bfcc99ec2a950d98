"""Reads of the risk register: the filtered list, one risk with its actions, the heat map, critical counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from oeuvre.pilotage.models import OPEN_RISK_STATUSES, Risk, RiskAction
from oeuvre.pilotage.selectors.meteo import meteo_settings
from oeuvre.projects.models import Project

__all__ = ["RiskFilters", "critical_open_risks", "heat_map", "risk_detail", "risks_for"]


@dataclass(frozen=True)
class RiskFilters:
    q: str = ""
    status: str = ""
    kind: str = ""
    open_only: bool = False
    critical_only: bool = False


def risks_for(project: Project, filters: RiskFilters | None = None) -> QuerySet[Risk]:
    """The project's risks with their owner and actions joined (no per-row query)."""
    f = filters or RiskFilters()
    qs = Risk.objects.filter(project=project).select_related("owner")
    if f.q:
        qs = qs.filter(Q(reference__icontains=f.q) | Q(title__icontains=f.q) | Q(event__icontains=f.q))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.open_only:
        qs = qs.filter(status__in=OPEN_RISK_STATUSES)
    if f.critical_only:
        qs = qs.annotate(score=F("probability") * F("impact")).filter(score__gte=meteo_settings(project).risk_critical)
    actions = RiskAction.objects.select_related("owner").order_by("due_on", "pk")
    return qs.prefetch_related(Prefetch("actions", queryset=actions)).order_by("number", "pk")


def risk_detail(project: Project, pk: int) -> Risk:
    return get_object_or_404(risks_for(project), pk=pk)


def critical_open_risks(project: Project) -> int:
    """Open risks (not opportunities) whose P × I reaches the project's critical threshold: one query."""
    return (
        Risk.objects.filter(project=project, status__in=OPEN_RISK_STATUSES, kind="risque")
        .annotate(score=F("probability") * F("impact"))
        .filter(score__gte=meteo_settings(project).risk_critical)
        .count()
    )


def heat_map(project: Project) -> dict[str, Any]:
    """Open risks counted per (probability, impact) cell, highest probability first, with each cell's tone."""
    cfg = meteo_settings(project)
    scale = int(cfg.risk_scale)
    counts: dict[tuple[int, int], list[str]] = {}
    for ref, p, i in Risk.objects.filter(project=project, status__in=OPEN_RISK_STATUSES).values_list(
        "reference", "probability", "impact"
    ):
        counts.setdefault((min(p, scale), min(i, scale)), []).append(ref)
    rows = []
    for p in range(scale, 0, -1):
        cells = []
        for i in range(1, scale + 1):
            score = p * i
            tone = (
                "danger" if score >= cfg.risk_critical else "warning" if score >= cfg.risk_critical / 2 else "success"
            )
            refs = counts.get((p, i), [])
            cells.append({"impact": i, "score": score, "count": len(refs), "refs": refs, "tone": tone})
        rows.append({"probability": p, "cells": cells})
    return {"scale": scale, "critical": cfg.risk_critical, "rows": rows, "impacts": list(range(1, scale + 1))}
