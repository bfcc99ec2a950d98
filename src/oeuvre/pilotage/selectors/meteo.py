"""The météo of a project: live figures gathered from the other stages' selectors, judged by the engine's rules.

:func:`meteo_of` is what the overview page, the home panel, the API, the CLI and the snapshot job show: the
verdict per axis (computed, and the MOE's override when there is one), each reason in words, and the figures.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from oeuvre.engine.health import AXES, HealthFacts, HealthThresholds, assess
from oeuvre.pilotage.models import MeteoOverride, MeteoSnapshot, SteeringSettings
from oeuvre.pilotage.words import WEATHER_ICONS, WEATHER_TONES, axis_label, reason_text, weather_label
from oeuvre.projects.models import Project

__all__ = [
    "gather_facts",
    "meteo_of",
    "meteo_settings",
    "overrides_of",
    "snapshots_of",
    "thresholds_of",
    "trend_of",
]

logger = logging.getLogger(__name__)

THRESHOLD_FIELDS = tuple(f for f in HealthThresholds.__dataclass_fields__)
# What the thresholds page and API edit: the météo rules' thresholds and the risk scale.
SETTING_FIELDS = (*THRESHOLD_FIELDS, "risk_scale", "risk_critical")
_ORDER = {"sun": 0, "cloud": 1, "rain": 2, "storm": 3}


def meteo_settings(project: Project) -> SteeringSettings:
    """The project's thresholds (an unsaved row with DOMAIN.md's defaults until someone sets them)."""
    return SteeringSettings.objects.filter(project=project).first() or SteeringSettings(project=project)


def thresholds_of(cfg: SteeringSettings) -> HealthThresholds:
    return HealthThresholds(**{name: getattr(cfg, name) for name in THRESHOLD_FIELDS})


def overrides_of(project: Project) -> dict[str, MeteoOverride]:
    return {o.axis: o for o in MeteoOverride.objects.filter(project=project).select_related("author")}


# --- Figures from the other stages ------------------------------------------------------------------------------


def _planning_facts(project: Project, today: dt.date) -> dict[str, Any]:
    from oeuvre.planning.costing import earned_value_report, project_costs, task_figures
    from oeuvre.planning.scheduling import project_calendar, status_date_of
    from oeuvre.planning.selectors import contractual_milestones, latest_job, plan_of

    plan = plan_of(project)
    out: dict[str, Any] = {}
    if plan.pk is None:
        return out
    figures = task_figures(project, status_date_of(plan), plan)
    now = earned_value_report(project, plan, figures=figures).get("money", {}).get("now", {})
    for key in ("spi", "cpi", "spi_t"):
        if now.get(key) is not None:
            out[key] = float(now[key])
    costs = project_costs(project, plan, figures=figures)
    out["landing"] = round(costs.project.landing_cost, 2)
    out["sold"] = round(costs.project.sold_cost, 2)
    out["spent"] = round(costs.project.spent_cost, 2)
    milestones = contractual_milestones(project, plan)
    pairs = [(m["baseline"], m["forecast"]) for m in milestones if m["baseline"] and m["forecast"]]
    if pairs:
        calendar = project_calendar(project, origin=min(min(b, f) for b, f in pairs))
        base = calendar.to_index([b for b, _f in pairs])
        fore = calendar.to_index([f for _b, f in pairs])
        out["milestone_slip_days"] = max(int(x) for x in (fore - base))
    job = latest_job(project, "planning.risk", done=True)
    if job is not None and job.result:
        focus = job.result.get("focus") or {}
        target = focus.get("deadline") or job.result.get("target")
        p50 = focus.get("P50") or job.result.get("percentiles", {}).get("P50")
        p80 = focus.get("P80") or job.result.get("percentiles", {}).get("P80")
        if target and p50 and p80:
            deadline = dt.date.fromisoformat(target)
            out["p50_late_days"] = (dt.date.fromisoformat(p50) - deadline).days
            out["p80_late_days"] = (dt.date.fromisoformat(p80) - deadline).days
            out["monte_carlo_on"] = job.finished_at.date().isoformat() if job.finished_at else None
    return out


def _recette_facts(project: Project, today: dt.date) -> dict[str, Any]:
    from oeuvre.recette.models import AnomalyKind, PvDecision, Severity
    from oeuvre.recette.selectors.anomalies import AnomalyFilters, anomalies_for, open_defects_by_severity
    from oeuvre.recette.selectors.coverage import coverage_per_exigence, coverage_totals
    from oeuvre.recette.selectors.dashboards import campaign_summaries
    from oeuvre.recette.selectors.pv import latest_pv_status, recette_settings
    from oeuvre.recette.selectors.timers import dashboard

    out: dict[str, Any] = {}
    blocking = anomalies_for(
        project, AnomalyFilters(severity=Severity.BLOQUANTE, kind=AnomalyKind.ANOMALIE, open_only=True)
    ).values_list("created_at", flat=True)
    out["bloquante_ages"] = sorted(((today - timezone.localdate(c)).days for c in blocking), reverse=True)
    counts = open_defects_by_severity(project)
    out["majeures"] = counts.get(Severity.MAJEURE, 0)
    out["majeures_max"] = recette_settings(project).max_majeures_with_reserves
    totals = coverage_totals(coverage_per_exigence(project))
    if totals["exigences"]:
        out["coverage_percent"] = round(100.0 * totals["covered"] / totals["exigences"], 1)
    summaries = campaign_summaries(project)
    executed = sum(s["executed"] for s in summaries)
    if executed:
        out["pass_rate_percent"] = round(100.0 * sum(s["passed"] for s in summaries) / executed, 1)
    latest = latest_pv_status(project)
    pv = latest["pv"]
    out["pv_refused"] = bool(pv is not None and pv.decision in (PvDecision.AJOURNEE, PvDecision.REFUSEE))
    out["reserves_open"] = int(latest["open_reserves"])
    board = dashboard(project, today)
    out["deadlines_overdue"] = sum(1 for d in board["deadlines"] if d["status"] == "overdue")
    out["deadlines_at_risk"] = sum(1 for d in board["alerts"] if d["status"] == "due")
    return out


def _requirements_facts(project: Project) -> dict[str, Any]:
    from oeuvre.pilotage.models import ChangeItem, ChangeItemKind, ChangeStatus
    from oeuvre.requirements.models import Exigence, ExigenceStatus

    # An exigence rejected now whose history shows it validated before (one query on the history table) — unless
    # an accepted change request removed it: that is the MOA's decided change of scope, not a rejection.
    removed = ChangeItem.objects.filter(
        change__project=project,
        change__status=ChangeStatus.ACCEPTEE,
        kind=ChangeItemKind.SUPPRESSION,
        exigence__isnull=False,  # NOT IN with a NULL would exclude everything
    ).values("exigence_id")
    rejected = (
        Exigence.objects.filter(project=project, status=ExigenceStatus.REJETEE).exclude(pk__in=removed).values("pk")
    )
    count = Exigence.history.filter(id__in=rejected, status=ExigenceStatus.VALIDEE).values("id").distinct().count()
    return {"exigences_rejected_after_validation": count}


def gather_facts(project: Project, today: dt.date | None = None) -> HealthFacts:
    """Every input of the météo rules, read through the planning, recette and requirements selectors."""
    from oeuvre.pilotage.selectors.changes import change_facts
    from oeuvre.pilotage.selectors.risks import critical_open_risks

    today = today or timezone.localdate()
    data: dict[str, Any] = {}
    data.update(_planning_facts(project, today))
    data.update(_recette_facts(project, today))
    data.update(_requirements_facts(project))
    data["critical_risks"] = critical_open_risks(project)
    data.update(change_facts(project, today))
    data.pop("monte_carlo_on", None)
    return HealthFacts(**data)


# --- The météo as pages show it ---------------------------------------------------------------------------------


def _weather(value: str) -> dict[str, str]:
    return {"value": value, "label": weather_label(value), "icon": WEATHER_ICONS[value], "tone": WEATHER_TONES[value]}


def present(computed: dict[str, Any], overrides: dict[str, MeteoOverride]) -> dict[str, Any]:
    """The engine's result (``Health.to_dict()``) with the overrides applied, in words, for pages and the API."""
    axes: dict[str, Any] = {}
    for axis in AXES:
        raw = computed["axes"][axis]
        override = overrides.get(axis)
        reasons = [
            {**r, "text": reason_text(r), "weather_info": _weather(r["weather"]) if r["weather"] else None}
            for r in sorted(raw["reasons"], key=lambda r: -_ORDER.get(r["weather"] or "sun", -1))
        ]
        axes[axis] = {
            "axis": axis,
            "label": axis_label(axis),
            "verdict": override.verdict if override else raw["verdict"],
            "computed": raw["verdict"],
            "weather": _weather(override.verdict if override else raw["verdict"]),
            "computed_weather": _weather(raw["verdict"]),
            "override": override,
            "reasons": reasons,
        }
    # Overall: the MOE's overall verdict if given, else the worst of the (possibly overridden) axes.
    worst = max((a["verdict"] for a in axes.values()), key=lambda v: _ORDER[v])
    overall_override = overrides.get("overall")
    overall = overall_override.verdict if overall_override else worst
    return {
        "overall": overall,
        "computed_overall": computed["overall"],
        "overall_weather": _weather(overall),
        "computed_overall_weather": _weather(computed["overall"]),
        "overall_override": overall_override,
        "axes": axes,
    }


