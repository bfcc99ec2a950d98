"""Reads of the CCAG-TIC timers: the contract's settings and the recorded facts in the engine's terms, the
deadlines, the admission date (explicit or tacit), the alerts and the VSR availability per equipment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.engine import acceptance as engine
from oeuvre.engine.errors import InputError
from oeuvre.projects.models import HolidayZone, Project
from oeuvre.recette.models import AcceptanceTimeline, AdmissionDecision, Outage, RecetteSettings
from oeuvre.recette.selectors.pv import recette_settings

__all__ = [
    "DEADLINE_LABELS",
    "approaching_deadlines",
    "availability",
    "dashboard",
    "timeline_of",
    "timer_facts",
    "timer_settings",
]

_VERDICT = {
    AdmissionDecision.ADMISSION: engine.Verdict.POSITIVE,
    AdmissionDecision.REFACTION: engine.Verdict.REFACTION,
    AdmissionDecision.AJOURNEMENT: engine.Verdict.AJOURNEMENT,
    AdmissionDecision.REJET: engine.Verdict.REJET,
}


def DEADLINE_LABELS() -> dict[str, str]:
    return {
        "mom": _("PV de MOM (installation and commissioning)"),
        "va_decision": _("VA decision (operational acceptance)"),
        "va_corrections": _("Corrections after a deferred VA"),
        "vsr_end": _("End of the VSR (service reliability)"),
        "vsr_decision": _("Decision after the VSR (silence = tacit admission)"),
        "vsr_extension_end": _("End of the extended VSR"),
        "final_decision": _("Decision after the extended VSR (silence = tacit admission)"),
        "garantie_end": _("End of the warranty (garantie)"),
    }


def timeline_of(project: Project) -> AcceptanceTimeline:
    """The project's timeline, or an unsaved empty one (reads never write)."""
    found = AcceptanceTimeline.objects.filter(project=project).first()
    return found if found is not None else AcceptanceTimeline(project=project)


def timer_settings(cfg: RecetteSettings, project: Project) -> engine.TimerSettings:
    """The contract's timers (RecetteSettings) in the engine's terms."""
    return engine.TimerSettings(
        va=engine.Period(cfg.va_days),
        vsr=engine.Period(cfg.vsr_days),
        vsr_max_unavailability=float(cfg.vsr_max_unavailability) / 100,
        decision_after_vsr=engine.Period(cfg.decision_days),
        ajournement=engine.Period(cfg.ajournement_days),
        garantie=engine.Period(cfg.garantie_months, engine.PeriodUnit.MONTHS),
        extend_to_working_day=cfg.shift_to_working_day,
        department="57" if project.holiday_zone == HolidayZone.ALSACE_MOSELLE else None,
    )


def timer_facts(timeline: AcceptanceTimeline, project: Project) -> engine.TimerFacts:
    return engine.TimerFacts(
        contractual_delivery=project.delivery_date if timeline.mom_on is None else None,
        mom_date=timeline.mom_on,
        va_decision_date=timeline.va_decided_on,
        va_outcome=engine.Verdict(timeline.va_outcome) if timeline.va_outcome else None,
        vsr_start=timeline.vsr_started_on,
        vsr_end=timeline.vsr_ended_on,
        vsr_decision_date=timeline.admission_decided_on,
        vsr_outcome=_VERDICT[AdmissionDecision(timeline.admission_decision)] if timeline.admission_decision else None,
        final_decision_date=timeline.final_decided_on,
        final_outcome=_VERDICT[AdmissionDecision(timeline.final_decision)] if timeline.final_decision else None,
        refaction_percent=float(timeline.refaction_percent) if timeline.refaction_percent is not None else None,
        deprivation_days=timeline.deprivation_days,
    )


