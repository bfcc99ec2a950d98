"""Reads of the risk register: the filtered list, one risk with its actions, the heat map, critical counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from oeuvre.pilotage.models import OPEN_RISK_STATUSES, Risk, RiskAction
from oeuvre.pilotage.selectors.meteo import meteo_settings
from oeuvre.projects.models import Project

__all__ = [
    "RiskFilters",
    "critical_open_risks",
    "heat_map",
    "risk_detail",
    "risks_for",
    "schedule_risk_analysis",
    "schedule_risk_events",
]


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


def _scope_tasks(project: Project, scopes: list[str]) -> tuple[list[tuple[int, ...]], list[list[str]]]:
    """Each scope's tasks: its comma-separated codes are tasks or lots of the plan (a lot brings the tasks of
    the lots under it); a code may be followed by its name ("L3 — Back-office"). Also the codes not found."""
    from oeuvre.planning.models import Lot, Task

    lots = list(Lot.objects.filter(project=project).values_list("pk", "parent_id", "code"))
    tasks = list(Task.objects.filter(project=project).values_list("pk", "lot_id", "code", "kind"))
    lot_by_code = {code.casefold(): pk for pk, _parent, code in lots}
    task_by_code = {code.casefold(): pk for pk, _lot, code, _kind in tasks}
    children: dict[int, list[int]] = {}
    for pk, parent, _code in lots:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    work_by_lot: dict[int, list[int]] = {}
    for pk, lot, _code, kind in tasks:
        if kind != "milestone":
            work_by_lot.setdefault(lot, []).append(pk)
    found: list[tuple[int, ...]] = []
    missing: list[list[str]] = []
    for scope in scopes:
        ids: list[int] = []
        unknown: list[str] = []
        for token in re.split(r"[,;\n]", scope):
            code = re.split(r"\s+[—–-]\s+", token.strip(), maxsplit=1)[0].strip().casefold()
            if not code:
                continue
            if code in task_by_code:
                ids.append(task_by_code[code])
            elif code in lot_by_code:
                stack = [lot_by_code[code]]
                while stack:
                    lot_pk = stack.pop()
                    ids.extend(work_by_lot.get(lot_pk, []))
                    stack.extend(children.get(lot_pk, []))
            else:
                unknown.append(token.strip())
        found.append(tuple(dict.fromkeys(ids)))
        missing.append(unknown)
    return found, missing


def schedule_risk_events(project: Project) -> tuple[list[Risk], list[Any], list[list[str]]]:
    """The open risks (not opportunities) that carry a schedule impact, as the planning stage's risk events,
    in register order; with the codes of their scope that match no task or lot."""
    from oeuvre.planning.analysis import ScheduleRisk

    scale = int(meteo_settings(project).risk_scale)
    risks = list(
        Risk.objects.filter(
            project=project, status__in=OPEN_RISK_STATUSES, kind="risque", schedule_days_likely__isnull=False
        ).order_by("number", "pk")
    )
    scopes, missing = _scope_tasks(project, [r.schedule_scope for r in risks])
    events = []
    for risk, task_ids in zip(risks, scopes, strict=True):
        likely = float(risk.schedule_days_likely or 0)
        low = float(risk.schedule_days_min if risk.schedule_days_min is not None else likely)
        high = float(risk.schedule_days_max if risk.schedule_days_max is not None else likely)
        events.append(
            ScheduleRisk(
                key=risk.reference,
                name=risk.title,
                probability=risk.schedule_chance(scale),
                days=(low, likely, high),
                task_ids=task_ids,
            )
        )
    return risks, events, missing


def schedule_risk_analysis(project: Project, *, iterations: int = 2000, seed: int = 1) -> dict[str, Any] | None:
    """The plan's Monte Carlo with and without the open risks, and each risk's contribution to the P80
    (how much earlier the P80 is without that risk alone). None when the project has no plan to simulate."""
    from oeuvre.core.errors import DomainError
    from oeuvre.planning.analysis import risk_analysis
    from oeuvre.planning.models import Plan

    plan = Plan.objects.filter(project=project).first()
    if plan is None:
        return None
    risks, events, missing = schedule_risk_events(project)
    try:
        result = risk_analysis(project, plan, iterations=iterations, seed=seed, risks=events)
    except DomainError:
        return None
    block = result.get("risk_events") or {
        "method": "removal",
        "with_risks": {k: result["percentiles"][k] for k in ("P50", "P80")},
        "without_risks": {k: result["percentiles"][k] for k in ("P50", "P80")},
        "p80_shift_days": 0.0,
        "contributions": [],
    }
    by_key = {r.reference: (r, m) for r, m in zip(risks, missing, strict=True)}
    for item in block["contributions"]:
        risk, unknown = by_key[item["key"]]
        item["id"] = risk.pk
        item["scope"] = risk.schedule_scope
        item["unknown_codes"] = unknown
    return {
        "iterations": result["iterations"],
        "seed": result["seed"],
        "target": result["target"],
        **block,
        "milestones": [
            {
                "code": m["code"],
                "name": m["name"],
                "deadline": m["deadline"],
                "with_risks": {"P50": m["P50"], "P80": m["P80"]},
                "without_risks": {
                    "P50": m.get("P50_without_risks", m["P50"]),
                    "P80": m.get("P80_without_risks", m["P80"]),
                },
            }
            for m in result["milestones"]
        ],
    }


def schedule_risk_state(project: Project) -> str:
    """A fingerprint of what the schedule-risk analysis reads: the plan (revision and version), its tasks (count
    and last change, progress included), the risk register (every risk's version) and the thresholds' scale.
    Two queries; any edit of one of them changes it."""
    import hashlib

    from django.db.models import Count, Max

    from oeuvre.planning.models import Plan, Task

    plan = Plan.objects.filter(project=project).values_list("pk", "revision", "version").first()
    tasks = Task.objects.filter(project=project).aggregate(n=Count("pk"), last=Max("updated_at"), v=Max("version"))
    risks = sorted(Risk.objects.filter(project=project).values_list("pk", "version", "updated_at"))
    cfg = meteo_settings(project)
    raw = repr((plan, tasks["n"], str(tasks["last"]), tasks["v"], risks, cfg.risk_scale, cfg.version))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def cached_schedule_risk_analysis(
    project: Project, *, iterations: int = 2000, refresh: bool = False
) -> tuple[dict[str, Any] | None, Any]:
    """:func:`schedule_risk_analysis` kept per plan and risk-register state: ``(analysis, computed_at)``.

    The Monte Carlo (seconds on a large plan) runs only when the plan, its tasks or the risks changed since the
    last run, or when ``refresh`` asks for it; otherwise the last result is read from the cache with the time it
    was computed."""
    from django.core.cache import cache
    from django.utils import timezone

    key = f"pilotage.risk-schedule:{project.pk}:{iterations}:{schedule_risk_state(project)}"
    if not refresh:
        kept = cache.get(key)
        if kept is not None:
            return kept["analysis"], kept["computed_at"]
    analysis = schedule_risk_analysis(project, iterations=iterations)
    computed_at = timezone.now()
    cache.set(key, {"analysis": analysis, "computed_at": computed_at}, timeout=30 * 24 * 3600)
    return analysis, computed_at