def meteo_of(project: Project, today: dt.date | None = None) -> dict[str, Any]:
    """The live météo: computed verdicts, overrides, reasons in words, the figures and the thresholds."""
    facts = gather_facts(project, today)
    cfg = meteo_settings(project)
    health = assess(facts, thresholds_of(cfg))
    result = present(health.to_dict(), overrides_of(project))
    result["figures"] = asdict(facts)
    result["settings"] = cfg
    return result


def as_json(meteo: dict[str, Any]) -> dict[str, Any]:
    """The API's and the CLI's shape: ``overall`` and ``axes`` with ``verdict`` and ``reasons`` (strings)."""

    def override(o: MeteoOverride | None) -> dict[str, Any] | None:
        if o is None:
            return None
        return {"verdict": o.verdict, "reason": o.reason, "author": o.author.username if o.author else None}

    return {
        "overall": meteo["overall"],
        "computed_overall": meteo["computed_overall"],
        "overall_override": override(meteo["overall_override"]),
        "axes": {
            axis: {
                "verdict": a["verdict"],
                "computed": a["computed"],
                "override": override(a["override"]),
                "reasons": [r["text"] for r in a["reasons"]],
                "rules": [{"code": r["code"], "params": r["params"], "weather": r["weather"]} for r in a["reasons"]],
            }
            for axis, a in meteo["axes"].items()
        },
        "figures": {k: list(v) if isinstance(v, tuple) else v for k, v in meteo["figures"].items()},
    }