def _as_time(value: Any) -> dt.time:
    """A TimeField's value; a freshly created row still holds its string default ("08:00")."""
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def availability(
    timeline: AcceptanceTimeline, cfg: RecetteSettings, project: Project, today: dt.date, vsr_end: dt.date | None
) -> list[dict[str, Any]]:
    """Unavailability of each equipment over the VSR's use time so far (2 % rule, public holidays excluded)."""
    if timeline.pk is None or timeline.vsr_started_on is None:
        return []
    last = min(vsr_end or today, today)
    if last < timeline.vsr_started_on:
        return []
    spans: dict[str, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    outages: dict[str, int] = defaultdict(int)
    for outage in Outage.objects.filter(timeline=timeline).order_by("equipment", "started_at"):
        spans[outage.equipment].append((outage.started_at, outage.ended_at))
        outages[outage.equipment] += 1
    hours = engine.UseHours(start=_as_time(cfg.vsr_use_start), end=_as_time(cfg.vsr_use_end))
    department = "57" if project.holiday_zone == HolidayZone.ALSACE_MOSELLE else None
    _ok, per = engine.vsr_regular(
        spans,
        timeline.vsr_started_on,
        last,
        hours=hours,
        max_ratio=float(cfg.vsr_max_unavailability) / 100,
        department=department,
        tz=timezone.get_current_timezone(),
    )
    return [
        {
            "equipment": name,
            "outages": outages[name],
            "use_hours": round(a.use_seconds / 3600, 1),
            "outage_hours": round(a.outage_seconds / 3600, 2),
            "percent": round(a.ratio * 100, 2),
            "max_percent": round(a.max_ratio * 100, 2),
            "regular": a.regular,
            "until": last,
        }
        for name, a in sorted(per.items())
    ]


def _chart(deadlines: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    """An ECharts option: one point per deadline on a time axis, coloured by status, with today marked."""
    colours = {"done": "#18753c", "due": "#0063cb", "overdue": "#ce0500", "tacit": "#b34000"}
    return {
        "tooltip": {"trigger": "item"},
        "grid": {"left": 260, "right": 30, "top": 20, "bottom": 40},
        "xAxis": {"type": "time"},
        "yAxis": {"type": "category", "inverse": True, "data": [d["label"] for d in deadlines]},
        "series": [
            {
                "type": "scatter",
                "symbolSize": 14,
                "data": [
                    {
                        "value": [d["due"].isoformat(), d["label"]],
                        "itemStyle": {"color": colours.get(d["status"], "#666")},
                        "name": d["status_label"],
                    }
                    for d in deadlines
                ],
                "markLine": {
                    "symbol": "none",
                    "label": {"formatter": str(_("today"))},
                    "data": [{"xAxis": today.isoformat()}],
                },
            }
        ],
    }


def dashboard(project: Project, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the timers page, the home panel, the API and the CLI show (a handful of queries)."""
    today = today or timezone.localdate()
    cfg = recette_settings(project)
    timeline = timeline_of(project)
    labels = DEADLINE_LABELS()
    status_labels = {
        "done": _("done"),
        "due": _("due"),
        "overdue": _("overdue"),
        "tacit": _("tacit admission"),
    }
    error = ""
    try:
        result = engine.compute_timers(timer_settings(cfg, project), timer_facts(timeline, project), today)
    except InputError as exc:
        result, error = None, str(exc)
    deadlines: list[dict[str, Any]] = []
    alert_keys: set[str] = set()
    if result is not None:
        alert_keys = {d.key for d in engine.alerts(result.deadlines, today, cfg.alert_days)}
        for d in result.deadlines:
            deadlines.append(
                {
                    "key": d.key,
                    "label": labels.get(d.key, d.key),
                    "start": d.start,
                    "due": d.due,
                    "status": d.status.value,
                    "status_label": status_labels[d.status.value],
                    "done_on": d.done_on,
                    "late": d.late,
                    "days_left": (d.due - today).days,
                    "article": d.article,
                    "alert": d.key in alert_keys,
                    "tacit_on_expiry": d.tacit_on_expiry,
                }
            )
    vsr_end = result.get("vsr_end").due if result is not None and result.get("vsr_end") else None  # type: ignore[union-attr]
    return {
        "today": today,
        "settings": cfg,
        "timeline": timeline,
        "deadlines": deadlines,
        "alerts": [d for d in deadlines if d["alert"]],
        "next": next((d for d in deadlines if d["status"] == "due"), None),
        # While a decision window runs, its end is the admission date if the buyer stays silent (art. 33.2.2).
        "expected_admission": next(
            (d["due"] for d in deadlines if d["tacit_on_expiry"] and d["status"] == "due"),
            None,
        )
        if result is not None and result.admission_date is None and not result.rejected
        else None,
        "admission_date": result.admission_date if result else None,
        "admission_tacit": result.admission_tacit if result else False,
        "garantie_end": result.garantie_end if result else None,
        "rejected": result.rejected if result else False,
        "warnings": [w.code for w in result.warnings] if result else [],
        "availability": availability(timeline, cfg, project, today, vsr_end),
        "outages": list(Outage.objects.filter(timeline=timeline).order_by("started_at")) if timeline.pk else [],
        "chart": _chart(deadlines, today),
        "error": error,
    }


def approaching_deadlines(user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The CCAG-TIC deadlines inside their alert window on every project where ``user`` steers the acceptance
    (MOA, AMOA, MOE or AMOE), the tacit admission first: two queries whatever the number of projects."""
    from oeuvre.accounts.roles import Role

    today = today or timezone.localdate()
    steering = [Role.MOA, Role.AMOA, Role.MOE, Role.AMOE]
    timelines = list(
        AcceptanceTimeline.objects.filter(
            project__memberships__user=user, project__memberships__role__in=steering
        ).select_related("project")
    )
    saved = {s.project_id: s for s in RecetteSettings.objects.filter(project__in=[t.project_id for t in timelines])}
    labels = DEADLINE_LABELS()
    found: list[dict[str, Any]] = []
    for timeline in timelines:
        project = timeline.project
        cfg = saved.get(project.pk) or RecetteSettings(project=project)
        try:
            result = engine.compute_timers(timer_settings(cfg, project), timer_facts(timeline, project), today)
        except InputError:
            continue
        for d in engine.alerts(result.deadlines, today, cfg.alert_days):
            found.append(
                {
                    "project": project,
                    "key": d.key,
                    "label": labels.get(d.key, d.key),
                    "due": d.due,
                    "overdue": d.due < today,
                    "tacit": d.tacit_on_expiry,
                    "article": d.article,
                }
            )
    found.sort(key=lambda d: (not d["tacit"], d["due"]))
    return found