# --- History ----------------------------------------------------------------------------------------------------


def snapshots_of(project: Project) -> QuerySet[MeteoSnapshot]:
    return MeteoSnapshot.objects.filter(project=project).select_related("author").order_by("-taken_on")


def trend_of(project: Project, current: str | None = None, weeks: int = 12) -> dict[str, Any]:
    """The last ``weeks`` snapshots (oldest first) and the arrow of each axis against the previous one.

    The arrow compares ``current`` (the live overall verdict) or the latest snapshot with the one before:
    ``up`` when the weather improves, ``down`` when it worsens.
    """
    rows = list(snapshots_of(project)[:weeks])
    rows.reverse()
    history = [
        {
            "taken_on": s.taken_on,
            "overall": _weather(s.overall),
            "axes": {a: _weather(s.axes.get(a, {}).get("verdict", "sun")) for a in AXES},
            "kind": s.kind,
        }
        for s in rows
    ]
    arrow = "flat"
    if rows:
        latest = current or rows[-1].overall
        previous = rows[-1].overall if current else (rows[-2].overall if len(rows) > 1 else latest)
        delta = _ORDER[latest] - _ORDER[previous]
        arrow = "down" if delta > 0 else "up" if delta < 0 else "flat"
    return {"history": history, "arrow": arrow}
